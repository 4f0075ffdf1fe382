"""RightsQueue: a claim check, like the inquiry queue. Messages carry a request id and, for the DPO's
follow-up actions, what to do; never personal data. RightsWorkerFunction reads the request when it runs.

Bodies (compact JSON):

- ``{"request_id": "..."}``: carry out the request as its type says (access, erasure, ...);
- ``{"request_id": "...", "action": "lift_restriction"}``: the DPO lifted a restriction (clear the
  ``restricted`` flags of the subject's inquiries);
- ``{"request_id": "...", "action": "erase"}``: an objection was upheld (erase the subject's data).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from contact_intake.core.errors import MalformedMessage
from contact_intake.intake.queue import EnqueueFailed, enqueue_faults
from contact_intake.rights.models import QueueAction

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient

__all__ = [
    "EnqueueFailed",
    "MalformedMessage",
    "RightsMessage",
    "RightsQueue",
    "message_body",
    "parse_message",
]


@dataclass(frozen=True)
class RightsMessage:
    request_id: str
    action: QueueAction = QueueAction.EXECUTE


def message_body(request_id: str, action: QueueAction = QueueAction.EXECUTE) -> str:
    """The body for ``request_id``: the bare claim check for EXECUTE, else with ``action``."""
    body: dict[str, str] = {"request_id": request_id}
    if action is not QueueAction.EXECUTE:
        body["action"] = str(action)
    return json.dumps(body, separators=(",", ":"))


def parse_message(body: str) -> RightsMessage:
    """The message of a body; raises MalformedMessage for anything else (unknown keys included): the
    worker drops it to the DLQ."""
    try:
        data = json.loads(body)
    except ValueError:
        raise MalformedMessage("not JSON") from None
    if not isinstance(data, dict) or not set(data) <= {"request_id", "action"}:
        raise MalformedMessage("not a rights message")
    request_id = data.get("request_id")
    if not isinstance(request_id, str) or not request_id:
        raise MalformedMessage("no request_id")
    action = data.get("action", QueueAction.EXECUTE)
    try:
        return RightsMessage(request_id=request_id, action=QueueAction(action))
    except ValueError:
        raise MalformedMessage("unknown action") from None


class RightsQueue:
    def __init__(self, *, queue_url: str, client: Callable[[], SQSClient]) -> None:
        self._url = queue_url
        self._client = client

    def send(self, request_id: str, action: QueueAction = QueueAction.EXECUTE) -> None:
        """Queue work for the worker; raises EnqueueFailed."""
        with enqueue_faults():
            self._client().send_message(QueueUrl=self._url, MessageBody=message_body(request_id, action))
