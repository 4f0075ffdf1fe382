"""SweeperFunction, on a schedule: erase what is past ``expires_at``, re-enqueue stuck inquiries, and mark
rights requests whose link ran out unconfirmed ``expired`` (contact_intake.rights.expiry).

A thin adapter over Sweeper; the answer is the run's counts (no ids, nothing personal).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from contact_intake.core.errors import ContactIntakeError
from contact_intake.core.observability import logger, metrics
from contact_intake.retention.settings import SweeperSettings
from contact_intake.retention.wiring import SweeperWiring
from contact_intake.rights.expiry import expire_unverified
from contact_intake.rights.store import RightsRequestStore

settings = SweeperSettings.from_env()  # a bad configuration fails here, at init, naming the variable
wiring = SweeperWiring(settings)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    expired = _expire_unverified_rights_requests()
    report = wiring.sweeper.run(time_left_ms=context.get_remaining_time_in_millis).as_dict()
    if expired is not None:
        report["rights_requests_expired"] = expired
    return report


def _expire_unverified_rights_requests() -> int | None:
    """The expiry pass first (a few keyed writes): its failure is logged and left for the next run, so the
    erasures still happen; reads show such requests as expired meanwhile. The store is built here, not in
    the sweeper's wiring: that one is retention's, which knows no rights request (docs/architecture.md)."""
    table = settings.rights_requests_table
    if not table:
        return None
    store = RightsRequestStore(table_name=table, client=lambda: wiring.clients.dynamodb, clock=wiring.clock)
    try:
        return expire_unverified(store, wiring.clock())
    except ContactIntakeError as error:
        logger.error("rights request expiry failed", extra={"error": type(error).__name__})
        return None
