"""The inquiry queue: a claim check. The message body is ``{"inquiry_id": "..."}`` and nothing else."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from contact_intake.core.dynamo import storage_faults

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient


class EnqueueFailed(Exception):
    """SendMessage failed; the record is stored and the sweeper re-enqueues it."""


def enqueue_faults() -> AbstractContextManager[None]:
    """An SQS call whose fault becomes EnqueueFailed, named by the fault's type (never its message)."""
    return storage_faults(lambda fault: EnqueueFailed(type(fault).__name__))


def claim_check(inquiry_id: str) -> str:
    """The message body for an inquiry (docs/architecture.md §1, a contract): its id only, never personal
    data."""
    return json.dumps({"inquiry_id": inquiry_id}, separators=(",", ":"))


class InquiryQueue:
    def __init__(self, *, queue_url: str, client: Callable[[], SQSClient]) -> None:
        self._url = queue_url
        self._client = client

    def send(self, inquiry_id: str, delay_seconds: int = 0) -> None:
        with enqueue_faults():
            self._client().send_message(
                QueueUrl=self._url, MessageBody=claim_check(inquiry_id), DelaySeconds=delay_seconds
            )

    def change_visibility(self, receipt_handle: str, seconds: int) -> None:
        """Hand a received message back: it is received again after ``seconds`` (0-43200). Raises
        EnqueueFailed (the message then comes back after the queue's own visibility timeout)."""
        with enqueue_faults():
            self._client().change_message_visibility(
                QueueUrl=self._url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
            )


class DeadLetterQueue:
    """The inquiry queue's DLQ, written to directly for a message that can never succeed (a permanent
    helpdesk 4xx). ``reason`` travels as a message attribute: field names and codes, no personal data."""

    def __init__(self, *, queue_url: str, client: Callable[[], SQSClient]) -> None:
        self._url = queue_url
        self._client = client

    def send(self, body: str, *, reason: str) -> None:
        with enqueue_faults():
            self._client().send_message(
                QueueUrl=self._url,
                MessageBody=body,
                MessageAttributes={"reason": {"DataType": "String", "StringValue": reason}},
            )
