"""AccountEventsFunction: the shop's ``shop.accounts`` events (EventBridge) into the accounts mirror.

A thin adapter over AccountMirror. A failure raises, so Lambda's asynchronous retries run again and
then the event goes to AccountEventsDLQ (README "Operating the dead-letter queues"); every step is
idempotent, so a retry finishes what a failed run began.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from contact_intake.account_events import parse_account_event
from contact_intake.config import AccountEventsSettings
from contact_intake.observability import logger, metrics
from contact_intake.wiring import AccountEventsWiring

settings = AccountEventsSettings.from_env()  # a bad configuration fails here, at init, naming the variable
wiring = AccountEventsWiring(settings)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = wiring.mirror.apply(parse_account_event(event))
    return {"applied": result.applied, "erased": result.erased.erased if result.erased else 0}
