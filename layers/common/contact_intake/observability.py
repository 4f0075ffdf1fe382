"""The one place Logger and Metrics are made (configured by POWERTOOLS_* variables).

No Tracer: the X-Ray SDK adds ~300 ms to every cold start (see docs/decisions.md).
Nothing personal is ever logged: ids, hashes, counts and outcomes only.
"""

from __future__ import annotations

import traceback

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

# service and namespace: POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE (template Globals)
logger = Logger(use_rfc3339=True)
metrics = Metrics()

__all__ = ["MetricUnit", "log_unexpected", "logger", "metrics"]


def log_unexpected(exc: BaseException, where: str) -> None:
    """Log an unexpected error by type and code location only.

    The exception's message is left out on purpose: library messages (validation errors, HTTP
    errors) can quote the input, and the input is personal data.
    """
    frames = traceback.format_tb(exc.__traceback__)
    logger.error(
        "unexpected error",
        extra={"where": where, "error_type": type(exc).__name__, "frames": [f.strip() for f in frames[-5:]]},
    )
