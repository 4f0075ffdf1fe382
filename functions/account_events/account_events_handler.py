"""AccountEventsFunction: the shop's ``shop.accounts`` events (EventBridge) into the accounts mirror.

A thin adapter over AccountMirror. A failure raises, so Lambda's asynchronous retries run again and
then the event goes to AccountEventsDLQ (docs/operations.md "Operating the dead-letter queues"); every step is
idempotent, so a retry finishes what a failed run began.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from contact_intake.api.eventbridge import parse_account_event
from contact_intake.core.observability import log_masked, logger, metrics
from contact_intake.retention.account_events import InvalidAccountEvent
from contact_intake.retention.settings import AccountEventsSettings
from contact_intake.retention.wiring import AccountEventsWiring

settings = AccountEventsSettings.from_env()  # a bad configuration fails here, at init, naming the variable
wiring = AccountEventsWiring(settings)
# every value of an event's detail (e-mail, customer number, whatever else the shop adds) is personal
PERSONAL_FIELDS = ["$.detail.*"]


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        account_event = parse_account_event(event)
    except InvalidAccountEvent:
        # the operator sees which event (id, source, detail-type, time, the detail's keys), never its values
        log_masked("account event refused", event, PERSONAL_FIELDS)
        raise
    result = wiring.mirror.apply(account_event)
    return {"applied": result.applied, "erased": result.erased.erased if result.erased else 0}
