"""SweeperFunction, on a schedule: erase what is past ``expires_at``, re-enqueue stuck inquiries.

A thin adapter over Sweeper; the answer is the run's counts (no ids, nothing personal).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from contact_intake.config import SweeperSettings
from contact_intake.observability import logger, metrics
from contact_intake.wiring import SweeperWiring

settings = SweeperSettings.from_env()  # a bad configuration fails here, at init, naming the variable
wiring = SweeperWiring(settings)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return wiring.sweeper.run(time_left_ms=context.get_remaining_time_in_millis).as_dict()
