"""ForwarderFunction: InquiryQueue → the helpdesk. A thin adapter over InquiryMessages.

Each SQS record is one claim check; ``api/sqs.py`` hands it over as a QueuedMessage and reports the
records that raised in ``batchItemFailures`` (the event source has ReportBatchItemFailures), so SQS
redelivers only those.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from contact_intake.api.sqs import MessageBatch
from contact_intake.core.messages import QueuedMessage
from contact_intake.core.observability import logger, metrics
from contact_intake.intake.settings import ForwarderSettings
from contact_intake.intake.wiring import ForwarderWiring

settings = ForwarderSettings.from_env()  # a bad configuration fails here, at init, naming the variable
wiring = ForwarderWiring(settings)


def forward(message: QueuedMessage) -> None:
    wiring.messages.handle(message)


batch = MessageBatch(forward)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return batch.process(event, context)
