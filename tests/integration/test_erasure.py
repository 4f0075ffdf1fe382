"""The Eraser on the template's own tables (moto) and the fake Freshdesk (``responses``): the base-table
read, the ticket, the ledger, the item; a failing helpdesk keeps the item; repeats are harmless."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contact_intake.core.retention import LawfulBasis
from contact_intake.helpdesk.port import HelpdeskServerError
from contact_intake.intake.models import InquiryStatus
from contact_intake.retention.erasure import ErasureOutcome, ErasureReason, ErasureSummary
from contact_intake.retention.ledger import LEDGER_RETENTION
from contact_intake.retention.wiring import SweeperWiring
from tests.builders import PERSON, an_inquiry_record
from tests.helpdesk_fake import FakeFreshdesk

SUBJECT = "5" * 64


def a_ticket(helpdesk: FakeFreshdesk, inquiry_id: str, email: str = PERSON["email"]) -> int:
    """A ticket as the forwarder would have made it for this inquiry."""
    ticket_id = max(helpdesk.tickets, default=100) + 1
    helpdesk.add_ticket(
        email, PERSON["name"], PERSON["subject"], ticket_id=ticket_id, description="…", tags=["contact-form"],
        source=2, cf_inquiry_id=inquiry_id,
    )  # fmt: skip
    return ticket_id


def forwarded(aws: Any, helpdesk: FakeFreshdesk, **overrides: Any) -> tuple[str, int]:
    record = an_inquiry_record(**{"status": InquiryStatus.FORWARDED, "subject_key": SUBJECT, **overrides})
    ticket_id = a_ticket(helpdesk, record.inquiry_id)
    record.helpdesk_ticket_id = ticket_id
    aws.put_inquiry(record)
    return record.inquiry_id, ticket_id


def ledger_items(aws: Any) -> list[dict[str, Any]]:
    return list(aws.dynamodb.scan(TableName=aws.name("ErasureLedgerTable"))["Items"])


def test_erasure_deletes_ticket_and_item_and_ledgers_hashes_only(
    aws: Any, sweeper: SweeperWiring, helpdesk: FakeFreshdesk
) -> None:
    inquiry_id, ticket_id = forwarded(aws, helpdesk, customer_number=PERSON["customer_number"])
    aws.calls.clear()

    outcome = sweeper.eraser.erase_inquiry(inquiry_id, ErasureReason.RIGHTS_REQUEST)

    assert outcome is ErasureOutcome.ERASED
    assert aws.find_item(inquiry_id) is None
    assert helpdesk.tickets[ticket_id].deleted
    # the base table, by key: no index read, no scan
    assert aws.calls == {"dynamodb.GetItem": 1, "dynamodb.PutItem": 1, "dynamodb.DeleteItem": 1}
    (entry,) = ledger_items(aws)
    assert set(entry) == {
        "subject_key",
        "inquiry_id",
        "erased_at",
        "reason",
        "helpdesk_ticket_ids",
        "expires_at",
    }
    assert entry["subject_key"] == {"S": SUBJECT}
    assert entry["reason"] == {"S": "rights_request"}
    assert entry["helpdesk_ticket_ids"] == {"NS": [str(ticket_id)]}
    erased_at = sweeper.clock()
    assert int(entry["expires_at"]["N"]) == int((erased_at + LEDGER_RETENTION).timestamp())
    raw = repr(entry).lower()
    for value in PERSON.values():
        assert value.lower() not in raw


def test_helpdesk_down_raises_and_keeps_the_item_then_the_repeat_completes(
    aws: Any, sweeper: SweeperWiring, helpdesk: FakeFreshdesk
) -> None:
    inquiry_id, ticket_id = forwarded(aws, helpdesk)
    helpdesk.fail_next(1, "500")

    with pytest.raises(HelpdeskServerError):
        sweeper.eraser.erase_inquiry(inquiry_id, ErasureReason.RETENTION_EXPIRED)

    assert aws.find_item(inquiry_id) is not None
    assert not helpdesk.tickets[ticket_id].deleted
    assert ledger_items(aws) == []

    assert sweeper.eraser.erase_inquiry(inquiry_id, ErasureReason.RETENTION_EXPIRED) is ErasureOutcome.ERASED
    assert aws.find_item(inquiry_id) is None
    assert helpdesk.tickets[ticket_id].deleted
    assert len(ledger_items(aws)) == 1


def test_a_ticket_already_deleted_at_the_helpdesk_counts_as_gone(
    aws: Any, sweeper: SweeperWiring, helpdesk: FakeFreshdesk
) -> None:
    inquiry_id, ticket_id = forwarded(aws, helpdesk)
    helpdesk.tickets[ticket_id].deleted = True  # an agent deleted it by hand: the API answers 404

    assert sweeper.eraser.erase_inquiry(inquiry_id, ErasureReason.RESOLVED) is ErasureOutcome.ERASED
    assert aws.find_item(inquiry_id) is None


def test_repeating_an_erasure_is_already_absent_and_writes_nothing(
    aws: Any, sweeper: SweeperWiring, helpdesk: FakeFreshdesk
) -> None:
    inquiry_id, _ = forwarded(aws, helpdesk)
    sweeper.eraser.erase_inquiry(inquiry_id, ErasureReason.RESOLVED)
    calls_before = sum(helpdesk.calls.values())
    aws.calls.clear()

    assert sweeper.eraser.erase_inquiry(inquiry_id, ErasureReason.RESOLVED) is ErasureOutcome.ALREADY_ABSENT

    assert aws.calls == {"dynamodb.GetItem": 1}
    assert sum(helpdesk.calls.values()) == calls_before
    assert len(ledger_items(aws)) == 1


def test_an_expired_item_is_erased_with_its_ticket(
    aws: Any, sweeper: SweeperWiring, helpdesk: FakeFreshdesk
) -> None:
    past = int((sweeper.clock() - timedelta(hours=2)).timestamp())
    inquiry_id, ticket_id = forwarded(aws, helpdesk, expires_at=past)
    assert sweeper.store.get(inquiry_id) is None  # reads treat it as gone

    assert sweeper.eraser.erase_inquiry(inquiry_id, ErasureReason.RETENTION_EXPIRED) is ErasureOutcome.ERASED
    assert helpdesk.tickets[ticket_id].deleted


def test_a_lost_create_answer_ticket_is_found_in_the_requesters_list_and_deleted(
    aws: Any, sweeper: SweeperWiring, helpdesk: FakeFreshdesk
) -> None:
    record = aws.put_inquiry(an_inquiry_record(forward_attempted_at=sweeper.clock(), forward_attempts=1))
    orphan = a_ticket(helpdesk, record.inquiry_id)  # created, but the forwarder never heard back
    other = a_ticket(helpdesk, "7c1d0e1a-0000-4000-8000-000000000000")  # the same person's other question

    sweeper.eraser.erase_inquiry(record.inquiry_id, ErasureReason.RIGHTS_REQUEST)

    assert helpdesk.tickets[orphan].deleted
    assert not helpdesk.tickets[other].deleted


def test_erase_subject_and_customer_use_their_indexes(
    aws: Any, sweeper: SweeperWiring, helpdesk: FakeFreshdesk
) -> None:
    mine = [forwarded(aws, helpdesk)[0] for _ in range(3)]
    as_customer = {"customer_number": "C-1", "lawful_basis": LawfulBasis.CONTRACT, "expires_at": None}
    customer = [forwarded(aws, helpdesk, subject_key="6" * 64, **as_customer)[0] for _ in range(2)]
    bystander, _ = forwarded(aws, helpdesk, subject_key="7" * 64)
    aws.calls.clear()

    assert sweeper.eraser.erase_subject(SUBJECT, ErasureReason.RIGHTS_REQUEST) == ErasureSummary(erased=3)
    assert sweeper.eraser.erase_customer("C-1", ErasureReason.ACCOUNT_CLOSED) == ErasureSummary(erased=2)

    assert aws.calls["dynamodb.Query"] == 2
    assert "dynamodb.Scan" not in aws.calls
    for inquiry_id in mine + customer:
        assert aws.find_item(inquiry_id) is None
    assert aws.find_item(bystander) is not None


# ---------------------------------------------------------------- the ledger and the store's new calls


def test_the_ledger_reads_back_per_subject_and_since_a_moment(
    aws: Any, sweeper: SweeperWiring, helpdesk: FakeFreshdesk
) -> None:
    first, _ = forwarded(aws, helpdesk)
    sweeper.eraser.erase_inquiry(first, ErasureReason.RIGHTS_REQUEST)
    sweeper.clock.advance(days=2)  # type: ignore[attr-defined]
    restore_point = sweeper.clock()
    second, _ = forwarded(aws, helpdesk)
    sweeper.eraser.erase_inquiry(second, ErasureReason.RIGHTS_REQUEST)

    assert {e.inquiry_id for e in sweeper.ledger.entries_of(SUBJECT)} == {first, second}
    since = list(sweeper.ledger.entries_since(restore_point))
    assert [e.inquiry_id for e in since] == [second]
    assert since[0].helpdesk_ticket_ids
    assert sweeper.ledger.entries_of("0" * 64) == []


def test_after_a_restore_the_ledger_erases_again_what_came_back(
    aws: Any, sweeper: SweeperWiring, helpdesk: FakeFreshdesk
) -> None:
    record = an_inquiry_record(status=InquiryStatus.FORWARDED, subject_key=SUBJECT)
    aws.put_inquiry(record)
    restore_point = sweeper.clock()
    sweeper.eraser.erase_inquiry(record.inquiry_id, ErasureReason.RIGHTS_REQUEST)
    aws.put_inquiry(record)  # InquiriesTable restored to a moment before the erasure

    summary = sweeper.eraser.reapply(sweeper.ledger.entries_since(restore_point))

    assert summary == ErasureSummary(erased=1)
    assert aws.find_item(record.inquiry_id) is None
    assert len(ledger_items(aws)) == 1


@pytest.mark.parametrize(
    ("operation", "call"),
    [
        ("get_item", lambda w: w.store.read_any("x")),
        ("delete_item", lambda w: w.store.delete("x")),
        ("update_item", lambda w: w.store.mark_resolved("x")),
        ("query", lambda w: list(w.store.keys_by_subject("x"))),
        ("put_item", lambda w: w.ledger.record(_entry())),
        ("query", lambda w: w.ledger.entries_of("x")),
    ],
)
def test_storage_faults_are_service_unavailable(sweeper: SweeperWiring, operation: str, call: Any) -> None:
    from botocore.stub import Stubber

    from contact_intake.core.errors import ServiceUnavailable

    with Stubber(sweeper.clients.dynamodb) as stub:
        stub.add_client_error(operation, service_error_code="ProvisionedThroughputExceededException")
        with pytest.raises(ServiceUnavailable):
            call(sweeper)


def test_the_store_pages_through_an_index(aws: Any, sweeper: SweeperWiring) -> None:
    from botocore.stub import Stubber

    with Stubber(sweeper.clients.dynamodb) as stub:
        stub.add_response(
            "query", {"Items": [{"inquiry_id": {"S": "a"}}], "LastEvaluatedKey": {"k": {"S": "a"}}}
        )
        stub.add_response("query", {"Items": [{"inquiry_id": {"S": "b"}}]})
        assert list(sweeper.store.keys_by_customer("C-1")) == ["a", "b"]


def _entry() -> Any:
    from contact_intake.retention.ledger import ErasureEntry

    return ErasureEntry(subject_key="x", inquiry_id="y", erased_at=datetime.now(UTC), reason="resolved")
