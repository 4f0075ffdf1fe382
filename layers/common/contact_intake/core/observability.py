"""The one place Logger and Metrics are made (configured by POWERTOOLS_* variables).

No Tracer: the X-Ray SDK adds ~300 ms to every cold start (see docs/decisions.md).
Nothing personal is ever logged: ids, hashes, counts and outcomes only.
"""

from __future__ import annotations

import traceback
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

# service and namespace: POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE (template Globals)
logger = Logger(use_rfc3339=True)
metrics = Metrics()

__all__ = ["MetricUnit", "count_by", "log_masked", "log_unexpected", "logger", "metrics"]


def count_by(name: str, dimension: str, value: str) -> None:
    """Count one ``name`` with one more dimension, ``dimension`` = ``value`` (a reason, a right: never
    personal data), flushed at once as its own EMF record, so the function's other metrics keep theirs."""
    with single_metric(
        name=name,
        unit=MetricUnit.Count,
        value=1,
        namespace=metrics.namespace,
        default_dimensions=metrics.default_dimensions,
    ) as metric:
        metric.add_dimension(name=dimension, value=value)


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


def log_masked(message: str, record: Mapping[str, Any], personal: Sequence[str]) -> None:
    """Log a whole record an operator needs to see (an event that could not be read, say) with the values
    at the JSONPath expressions ``personal`` erased by Powertools data masking: its shape, ids and
    envelope stay readable, no personal value does. A path the record lacks is skipped. ``personal`` must
    name every place personal data can stand in the record (a wildcard erases a whole subtree).
    """
    # imported here: ~100 ms that only this rare path pays, never a cold start
    from aws_lambda_powertools.utilities.data_masking import DataMasking

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "field not found": a malformed record lacks some
        masked = DataMasking(raise_on_missing_field=False).erase(dict(record), fields=list(personal))
    logger.warning(message, extra={"record": masked})
