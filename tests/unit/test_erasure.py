"""The Eraser with fakes: order (ticket, ledger, item), failure and repeat, what the ledger keeps."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

import pytest

from contact_intake.core.retention import LawfulBasis
from contact_intake.helpdesk.port import HelpdeskServerError
from contact_intake.retention.erasure import Eraser, ErasureOutcome, ErasureReason, ErasureSummary
from tests.builders import PERSON, an_inquiry_record
from tests.erasure_fakes import FakeHelpdesk, FakeInquiryStore, FakeLedger
from tests.fakes import FakeClock

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


class World:
    def __init__(self) -> None:
        self.log: list[str] = []
        self.clock = FakeClock(NOW)
        self.store = FakeInquiryStore(self.log, self.clock)
        self.ledger = FakeLedger(self.log)
        self.helpdesk = FakeHelpdesk(self.log)
        self.eraser = Eraser(
            store=self.store,  # type: ignore[arg-type]
            ledger=self.ledger,  # type: ignore[arg-type]
            helpdesk=self.helpdesk,
            clock=self.clock,
        )


@pytest.fixture
def world() -> World:
    return World()


def test_the_ticket_goes_first_then_the_ledger_entry_then_the_item(world: World) -> None:
    record = world.store.add(an_inquiry_record(helpdesk_ticket_id=41, status="forwarded"))
    world.helpdesk.add_ticket(41, PERSON["email"], record.inquiry_id)

    outcome = world.eraser.erase_inquiry(record.inquiry_id, ErasureReason.RESOLVED)

    assert outcome is ErasureOutcome.ERASED
    assert world.log == ["ticket:41", f"ledger:{record.inquiry_id}", f"item:{record.inquiry_id}"]
    assert world.store.items == {}
    assert world.helpdesk.tickets == {}


def test_helpdesk_down_keeps_the_item_and_raises_then_a_repeat_completes(world: World) -> None:
    record = world.store.add(an_inquiry_record(helpdesk_ticket_id=41))
    world.helpdesk.add_ticket(41, PERSON["email"], record.inquiry_id)
    world.helpdesk.down = True

    with pytest.raises(HelpdeskServerError):
        world.eraser.erase_inquiry(record.inquiry_id, ErasureReason.RETENTION_EXPIRED)

    assert record.inquiry_id in world.store.items  # never reported done before the ticket is gone
    assert world.ledger.entries == {}
    assert world.log == []

    world.helpdesk.down = False
    assert (
        world.eraser.erase_inquiry(record.inquiry_id, ErasureReason.RETENTION_EXPIRED)
        is ErasureOutcome.ERASED
    )
    assert world.store.items == {}
    assert world.helpdesk.tickets == {}
    assert len(world.ledger.entries) == 1


def test_erasing_twice_is_already_absent_and_touches_nothing(world: World) -> None:
    record = world.store.add(an_inquiry_record(helpdesk_ticket_id=7))
    world.eraser.erase_inquiry(record.inquiry_id, ErasureReason.RIGHTS_REQUEST)
    calls, log = list(world.helpdesk.calls), list(world.log)

    again = world.eraser.erase_inquiry(record.inquiry_id, ErasureReason.RIGHTS_REQUEST)

    assert again is ErasureOutcome.ALREADY_ABSENT
    assert (world.helpdesk.calls, world.log) == (calls, log)
    assert (
        world.eraser.erase_inquiry("never-existed", ErasureReason.RESOLVED) is ErasureOutcome.ALREADY_ABSENT
    )


def test_a_crash_between_ledger_and_delete_is_finished_by_the_repeat_with_one_entry(world: World) -> None:
    record = world.store.add(an_inquiry_record(helpdesk_ticket_id=7))
    real_delete = world.store.delete
    world.store.delete = lambda inquiry_id: (_ for _ in ()).throw(RuntimeError("crash"))  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        world.eraser.erase_inquiry(record.inquiry_id, ErasureReason.RESOLVED)
    first_entry = dict(world.ledger.entries)
    world.clock.advance(minutes=5)
    world.store.delete = real_delete  # type: ignore[method-assign]

    assert world.eraser.erase_inquiry(record.inquiry_id, ErasureReason.RESOLVED) is ErasureOutcome.ERASED

    assert world.store.items == {}
    assert world.ledger.entries == first_entry  # the first erased_at stands, no second entry


def test_an_expired_item_is_still_erased_with_its_ticket(world: World) -> None:
    expired = an_inquiry_record(helpdesk_ticket_id=9, expires_at=int(NOW.timestamp()) - 3600)
    world.store.add(expired)
    world.helpdesk.add_ticket(9, PERSON["email"], expired.inquiry_id)
    assert world.store.get(expired.inquiry_id) is None  # every read treats it as gone ...

    outcome = world.eraser.erase_inquiry(expired.inquiry_id, ErasureReason.RETENTION_EXPIRED)

    assert outcome is ErasureOutcome.ERASED  # ... but erasure sees it, so the ticket goes too
    assert world.helpdesk.tickets == {}


def test_without_a_ticket_id_after_an_attempt_the_ticket_is_looked_up_and_deleted(world: World) -> None:
    record = world.store.add(an_inquiry_record(forward_attempted_at=NOW, forward_attempts=1))
    world.helpdesk.add_ticket(12, PERSON["email"], record.inquiry_id)  # created; the answer was lost
    world.helpdesk.add_ticket(13, PERSON["email"], "another-inquiry")  # the same person's other question

    world.eraser.erase_inquiry(record.inquiry_id, ErasureReason.RIGHTS_REQUEST)

    assert world.helpdesk.tickets == {13: (PERSON["email"], "another-inquiry")}
    (entry,) = world.ledger.entries.values()
    assert entry.helpdesk_ticket_ids == (12,)


def test_an_inquiry_never_sent_to_the_helpdesk_costs_no_helpdesk_call(world: World) -> None:
    record = world.store.add(an_inquiry_record())
    world.eraser.erase_inquiry(record.inquiry_id, ErasureReason.RETENTION_EXPIRED)
    assert world.helpdesk.calls == []
    assert world.store.items == {}


def test_the_ledger_entry_holds_hashes_ids_time_and_reason_only(world: World) -> None:
    record = world.store.add(
        an_inquiry_record(
            helpdesk_ticket_id=5,
            customer_number=PERSON["customer_number"],
            lawful_basis=LawfulBasis.CONTRACT,
            expires_at=None,
            subject_key="a" * 64,
        )
    )
    world.eraser.erase_inquiry(record.inquiry_id, ErasureReason.ACCOUNT_CLOSED)

    (entry,) = world.ledger.entries.values()
    assert asdict(entry) == {
        "subject_key": "a" * 64,
        "inquiry_id": record.inquiry_id,
        "erased_at": NOW,
        "reason": "account_closed",
        "helpdesk_ticket_ids": (5,),
    }
    text = repr(asdict(entry)).lower()
    for value in PERSON.values():
        assert value.lower() not in text


def test_erase_subject_and_customer_take_every_inquiry_and_only_theirs(world: World) -> None:
    mine = [world.store.add(an_inquiry_record(subject_key="s" * 64)) for _ in range(3)]
    other = world.store.add(an_inquiry_record(subject_key="t" * 64, customer_number="C-1"))
    customers = [world.store.add(an_inquiry_record(customer_number="C-2")) for _ in range(2)]

    assert world.eraser.erase_subject("s" * 64, ErasureReason.RIGHTS_REQUEST) == ErasureSummary(erased=3)
    assert world.eraser.erase_customer("C-2", ErasureReason.ACCOUNT_CLOSED) == ErasureSummary(erased=2)
    assert world.eraser.erase_customer("C-404", ErasureReason.ACCOUNT_CLOSED) == ErasureSummary()

    assert set(world.store.items) == {other.inquiry_id}
    assert {e.inquiry_id for e in world.ledger.entries.values()} == {r.inquiry_id for r in mine + customers}


def test_reapply_erases_what_a_restore_brought_back(world: World) -> None:
    record = an_inquiry_record(helpdesk_ticket_id=3)
    world.store.add(record)
    world.eraser.erase_inquiry(record.inquiry_id, ErasureReason.OBJECTION_UPHELD)
    world.store.add(record)  # a point-in-time restore from before the erasure
    world.store.add(an_inquiry_record())  # never erased: stays

    summary = world.eraser.reapply(world.ledger.entries.values())

    assert summary == ErasureSummary(erased=1)
    assert record.inquiry_id not in world.store.items
    assert len(world.store.items) == 1


def test_summary_counts_both_outcomes() -> None:
    summary = ErasureSummary().plus(ErasureOutcome.ERASED).plus(ErasureOutcome.ALREADY_ABSENT)
    assert summary == ErasureSummary(erased=1, already_absent=1)
