"""The inquiry queue: a claim check. The message body is ``{"inquiry_id": "..."}`` and nothing else."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient


class EnqueueFailed(Exception):
    """SendMessage failed; the record is stored and the sweeper re-enqueues it."""


def claim_check(inquiry_id: str) -> str:
    """The message body for an inquiry (DESIGN §1, a contract): its id only, never personal data."""
    return json.dumps({"inquiry_id": inquiry_id}, separators=(",", ":"))


class InquiryQueue:
    def __init__(self, *, queue_url: str, client: Callable[[], SQSClient]) -> None:
        self._url = queue_url
        self._client = client

    def send(self, inquiry_id: str, delay_seconds: int = 0) -> None:
        try:
            self._client().send_message(
                QueueUrl=self._url, MessageBody=claim_check(inquiry_id), DelaySeconds=delay_seconds
            )
        except (ClientError, BotoCoreError) as exc:
            raise EnqueueFailed(type(exc).__name__) from exc
