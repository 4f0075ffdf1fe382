"""RightsWorkerFunction: RightsQueue → the rights engine. A thin adapter over RightsWork.

Each SQS record is a claim check (``{"request_id"}``, or with the DPO's ``action``); ``api/sqs.py`` hands it
over as a QueuedMessage and reports the records that raised in ``batchItemFailures`` (the event source has
ReportBatchItemFailures), so SQS delivers only those again, and RightsDLQ takes them after the queue's
redrive policy.
"""

from __future__ import annotations

from contact_intake.api.sqs import MessageBatch
from contact_intake.rights.settings import RightsWorkerSettings
from contact_intake.rights.worker_wiring import RightsWorkerWiring

settings = RightsWorkerSettings.from_env()  # a bad configuration fails here, at init, naming the variable
wiring = RightsWorkerWiring(settings)

# ``wiring`` looked up at each message, not bound here: its parts are built on first use, tests replace it
batch = MessageBatch(lambda message: wiring.work.handle(message))  # noqa: PLW0108
lambda_handler = batch.lambda_handler
