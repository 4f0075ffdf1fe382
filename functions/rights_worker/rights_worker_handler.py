"""RightsWorkerFunction: RightsQueue → the rights engine. A thin adapter over RightsWork.

Each SQS record is a claim check (``{"request_id"}``, or with the DPO's ``action``); Powertools'
BatchProcessor reports the records that raised in ``batchItemFailures`` (the event source has
ReportBatchItemFailures), so SQS delivers only those again, and RightsDLQ takes them after the queue's
redrive policy.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from contact_intake.core.observability import logger, metrics
from contact_intake.intake.forwarder import QueuedMessage
from contact_intake.rights.settings import RightsWorkerSettings
from contact_intake.rights.worker_wiring import RightsWorkerWiring

settings = RightsWorkerSettings.from_env()  # a bad configuration fails here, at init, naming the variable
wiring = RightsWorkerWiring(settings)

# A batch in which every record failed (the helpdesk is down) is answered with every record listed, not
# raised: Lambda's Errors metric then means "the function broke", and the failures show as retried.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def work_record(record: SQSRecord) -> None:
    wiring.work.handle(
        QueuedMessage(
            message_id=record.message_id,
            body=record.body,
            receipt_handle=record.receipt_handle,
            receive_count=int(record.attributes.approximate_receive_count),
        )
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=work_record, processor=processor, context=context
        )
    )
