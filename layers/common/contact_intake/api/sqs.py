"""SQS's event shape: a batch of records in, the records to deliver again out.

Each record becomes the domain's ``QueuedMessage`` (``core/messages.py``); Powertools' BatchProcessor
reports the records whose handling raised in ``batchItemFailures`` (the event sources have
ReportBatchItemFailures), so SQS delivers only those again, and the queue's redrive policy moves them to
its DLQ in the end. ``MessageBatch(handle).lambda_handler`` is an SQS-fed function's whole handler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from contact_intake.core.messages import QueuedMessage
from contact_intake.core.observability import logger, metrics


def queued_message(record: SQSRecord) -> QueuedMessage:
    """The record as the domain reads it: its id, body, receipt handle and how often it was received."""
    return QueuedMessage(
        message_id=record.message_id,
        body=record.body,
        receipt_handle=record.receipt_handle,
        receive_count=int(record.attributes.approximate_receive_count),
    )


class MessageBatch:
    """One SQS batch through ``handle``, one message at a time; answers with the failed ones."""

    def __init__(self, handle: Callable[[QueuedMessage], object]) -> None:
        self._handle = handle
        # A batch in which every record failed (the helpdesk is down) is answered with every record listed,
        # not raised: Lambda's Errors metric then means "the function broke", and the failures show as
        # retried.
        self._processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
        # the function's handler: ``process`` with the Lambda context in every log line, the metrics flushed
        with_context = logger.inject_lambda_context(clear_state=True)
        self.lambda_handler = with_context(metrics.log_metrics(self.process))

    def _record(self, record: SQSRecord) -> None:
        self._handle(queued_message(record))

    def process(self, event: dict[str, Any], context: LambdaContext | None) -> dict[str, Any]:
        """``{"batchItemFailures": [{"itemIdentifier": <message id>}, ...]}``."""
        return dict(
            process_partial_response(
                event=event, record_handler=self._record, processor=self._processor, context=context
            )
        )
