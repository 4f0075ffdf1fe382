"""RightsQueue messages are claim checks: a request id and, for the DPO's follow-ups, an action; no more."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from contact_intake.intake.queue import EnqueueFailed
from contact_intake.rights.models import QueueAction
from contact_intake.rights.queue import (
    MalformedMessage,
    RightsMessage,
    RightsQueue,
    message_body,
    parse_message,
)

REQUEST_ID = "0f8e0c55-0d4e-4a7b-9c43-2d5b0b3f4e11"


def test_the_plain_claim_check_is_the_request_id_only() -> None:
    assert message_body(REQUEST_ID) == '{"request_id":"0f8e0c55-0d4e-4a7b-9c43-2d5b0b3f4e11"}'


@pytest.mark.parametrize("action", [QueueAction.LIFT_RESTRICTION, QueueAction.ERASE])
def test_follow_ups_name_their_action(action: QueueAction) -> None:
    body = message_body(REQUEST_ID, action)
    assert json.loads(body) == {"request_id": REQUEST_ID, "action": str(action)}
    assert parse_message(body) == RightsMessage(REQUEST_ID, action)


def test_a_plain_claim_check_means_execute() -> None:
    assert parse_message(message_body(REQUEST_ID)) == RightsMessage(REQUEST_ID, QueueAction.EXECUTE)


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        '{"inquiry_id": "x"}',
        '{"request_id": ""}',
        '{"request_id": 5}',
        '{"request_id": "x", "action": "delete_everything"}',
        '{"request_id": "x", "email": "someone@example.org"}',
    ],
)
def test_anything_else_is_malformed(body: str) -> None:
    with pytest.raises(MalformedMessage):
        parse_message(body)


def test_a_refused_send_is_enqueue_failed() -> None:
    sqs = boto3.client("sqs", region_name="eu-central-1", aws_access_key_id="x", aws_secret_access_key="x")
    url = "https://sqs.eu-central-1.amazonaws.com/123456789012/rights"
    with Stubber(sqs) as stub:
        stub.add_response(
            "send_message",
            {"MessageId": "1", "MD5OfMessageBody": "x"},
            {"QueueUrl": url, "MessageBody": message_body(REQUEST_ID, QueueAction.ERASE)},
        )
        stub.add_client_error("send_message", service_error_code="AccessDenied", http_status_code=403)
        queue = RightsQueue(queue_url=url, client=lambda: sqs)
        queue.send(REQUEST_ID, QueueAction.ERASE)
        with pytest.raises(EnqueueFailed, match=r"^ClientError$") as raised:  # the fault's type, no text
            queue.send(REQUEST_ID)
    assert raised.value.__cause__ is not None
