"""The SQS boundary (contact_intake.api.sqs): records in as QueuedMessages, the failed ones out."""

from __future__ import annotations

from contact_intake.api.sqs import MessageBatch
from contact_intake.core.messages import MessageRetry, QueuedMessage
from tests.builders import sample_event


def test_each_record_reaches_the_domain_as_a_queued_message_and_the_failed_ones_are_listed() -> None:
    event = sample_event("forwarder_sqs_batch.json")
    first, second, third = event["Records"]
    seen: list[QueuedMessage] = []

    def handle(message: QueuedMessage) -> None:
        seen.append(message)
        if message.message_id == second["messageId"]:
            raise MessageRetry("helpdesk: 503")
        if message.message_id == third["messageId"]:
            raise RuntimeError("unexpected")

    answer = MessageBatch(handle).process(event, None)

    assert answer == {
        "batchItemFailures": [{"itemIdentifier": second["messageId"]}, {"itemIdentifier": third["messageId"]}]
    }
    assert seen[2] == QueuedMessage(
        message_id=third["messageId"],
        body=third["body"],
        receipt_handle=third["receiptHandle"],
        receive_count=3,
    )
    assert [m.message_id for m in seen] == [first["messageId"], second["messageId"], third["messageId"]]


def test_a_batch_in_which_every_record_failed_is_answered_not_raised() -> None:
    event = sample_event("forwarder_sqs_batch.json")

    def fail(message: QueuedMessage) -> None:
        raise MessageRetry("helpdesk down")

    answer = MessageBatch(fail).process(event, None)

    assert [f["itemIdentifier"] for f in answer["batchItemFailures"]] == [
        r["messageId"] for r in event["Records"]
    ]
