"""SweeperFunction on the template's own table (moto, with its sparse GSIs) and the fake Freshdesk.

It must find its work through the indexes and never scan: every DynamoDB call is counted with a
botocore ``before-call`` handler, and the items each Query reads (``ScannedCount``) with an ``after-call``
one, which gives the figure the issue asks for: items read per item erased.
"""

from __future__ import annotations

import importlib
import json
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from contact_intake.core.retention import LawfulBasis
from contact_intake.intake.models import InquiryStatus
from contact_intake.intake.store import EXPIRY_DAY, PENDING_DAY
from contact_intake.retention.sweeper import SweepIncomplete
from contact_intake.retention.wiring import SweeperWiring
from contact_intake.rights.models import RequestStatus
from tests.builders import PERSON, FakeContext, an_inquiry_record, sample_event
from tests.helpdesk_fake import FakeFreshdesk
from tests.integration.rights_support import RightsHarness, rights

__all__ = ["rights"]


class ReadMeter:
    """Items DynamoDB read for the sweeper: each Query's ScannedCount, each GetItem's one item."""

    def __init__(self, client: Any) -> None:
        self.items = Counter[str]()
        client.meta.events.register("after-call.dynamodb.Query", self._query)
        client.meta.events.register("after-call.dynamodb.GetItem", self._get)

    def _query(self, parsed: dict[str, Any], **_: Any) -> None:
        self.items["Query"] += int(parsed.get("ScannedCount", 0))

    def _get(self, parsed: dict[str, Any], **_: Any) -> None:
        self.items["GetItem"] += 1 if parsed.get("Item") else 0

    @property
    def total(self) -> int:
        return sum(self.items.values())


class SweeperContext(FakeContext):
    function_name = "SweeperFunction"

    def get_remaining_time_in_millis(self) -> int:
        return 299_000  # the template's 300 s timeout, just started


def run(sweeper: SweeperWiring) -> dict[str, Any]:
    handler = importlib.import_module("sweeper_handler")
    return dict(handler.lambda_handler(sample_event("sweeper_scheduled.json"), SweeperContext()))


def expired(aws: Any, sweeper: SweeperWiring, helpdesk: FakeFreshdesk, ago: timedelta) -> tuple[str, int]:
    now = sweeper.clock()
    record = an_inquiry_record(received_at=now - timedelta(days=370), status=InquiryStatus.FORWARDED,
                               expires_at=int((now - ago).timestamp()))  # fmt: skip
    ticket_id = len(helpdesk.tickets) + 1
    helpdesk.add_ticket(
        PERSON["email"], ticket_id=ticket_id, description="", tags=[], source=2, status=4,
        cf_inquiry_id=record.inquiry_id,
    )  # fmt: skip
    record.helpdesk_ticket_id = ticket_id
    aws.put_inquiry(record)
    return record.inquiry_id, ticket_id


def living(aws: Any, sweeper: SweeperWiring, n: int) -> None:
    """n inquiries that are not due: forwarded prospects (months left) and customers (no expiry)."""
    now = sweeper.clock()
    for i in range(n):
        kind: dict[str, Any] = (
            {"lawful_basis": LawfulBasis.CONTRACT, "expires_at": None} if i % 4 == 0 else {}
        )
        received_at = now - timedelta(days=i % 300, hours=1)
        aws.put_inquiry(
            an_inquiry_record(
                received_at=received_at, status=InquiryStatus.FORWARDED, helpdesk_ticket_id=9000 + i, **kind
            )
        )


def test_items_carry_the_sparse_index_keys_only_while_they_apply(aws: Any, sweeper: SweeperWiring) -> None:
    prospect = aws.put_inquiry(an_inquiry_record(received_at=sweeper.clock()))
    customer = aws.put_inquiry(an_inquiry_record(lawful_basis=LawfulBasis.CONTRACT, expires_at=None,
                                                 status=InquiryStatus.FORWARDED))  # fmt: skip
    item = aws.get_item(prospect.inquiry_id)
    assert item[PENDING_DAY] == {"S": sweeper.clock().strftime("%Y-%m-%d")}
    assert item[EXPIRY_DAY] == {"S": (sweeper.clock() + timedelta(days=365)).strftime("%Y-%m-%d")}
    assert EXPIRY_DAY not in aws.get_item(customer.inquiry_id)
    assert PENDING_DAY not in aws.get_item(customer.inquiry_id)

    sweeper.store.mark_forwarded(prospect.inquiry_id, 77, at=sweeper.clock())  # the forwarder's write-back

    assert PENDING_DAY not in aws.get_item(prospect.inquiry_id)


def test_expired_inquiries_are_erased_with_their_tickets_through_the_index_never_a_scan(
    aws: Any, sweeper: SweeperWiring, helpdesk: FakeFreshdesk
) -> None:
    due = [expired(aws, sweeper, helpdesk, timedelta(hours=h)) for h in (1, 30, 24 * 20)]
    living(aws, sweeper, 20)
    aws.calls.clear()

    report = run(sweeper)

    assert (report["erased"], report["erase_failed"], report["requeued"]) == (3, 0, 0)
    for inquiry_id, ticket_id in due:
        assert aws.find_item(inquiry_id) is None
        assert helpdesk.tickets[ticket_id].deleted
    assert aws.scan_count() == 20
    assert "dynamodb.Scan" not in aws.calls
    # one per day of the look-back, per index; one for the unconfirmed rights requests (by_status); and one
    # per day of the closures re-checked (D63)
    assert aws.calls["dynamodb.Query"] == 31 + 31 + 1 + 4
    assert aws.calls["dynamodb.GetItem"] == 3  # the Eraser's base-table read, once per due item


def test_stuck_inquiries_are_re_enqueued_and_only_those(aws: Any, sweeper: SweeperWiring) -> None:
    now = sweeper.clock()
    stuck = aws.put_inquiry(an_inquiry_record(received_at=now - timedelta(minutes=40))).inquiry_id
    old_stuck = aws.put_inquiry(an_inquiry_record(received_at=now - timedelta(days=2))).inquiry_id
    fresh = aws.put_inquiry(an_inquiry_record(received_at=now - timedelta(minutes=3))).inquiry_id
    forwarded = aws.put_inquiry(an_inquiry_record(received_at=now - timedelta(hours=1)))
    sweeper.store.mark_forwarded(forwarded.inquiry_id, 5, at=now)

    report = run(sweeper)

    assert report["requeued"] == 2
    bodies = sorted(json.loads(m["Body"])["inquiry_id"] for m in aws.receive_all())
    assert bodies == sorted([stuck, old_stuck])
    assert PENDING_DAY not in aws.get_item(stuck)  # out of by_pending: re-enqueued once only
    assert PENDING_DAY in aws.get_item(fresh)
    assert run(sweeper)["requeued"] == 0


def test_a_failing_helpdesk_leaves_the_items_and_fails_the_run(
    aws: Any, sweeper: SweeperWiring, helpdesk: FakeFreshdesk
) -> None:
    due = [expired(aws, sweeper, helpdesk, timedelta(hours=h)) for h in (1, 2)]
    helpdesk.fail_next(1, "500")

    with pytest.raises(SweepIncomplete):
        run(sweeper)
    assert all(aws.find_item(i) is not None for i, _ in due)

    assert run(sweeper)["erased"] == 2  # the next run catches up


@pytest.mark.parametrize(("n", "k"), [(40, 4), (200, 4), (200, 20)])
def test_items_read_per_item_erased_does_not_grow_with_the_table(
    aws: Any, sweeper: SweeperWiring, helpdesk: FakeFreshdesk, record_property: Any, *, n: int, k: int
) -> None:
    for h in range(k):
        expired(aws, sweeper, helpdesk, timedelta(hours=h + 1))
    living(aws, sweeper, n - k)
    meter = ReadMeter(sweeper.clients.dynamodb)

    report = run(sweeper)

    assert report["erased"] == k
    per_item = meter.total / k
    record_property("items_read_per_item_erased", per_item)
    # one index entry and one base-table read per erased item, whatever n is (a Scan would read all n)
    assert meter.items == {"Query": k, "GetItem": k}
    assert per_item == 2.0


def test_an_inquiry_restricted_after_the_index_was_read_is_held_not_erased(
    aws: Any, sweeper: SweeperWiring, helpdesk: FakeFreshdesk
) -> None:
    """D68: a restriction removes expires_at; one set between the sweeper's index read and its erasure (here:
    the flag on an item that still carries its deadline) holds the inquiry and its ticket too."""
    inquiry_id, ticket_id = expired(aws, sweeper, helpdesk, timedelta(hours=2))
    aws.dynamodb.update_item(
        TableName=aws.name("InquiriesTable"),
        Key={"inquiry_id": {"S": inquiry_id}},
        UpdateExpression="SET restricted = :yes",
        ExpressionAttributeValues={":yes": {"BOOL": True}},
    )

    report = run(sweeper)

    assert (report["expired_found"], report["erased"], report["held"]) == (1, 0, 1)
    assert aws.find_item(inquiry_id) is not None
    assert not helpdesk.tickets[ticket_id].deleted


# ---------------------------------------------------------------- unconfirmed rights requests


def test_the_sweeper_marks_unconfirmed_rights_requests_expired(
    rights: RightsHarness, sweeper: SweeperWiring
) -> None:
    def receive(email: str, right: str) -> str:
        request = rights.service.receive(
            channel="email", email=email, right=right, locale="nl", received_at=rights.clock()
        )
        return request.request_id

    waiting = receive(PERSON["email"], "erasure")
    confirmed = receive("someone.else@example.org", "access")
    rights.service.verify(rights.mailbox.token("someone.else@example.org"))
    assert run(sweeper)["rights_requests_expired"] == 0  # inside the link's seven days: nothing
    mails = len(rights.mailbox.messages())
    rights.clock.advance(days=7, seconds=1)
    assert run(sweeper)["rights_requests_expired"] == 1
    stored = rights.item(waiting)
    assert stored is not None
    assert stored["status"] == {"S": "expired"}  # written now, so by_status (the DPO's list) says so too
    last = stored["audit"]["L"][-1]["M"]
    assert (last["action"]["S"], last["actor"]["S"]) == ("expired", "system")
    assert rights.item(confirmed)["status"] == {"S": "verified"}  # type: ignore[index]
    assert len(rights.mailbox.messages()) == mails  # expiry mails nobody: no refusal, no reminder
    assert [s.request_id for s in rights.store.list_by_status(RequestStatus.EXPIRED)] == [waiting]
    assert run(sweeper)["rights_requests_expired"] == 0  # once
