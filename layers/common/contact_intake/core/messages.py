"""A queue message as the domain sees it, and the way its handling asks for another delivery. (A body
that is not one of ours raises ``core.errors.MalformedMessage``.)

The inquiry queue and the rights queue are claim checks (docs/architecture.md §1): a message carries an
id, never personal data. ``api/sqs.py`` turns SQS's records into ``QueuedMessage`` and reports the ones
whose handling raised ``MessageRetry`` (or anything else) back to SQS; the domain never sees a record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from contact_intake.core.observability import MetricUnit, logger, metrics


@dataclass(frozen=True)
class QueuedMessage:
    """One message of a queue, as the handler received it."""

    message_id: str
    body: str
    receipt_handle: str
    receive_count: int = 1


class MessageRetry(Exception):
    """This message failed this time: report it in batchItemFailures so SQS delivers it again."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Retry:
    """How a queue's handler asks for another delivery: ``retry(reason, log)`` counts ``metric``, logs
    ``message`` with ``log`` and the reason (ids and codes only), and raises MessageRetry."""

    metric: str
    message: str

    def __call__(self, reason: str, log: Mapping[str, Any]) -> NoReturn:
        metrics.add_metric(name=self.metric, unit=MetricUnit.Count, value=1)
        logger.warning(self.message, extra={**log, "reason": reason})
        raise MessageRetry(reason)
