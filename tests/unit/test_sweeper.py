"""The sweeper with fakes: due erasures through the Eraser, stuck inquiries re-enqueued once, a run that
stops cleanly (out of time, throttled) and one that reports its failures."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from contact_intake.core.errors import ServiceUnavailable
from contact_intake.core.retention import LawfulBasis
from contact_intake.helpdesk.port import HelpdeskAuthError, HelpdeskRateLimited
from contact_intake.intake.models import InquiryStatus
from contact_intake.retention.erasure import Eraser
from contact_intake.retention.sweeper import Sweeper, SweepIncomplete
from tests.builders import PERSON, an_inquiry_record
from tests.erasure_fakes import FakeHelpdesk, FakeInquiryStore, FakeLedger
from tests.fakes import FakeClock, FakeQueue

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


class World:
    def __init__(self, queue: FakeQueue | None = None) -> None:
        self.log: list[str] = []
        self.clock = FakeClock(NOW)
        self.store = FakeInquiryStore(self.log, self.clock)
        self.helpdesk = FakeHelpdesk(self.log)
        self.queue = queue or FakeQueue()
        eraser = Eraser(
            store=self.store, ledger=FakeLedger(self.log), helpdesk=self.helpdesk, clock=self.clock
        )  # type: ignore[arg-type]
        self.sweeper = Sweeper(
            store=self.store,  # type: ignore[arg-type]
            eraser=eraser,
            queue=self.queue,  # type: ignore[arg-type]
            stuck_after=timedelta(minutes=15),
            lookback_days=30,
            clock=self.clock,
        )

    def expired(self, ago: timedelta, ticket_id: int | None = None) -> str:
        record = an_inquiry_record(
            received_at=NOW - timedelta(days=400),
            status=InquiryStatus.FORWARDED,
            helpdesk_ticket_id=ticket_id,
            expires_at=int((NOW - ago).timestamp()),
        )
        self.store.add(record)
        if ticket_id is not None:
            self.helpdesk.add_ticket(ticket_id, PERSON["email"], record.inquiry_id)
        return str(record.inquiry_id)

    def received(self, ago: timedelta) -> str:
        record = an_inquiry_record(received_at=NOW - ago)
        self.store.add(record)
        return str(record.inquiry_id)


def queued(world: World) -> list[str]:
    return [json.loads(body)["inquiry_id"] for body in world.queue.bodies]


def test_everything_past_expires_at_is_erased_with_its_ticket_and_nothing_else() -> None:
    world = World()
    due = [world.expired(timedelta(minutes=1), ticket_id=1), world.expired(timedelta(days=3), ticket_id=2)]
    not_yet = world.store.add(an_inquiry_record(received_at=NOW - timedelta(days=200))).inquiry_id
    later_today = world.store.add(
        an_inquiry_record(
            status=InquiryStatus.FORWARDED, expires_at=int((NOW + timedelta(hours=1)).timestamp())
        )
    ).inquiry_id
    customer = world.store.add(
        an_inquiry_record(lawful_basis=LawfulBasis.CONTRACT, expires_at=None, status=InquiryStatus.FORWARDED)
    ).inquiry_id

    report = world.sweeper.run()

    assert (report.expired_found, report.erased, report.erase_failed) == (2, 2, 0)
    assert set(world.store.items) == {not_yet, later_today, customer}
    assert world.helpdesk.tickets == {}
    assert not set(due) & set(world.store.items)


def test_an_expiry_older_than_the_look_back_is_out_of_reach() -> None:
    # documented bound: by then DynamoDB's TTL has long deleted the item itself
    world = World()
    world.expired(timedelta(days=31))
    assert world.sweeper.run().erased == 0


def test_stuck_inquiries_are_re_enqueued_once_and_fresh_ones_left_alone() -> None:
    world = World()
    stuck = world.received(timedelta(minutes=16))
    yesterday = world.received(timedelta(days=1, hours=2))
    fresh = world.received(timedelta(minutes=5))  # the forwarder may still be on it
    world.store.add(an_inquiry_record(received_at=NOW - timedelta(hours=1), status=InquiryStatus.FORWARDED))

    report = world.sweeper.run()

    assert sorted(queued(world)) == sorted([stuck, yesterday])
    assert report.requeued == 2
    world.clock.advance(hours=1)
    world.sweeper.run()
    # at most once each: from then on the queue's redrive and DLQ own them; the fresh one is stuck now
    assert sorted(queued(world)) == sorted([stuck, yesterday, fresh])


def test_a_throttled_helpdesk_defers_the_rest_to_the_next_run_without_failing() -> None:
    world = World()
    for n in range(3):
        world.expired(timedelta(hours=n + 1), ticket_id=n + 1)
    stuck = world.received(timedelta(hours=1))
    calls = 0
    real = world.helpdesk.delete_ticket

    def throttled_after_one(ticket_id: int) -> None:
        nonlocal calls
        calls += 1
        if calls > 1:
            raise HelpdeskRateLimited("delete_ticket", retry_after_seconds=30)
        real(ticket_id)

    world.helpdesk.delete_ticket = throttled_after_one  # type: ignore[method-assign]
    report = world.sweeper.run()

    assert (report.erased, report.deferred, report.erase_failed) == (1, True, 0)
    assert queued(world) == [stuck]  # the re-enqueue part still ran


def test_a_failing_helpdesk_stops_erasing_and_the_run_reports_it() -> None:
    world = World()
    for n in range(3):
        world.expired(timedelta(hours=n + 1), ticket_id=n + 1)
    world.helpdesk.down = True

    with pytest.raises(SweepIncomplete, match="1 erasure"):
        world.sweeper.run()

    assert len(world.store.items) == 3
    assert len(world.helpdesk.calls) == 1  # no call per item while it is down


def test_a_permanent_refusal_for_one_ticket_does_not_block_the_others() -> None:
    world = World()
    first = world.expired(timedelta(days=2), ticket_id=1)
    world.expired(timedelta(hours=1), ticket_id=2)
    real = world.helpdesk.delete_ticket

    def refuse_ticket_one(ticket_id: int) -> None:
        if ticket_id == 1:
            raise HelpdeskAuthError("delete_ticket", status=403)
        real(ticket_id)

    world.helpdesk.delete_ticket = refuse_ticket_one  # type: ignore[method-assign]
    with pytest.raises(SweepIncomplete):
        world.sweeper.run()
    assert set(world.store.items) == {first}


def test_storage_failure_during_an_erasure_is_reported() -> None:
    world = World()
    world.expired(timedelta(hours=1))

    def unavailable(inquiry_id: str) -> None:
        raise ServiceUnavailable()

    world.store.delete = unavailable  # type: ignore[method-assign]
    with pytest.raises(SweepIncomplete):
        world.sweeper.run()


def test_out_of_time_stops_starting_work() -> None:
    world = World()
    world.expired(timedelta(hours=1))
    world.received(timedelta(hours=1))
    report = world.sweeper.run(time_left_ms=lambda: 5_000)
    assert (report.erased, report.requeued, report.deferred) == (0, 0, True)
    assert len(world.store.items) == 2


def test_a_failing_queue_keeps_the_inquiry_for_the_next_run() -> None:
    world = World(FakeQueue(failing=True))
    stuck = world.received(timedelta(hours=1))
    with pytest.raises(SweepIncomplete, match="1 re-enqueue"):
        world.sweeper.run()
    assert stuck not in world.store.released
    world.queue.failing = False
    world.sweeper.run()
    assert queued(world) == [stuck]


def test_queries_per_run_are_bounded_by_the_look_back() -> None:
    report = World().sweeper.run()
    assert report.queries == 31 + 31
