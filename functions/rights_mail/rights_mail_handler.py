"""RightsMailFunction: a mail to the privacy address, as SES's receipt rule delivers it (Lambda action,
InvocationType Event, after the S3 action stored the raw message).

A thin adapter over RightsMailIntake. A failure raises: Lambda retries the asynchronous invocation twice,
then the event goes to RightsMailDLQ (the raw mail stays in the bucket meanwhile), so no request is lost.
The answer (ignored by SES for Event invocations) is the outcome per mail: ids and names only.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from contact_intake.api.ses_event import parse_ses_event
from contact_intake.core.observability import logger, metrics
from contact_intake.rights.mail_wiring import RightsMailWiring
from contact_intake.rights.settings import RightsMailSettings

settings = RightsMailSettings.from_env()  # a bad configuration fails here, at init, naming the variable
wiring = RightsMailWiring(settings)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcomes = [wiring.mail_intake.receive(notification) for notification in parse_ses_event(event)]
    return {"mails": [outcome.as_dict() for outcome in outcomes]}
