"""ForwarderFunction end to end in-process: moto's table and queues (from template.yaml), the fake Freshdesk
holding real tickets, Lambda's SQS event source played by hand (tests/integration/conftest.py).

Given an inquiry stored as the intake stores it and its claim check in InquiryQueue, when the event
source delivers it (once, twice, after failures), then the helpdesk holds exactly the tickets it should.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any, NamedTuple

import pytest
from botocore.exceptions import EndpointConnectionError

from contact_intake.intake.wiring import ForwarderWiring
from tests.builders import PERSON, an_inquiry_record, sample_event
from tests.fakes import FakeClock
from tests.helpdesk_fake import FakeFreshdesk
from tests.integration.conftest import Aws, InquiryQueueSource

UpdateHook = Callable[[dict[str, Any]], None]


class Stage(NamedTuple):
    """The forwarder of one test and what it works on (the tests of races want all of it)."""

    aws: Aws
    helpdesk: FakeFreshdesk
    inquiry_queue: InquiryQueueSource
    forwarder: ForwarderWiring
    clock: FakeClock


@pytest.fixture
def stage(
    aws: Aws,
    helpdesk: FakeFreshdesk,
    inquiry_queue: InquiryQueueSource,
    forwarder: ForwarderWiring,
    clock: FakeClock,
) -> Stage:
    return Stage(aws, helpdesk, inquiry_queue, forwarder, clock)


def stored(aws: Aws, **overrides: Any) -> str:
    record = aws.put_inquiry(an_inquiry_record(**overrides))
    return str(record.inquiry_id)


def queued(aws: Aws, inquiry_queue: InquiryQueueSource, **overrides: Any) -> str:
    """An inquiry stored as the intake stores it and its claim check in InquiryQueue: its id."""
    inquiry_id = stored(aws, **overrides)
    inquiry_queue.send(inquiry_id)
    return inquiry_id


def written_back_by_another_delivery(aws: Aws, inquiry_id: str, ticket: dict[str, str]) -> None:
    """Another delivery's write-back of ``ticket`` (a DynamoDB number) to the inquiry."""
    aws.dynamodb.update_item(
        TableName=aws.name("InquiriesTable"),
        Key={"inquiry_id": {"S": inquiry_id}},
        UpdateExpression="SET helpdesk_ticket_id = :t, #s = :f",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":t": ticket, ":f": {"S": "forwarded"}},
    )


def before_write_back(forwarder: ForwarderWiring, action: UpdateHook) -> list[dict[str, Any]]:
    """Run ``action`` (with the call's params) just before the forwarder's ticket-id write-back reaches
    DynamoDB: the moment between the create and the write-back. Returns the write-backs seen."""
    seen: list[dict[str, Any]] = []

    def hook(params: dict[str, Any], **_: Any) -> None:
        if ":ticket" in params.get("ExpressionAttributeValues", {}):
            seen.append(params)
            action(params)

    forwarder.clients.dynamodb.meta.events.register("provide-client-params.dynamodb.UpdateItem", hook)
    return seen


def sqs_calls(forwarder: ForwarderWiring, operation: str) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def hook(params: dict[str, Any], **_: Any) -> None:
        calls.append(dict(params))

    forwarder.clients.sqs.meta.events.register(f"provide-client-params.sqs.{operation}", hook)
    return calls


def failed_ids(answer: dict[str, Any]) -> list[str]:
    return [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]


# ------------------------------------------------------------------------------------------------ success


def test_an_inquiry_becomes_one_ticket_and_the_id_is_written_back(
    aws: Aws, helpdesk: FakeFreshdesk, inquiry_queue: InquiryQueueSource
) -> None:
    inquiry_id = stored(aws, message="Hallo <b>team</b>,\nwaar is mijn pakket & bon?", locale="de")
    assert "pending_day" in aws.get_item(inquiry_id)  # the sweeper's index key while received
    inquiry_queue.send(inquiry_id)

    _, answer = inquiry_queue.poll()

    assert answer == {"batchItemFailures": []}
    (ticket,) = helpdesk.live_tickets()
    requester = helpdesk.requester_of(ticket)
    assert (requester.email, requester.name) == (PERSON["email"], PERSON["name"])
    assert ticket.subject == PERSON["subject"]
    assert ticket.description == "Hallo &lt;b&gt;team&lt;/b&gt;,<br>waar is mijn pakket &amp; bon?"
    assert ticket.custom_fields == {"cf_inquiry_id": inquiry_id}
    assert ticket.tags == ["contact-form", "lang:de"]
    assert (ticket.source, ticket.status, ticket.priority) == (2, 2, 1)
    item = aws.get_item(inquiry_id)
    assert item["helpdesk_ticket_id"] == {"N": str(ticket.id)}
    assert item["status"] == {"S": "forwarded"}
    assert "forwarded_at" in item
    assert item["forward_attempts"] == {"N": "1"}
    assert "pending_day" not in item  # out of the sweeper's by_pending index in the same write
    assert "forward_attempted_at" not in item
    assert aws.queue_counts() == {"visible": 0, "in_flight": 0, "delayed": 0}
    assert aws.queue_counts("InquiryDLQ")["visible"] == 0


def test_the_work_is_one_read_two_conditional_writes_and_one_create(
    aws: Aws, helpdesk: FakeFreshdesk, inquiry_queue: InquiryQueueSource
) -> None:
    inquiry_queue.send(stored(aws))
    aws.calls.clear()

    inquiry_queue.poll()

    assert aws.calls["dynamodb.GetItem"] == 1
    assert aws.calls["dynamodb.UpdateItem"] == 2  # the attempt marker, then the write-back
    assert helpdesk.calls == {"create_ticket": 1}  # no lookup when nothing was attempted before
    assert aws.calls["sqs.SendMessage"] == aws.calls["sqs.ChangeMessageVisibility"] == 0


# --------------------------------------------------------------------------------- nothing to send


@pytest.mark.parametrize(
    "case",
    ["erased", "expired", "restricted", "already_forwarded"],
)
def test_nothing_is_sent_for_an_inquiry_that_must_not_or_need_not_be_forwarded(
    aws: Aws, helpdesk: FakeFreshdesk, inquiry_queue: InquiryQueueSource, clock: FakeClock, case: str
) -> None:
    if case == "erased":
        inquiry_id = "0b7e5d3c-2a1f-4e9d-8c6b-5a4f3e2d1c0b"  # never stored, or deleted by an erasure
    elif case == "expired":
        # past expires_at, not yet deleted by TTL (which lags by days)
        inquiry_id = stored(aws, expires_at=int(clock().timestamp()) - 1)
    elif case == "restricted":
        inquiry_id = stored(aws, restricted=True)
    else:
        from contact_intake.intake.models import InquiryStatus

        inquiry_id = stored(aws, status=InquiryStatus.FORWARDED, helpdesk_ticket_id=77)
    before = aws.find_item(inquiry_id)
    inquiry_queue.send(inquiry_id)

    _, answer = inquiry_queue.poll()

    assert answer == {"batchItemFailures": []}
    assert helpdesk.calls == {}  # not one HTTP call
    assert aws.find_item(inquiry_id) == before
    assert aws.queue_counts() == {"visible": 0, "in_flight": 0, "delayed": 0}


def test_a_duplicate_delivery_creates_no_second_ticket(
    aws: Aws, helpdesk: FakeFreshdesk, inquiry_queue: InquiryQueueSource
) -> None:
    inquiry_id = queued(aws, inquiry_queue)
    inquiry_queue.send(inquiry_id)  # SQS delivers at least once; the sweeper may re-enqueue too

    _, first = inquiry_queue.poll(batch_size=1)
    _, second = inquiry_queue.poll(batch_size=1)

    assert failed_ids(first) == failed_ids(second) == []
    assert len(helpdesk.live_tickets(inquiry_id)) == 1
    assert helpdesk.calls == {"create_ticket": 1}


def test_a_malformed_message_is_dropped_not_retried(
    aws: Aws, helpdesk: FakeFreshdesk, inquiry_queue: InquiryQueueSource
) -> None:
    aws.sqs.send_message(QueueUrl=aws.name("InquiryQueue"), MessageBody='{"id": "not the contract"}')

    _, answer = inquiry_queue.poll()

    assert answer == {"batchItemFailures": []}
    assert helpdesk.calls == {}
    assert aws.queue_counts() == {"visible": 0, "in_flight": 0, "delayed": 0}
    assert aws.queue_counts("InquiryDLQ")["visible"] == 0


def test_the_sample_event_runs_through_the_handler(aws: Aws, inquiry_queue: InquiryQueueSource) -> None:
    # events/forwarder_sqs_batch.json names inquiries this table does not hold: each is skipped
    assert inquiry_queue.invoke(sample_event("forwarder_sqs_batch.json")) == {"batchItemFailures": []}


# ------------------------------------------------------------------------------------------ failures


def test_one_failing_record_of_three_is_the_only_one_reported(
    aws: Aws, helpdesk: FakeFreshdesk, inquiry_queue: InquiryQueueSource
) -> None:
    ids = [stored(aws) for _ in range(3)]
    helpdesk.fail_inquiry(ids[1], "500")
    for inquiry_id in ids:
        inquiry_queue.send(inquiry_id)

    event, answer = inquiry_queue.poll()

    by_inquiry = {json.loads(r["body"])["inquiry_id"]: r["messageId"] for r in event["Records"]}
    assert failed_ids(answer) == [by_inquiry[ids[1]]]
    assert [len(helpdesk.live_tickets(i)) for i in ids] == [1, 0, 1]
    failed = aws.get_item(ids[1])
    assert failed["status"] == {"S": "received"}
    assert "forward_attempted_at" in failed  # a 5xx may have created it: the retry looks first
    assert aws.queue_counts() == {"visible": 0, "in_flight": 1, "delayed": 0}


def test_after_max_receive_count_failures_the_redrive_moves_the_message_to_the_dlq(
    aws: Aws, helpdesk: FakeFreshdesk, inquiry_queue: InquiryQueueSource, clock: FakeClock
) -> None:
    inquiry_id = stored(aws)
    helpdesk.fail_inquiry(inquiry_id, "500")
    inquiry_queue.send(inquiry_id)
    for _ in range(5):  # the template's maxReceiveCount
        _, answer = inquiry_queue.poll()
        assert len(answer["batchItemFailures"]) == 1
        clock.advance(seconds=181)
        inquiry_queue.redeliver_failed()

    assert aws.receive_all() == []  # the sixth receive finds it moved
    (dead,) = aws.receive_all("InquiryDLQ")
    assert json.loads(dead["Body"]) == {"inquiry_id": inquiry_id}
    assert helpdesk.live_tickets() == []
    # each retry after an ambiguous 5xx looked for the ticket before creating again
    assert helpdesk.calls["list_tickets"] == 4


def test_a_429_sends_the_message_back_with_retry_after_and_holds_the_rest_of_the_batch(
    aws: Aws, helpdesk: FakeFreshdesk, inquiry_queue: InquiryQueueSource, forwarder: ForwarderWiring
) -> None:
    ids = [stored(aws), stored(aws)]
    for inquiry_id in ids:
        inquiry_queue.send(inquiry_id)
    helpdesk.fail_next(1, "429")  # Retry-After: 7
    requeued = sqs_calls(forwarder, "SendMessage")

    _, answer = inquiry_queue.poll()

    # Throttling is not a failure: new messages with the delay, the originals deleted, so waiting for the
    # helpdesk never counts towards maxReceiveCount.
    assert answer == {"batchItemFailures": []}
    assert [json.loads(call["MessageBody"])["inquiry_id"] for call in requeued] == ids
    assert [call["DelaySeconds"] for call in requeued] == [7, 7]
    assert aws.queue_counts() == {"visible": 0, "in_flight": 0, "delayed": 2}
    assert helpdesk.calls == {"create_ticket": 1}  # the second waited without calling
    for inquiry_id in ids:
        item = aws.get_item(inquiry_id)
        assert "forward_attempted_at" not in item  # a 429 created nothing: no lookup next time
        assert item["status"] == {"S": "received"}
    assert helpdesk.live_tickets() == []


def test_a_429_falls_back_to_the_visibility_timeout_when_the_requeue_fails(
    aws: Aws, helpdesk: FakeFreshdesk, inquiry_queue: InquiryQueueSource, forwarder: ForwarderWiring
) -> None:
    inquiry_queue.send(stored(aws))
    helpdesk.fail_next(1, "429")
    visibility = sqs_calls(forwarder, "ChangeMessageVisibility")

    def refuse(params: dict[str, Any], **_: Any) -> None:
        raise EndpointConnectionError(endpoint_url="https://sqs.eu-central-1.amazonaws.com")

    forwarder.clients.sqs.meta.events.register("provide-client-params.sqs.SendMessage", refuse)

    event, answer = inquiry_queue.poll()

    assert failed_ids(answer) == [event["Records"][0]["messageId"]]
    assert [call["VisibilityTimeout"] for call in visibility] == [7]
    assert aws.queue_counts() == {"visible": 0, "in_flight": 1, "delayed": 0}


def test_a_permanent_4xx_goes_to_the_dlq_with_its_reason_and_the_original_is_deleted(
    aws: Aws, helpdesk: FakeFreshdesk, inquiry_queue: InquiryQueueSource, capsys: pytest.CaptureFixture[str]
) -> None:
    inquiry_id = stored(aws)
    helpdesk.invalid_emails.add(PERSON["email"])
    inquiry_queue.send(inquiry_id)

    _, answer = inquiry_queue.poll()

    assert answer == {"batchItemFailures": []}
    assert aws.queue_counts() == {"visible": 0, "in_flight": 0, "delayed": 0}
    (dead,) = aws.receive_all("InquiryDLQ")
    assert json.loads(dead["Body"]) == {"inquiry_id": inquiry_id}
    assert dead["MessageAttributes"]["reason"] == {
        "StringValue": "helpdesk_400:email:invalid_value",
        "DataType": "String",
    }
    assert "forward_attempted_at" not in aws.get_item(inquiry_id)  # refused: a redrive need not look
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    dead_lettered = [blob for blob in emf if "DeadLettered" in blob]
    assert [(blob["DeadLettered"], blob["reason"]) for blob in dead_lettered] == [([1.0], "helpdesk_400")]


# ------------------------------------------------------------------------------------- exactly once


def test_a_lost_answer_ends_in_exactly_one_ticket(
    aws: Aws, helpdesk: FakeFreshdesk, inquiry_queue: InquiryQueueSource, clock: FakeClock
) -> None:
    inquiry_id = queued(aws, inquiry_queue)
    helpdesk.fail_next(1, "lost_response")  # Freshdesk creates the ticket; its answer never arrives

    _, first = inquiry_queue.poll()
    assert len(first["batchItemFailures"]) == 1
    assert len(helpdesk.live_tickets(inquiry_id)) == 1

    clock.advance(seconds=181)  # the queue's visibility timeout
    inquiry_queue.redeliver_failed()
    _, second = inquiry_queue.poll()

    assert second == {"batchItemFailures": []}
    (ticket,) = helpdesk.live_tickets(inquiry_id)
    assert helpdesk.calls["create_ticket"] == 1
    assert helpdesk.calls["list_tickets"] == 1
    assert aws.get_item(inquiry_id)["helpdesk_ticket_id"] == {"N": str(ticket.id)}
    assert aws.get_item(inquiry_id)["status"] == {"S": "forwarded"}


def test_a_crash_between_create_and_write_back_ends_in_exactly_one_ticket(stage: Stage) -> None:
    aws, helpdesk, inquiry_queue, forwarder, clock = stage
    inquiry_id = queued(aws, inquiry_queue)
    crashes = [True]

    def crash_once(params: dict[str, Any]) -> None:
        if crashes:
            crashes.pop()
            raise EndpointConnectionError(endpoint_url="https://dynamodb.eu-central-1.amazonaws.com")

    write_backs = before_write_back(forwarder, crash_once)

    _, first = inquiry_queue.poll()
    assert len(first["batchItemFailures"]) == 1
    assert aws.get_item(inquiry_id)["status"] == {"S": "received"}

    clock.advance(seconds=181)
    inquiry_queue.redeliver_failed()
    _, second = inquiry_queue.poll()

    assert second == {"batchItemFailures": []}
    (ticket,) = helpdesk.live_tickets(inquiry_id)
    assert helpdesk.calls["create_ticket"] == 1
    assert len(write_backs) == 2
    assert aws.get_item(inquiry_id)["helpdesk_ticket_id"] == {"N": str(ticket.id)}


def test_a_redelivery_too_soon_after_an_attempt_is_delayed_not_looked_up(stage: Stage) -> None:
    aws, helpdesk, inquiry_queue, forwarder, clock = stage
    # another delivery of the same message sent its create 10 s ago and may still be waiting for it
    inquiry_id = stored(aws, forward_attempted_at=clock.advance(seconds=-10), forward_attempts=1)
    clock.advance(seconds=10)
    inquiry_queue.send(inquiry_id)
    visibility = sqs_calls(forwarder, "ChangeMessageVisibility")

    event, answer = inquiry_queue.poll()

    assert failed_ids(answer) == [event["Records"][0]["messageId"]]
    assert [call["VisibilityTimeout"] for call in visibility] == [50]  # the settle time (60 s) left
    assert helpdesk.calls == {}
    assert aws.queue_counts() == {"visible": 0, "in_flight": 1, "delayed": 0}


def test_of_two_concurrent_deliveries_only_one_creates(stage: Stage) -> None:
    aws, helpdesk, inquiry_queue, forwarder, clock = stage
    inquiry_id = queued(aws, inquiry_queue)

    def other_delivery_marks_first(params: dict[str, Any], **_: Any) -> None:
        if ":one" in params["ExpressionAttributeValues"]:  # this delivery's attempt marker
            aws.dynamodb.update_item(
                TableName=aws.name("InquiriesTable"),
                Key={"inquiry_id": {"S": inquiry_id}},
                UpdateExpression="SET forward_attempted_at = :at",
                ExpressionAttributeValues={":at": {"S": clock().isoformat()}},
            )

    forwarder.clients.dynamodb.meta.events.register(
        "provide-client-params.dynamodb.UpdateItem", other_delivery_marks_first
    )

    visibility = sqs_calls(forwarder, "ChangeMessageVisibility")

    _, answer = inquiry_queue.poll()

    assert len(answer["batchItemFailures"]) == 1  # handed back for the settle time, not created
    assert [call["VisibilityTimeout"] for call in visibility] == [60]
    assert helpdesk.calls == {}


def test_an_erasure_between_create_and_write_back_deletes_the_new_ticket(
    aws: Aws, helpdesk: FakeFreshdesk, inquiry_queue: InquiryQueueSource, forwarder: ForwarderWiring
) -> None:
    inquiry_id = queued(aws, inquiry_queue)

    def erase(params: dict[str, Any]) -> None:
        aws.dynamodb.delete_item(TableName=aws.name("InquiriesTable"), Key={"inquiry_id": {"S": inquiry_id}})

    before_write_back(forwarder, erase)

    _, answer = inquiry_queue.poll()

    assert answer == {"batchItemFailures": []}
    assert aws.find_item(inquiry_id) is None  # the write-back did not bring the item back
    assert helpdesk.live_tickets() == []
    assert [t.deleted for t in helpdesk.tickets.values()] == [True]
    assert helpdesk.calls["delete_ticket"] == 1


def test_a_ticket_of_an_erased_inquiry_that_cannot_be_deleted_is_dead_lettered_for_a_person(
    aws: Aws, helpdesk: FakeFreshdesk, inquiry_queue: InquiryQueueSource, forwarder: ForwarderWiring
) -> None:
    inquiry_id = queued(aws, inquiry_queue)

    def erase_and_break_the_helpdesk(params: dict[str, Any]) -> None:
        aws.dynamodb.delete_item(TableName=aws.name("InquiriesTable"), Key={"inquiry_id": {"S": inquiry_id}})
        helpdesk.fail_next(1, "500")

    before_write_back(forwarder, erase_and_break_the_helpdesk)

    _, answer = inquiry_queue.poll()

    assert answer == {"batchItemFailures": []}
    (ticket,) = helpdesk.live_tickets()
    (dead,) = aws.receive_all("InquiryDLQ")
    assert dead["MessageAttributes"]["reason"]["StringValue"] == f"orphaned_ticket:{ticket.id}"


def test_when_another_delivery_recorded_its_ticket_first_this_one_is_deleted(
    aws: Aws, helpdesk: FakeFreshdesk, inquiry_queue: InquiryQueueSource, forwarder: ForwarderWiring
) -> None:
    inquiry_id = queued(aws, inquiry_queue)

    before_write_back(forwarder, lambda _: written_back_by_another_delivery(aws, inquiry_id, {"N": "9999"}))

    _, answer = inquiry_queue.poll()

    assert answer == {"batchItemFailures": []}
    assert helpdesk.live_tickets() == []
    assert aws.get_item(inquiry_id)["helpdesk_ticket_id"] == {"N": "9999"}


def test_the_same_ticket_written_back_by_another_delivery_is_kept(
    aws: Aws, helpdesk: FakeFreshdesk, inquiry_queue: InquiryQueueSource, forwarder: ForwarderWiring
) -> None:
    inquiry_id = queued(aws, inquiry_queue)

    def same_ticket_recorded(params: dict[str, Any]) -> None:
        written_back_by_another_delivery(aws, inquiry_id, params["ExpressionAttributeValues"][":ticket"])

    before_write_back(forwarder, same_ticket_recorded)

    _, answer = inquiry_queue.poll()

    assert answer == {"batchItemFailures": []}
    assert len(helpdesk.live_tickets(inquiry_id)) == 1
    assert helpdesk.calls.get("delete_ticket", 0) == 0


def test_the_lookup_does_not_trust_the_search_index(
    aws: Aws, helpdesk: FakeFreshdesk, inquiry_queue: InquiryQueueSource, clock: FakeClock
) -> None:
    # The search index lags minutes behind; had the forwarder searched, it would have found nothing 3
    # minutes after a lost answer and created a second ticket.
    helpdesk.search_lag = timedelta(minutes=10)
    inquiry_id = queued(aws, inquiry_queue)
    helpdesk.fail_next(1, "lost_response")
    inquiry_queue.poll()
    clock.advance(seconds=181)
    inquiry_queue.redeliver_failed()

    inquiry_queue.poll()

    assert len(helpdesk.live_tickets(inquiry_id)) == 1
    assert helpdesk.calls.get("search_tickets", 0) == 0


def test_a_binary_or_empty_api_key_secret_is_refused(aws: Aws) -> None:
    from aws_lambda_powertools.utilities import parameters

    from contact_intake.core.secrets import secrets_manager_fetch

    parameters.clear_caches()
    aws.session.client("secretsmanager").create_secret(Name="binary-key", SecretBinary=b"\x00\x01")
    with pytest.raises(ValueError, match="empty or binary"):
        secrets_manager_fetch("binary-key", 0)
    assert secrets_manager_fetch("contact-intake/helpdesk-api-key", 0) == "fd-test-api-key"


# ------------------------------------------------------------------------------------ store methods


def test_an_attempt_is_forgotten_only_by_the_attempt_that_made_it(aws: Aws, clock: FakeClock) -> None:
    from contact_intake.intake.store import InquiryStore

    store = InquiryStore(table_name=aws.name("InquiriesTable"), client=lambda: aws.dynamodb, clock=clock)
    inquiry_id = stored(aws)
    store.mark_attempted(inquiry_id, at=clock(), previous=None)

    assert store.clear_attempt(inquiry_id, at=clock() - timedelta(seconds=1)) is False  # a later attempt's
    assert "forward_attempted_at" in aws.get_item(inquiry_id)
    assert store.clear_attempt(inquiry_id, at=clock()) is True
    assert "forward_attempted_at" not in aws.get_item(inquiry_id)
    assert aws.get_item(inquiry_id)["forward_attempts"] == {"N": "1"}


def test_a_missing_table_is_a_storage_fault_not_a_conflict(aws: Aws, clock: FakeClock) -> None:
    from contact_intake.core.errors import ServiceUnavailable
    from contact_intake.intake.store import InquiryStore

    store = InquiryStore(table_name="no-such-table", client=lambda: aws.dynamodb, clock=clock)
    with pytest.raises(ServiceUnavailable):
        store.mark_forwarded("6f1c2a9e-4b7d-4c1e-9a35-0d2e8f7b6a41", 5, at=clock())
