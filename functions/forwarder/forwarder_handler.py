"""ForwarderFunction: InquiryQueue → the helpdesk. A thin adapter over InquiryMessages.

Each SQS record is one claim check; ``api/sqs.py`` hands it over as a QueuedMessage and reports the
records that raised in ``batchItemFailures`` (the event source has ReportBatchItemFailures), so SQS
redelivers only those.
"""

from __future__ import annotations

from contact_intake.api.sqs import MessageBatch
from contact_intake.intake.settings import ForwarderSettings
from contact_intake.intake.wiring import ForwarderWiring

settings = ForwarderSettings.from_env()  # a bad configuration fails here, at init, naming the variable
wiring = ForwarderWiring(settings)

# ``wiring`` looked up at each message, not bound here: its parts are built on first use, tests replace it
batch = MessageBatch(lambda message: wiring.messages.handle(message))  # noqa: PLW0108
lambda_handler = batch.lambda_handler
