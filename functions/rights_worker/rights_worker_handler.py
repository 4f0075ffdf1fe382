"""RightsWorkerFunction: RightsQueue → the rights engine. A thin adapter over RightsWork.

Each SQS record is a claim check (``{"request_id"}``, or with the DPO's ``action``); ``api/sqs.py`` hands it
over as a QueuedMessage and reports the records that raised in ``batchItemFailures`` (the event source has
ReportBatchItemFailures), so SQS delivers only those again, and RightsDLQ takes them after the queue's
redrive policy.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from contact_intake.api.sqs import MessageBatch
from contact_intake.core.messages import QueuedMessage
from contact_intake.core.observability import logger, metrics
from contact_intake.rights.settings import RightsWorkerSettings
from contact_intake.rights.worker_wiring import RightsWorkerWiring

settings = RightsWorkerSettings.from_env()  # a bad configuration fails here, at init, naming the variable
wiring = RightsWorkerWiring(settings)


def work(message: QueuedMessage) -> None:
    wiring.work.handle(message)


batch = MessageBatch(work)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return batch.process(event, context)
