"""Two DynamoDB shapes every store repeats, in one place: a conditional write, and a paged Query.

Both map storage faults to ``ServiceUnavailable`` (a 503 at the HTTP boundary, a retry in a queue), so a
store states only what it writes or reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, cast

from botocore.exceptions import BotoCoreError, ClientError

from contact_intake.core.errors import ServiceUnavailable


def is_condition_failure(exc: ClientError) -> bool:
    """True when a conditional write was refused because its condition did not hold."""
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def write_if(write: Callable[[], object]) -> bool:
    """Run one conditional write: True when it took effect, False when its condition did not hold.

    Raises ServiceUnavailable on any other storage fault.
    """
    try:
        write()
    except ClientError as exc:
        if is_condition_failure(exc):
            return False
        raise ServiceUnavailable() from exc
    except BotoCoreError as exc:
        raise ServiceUnavailable() from exc
    return True


def query_items(query: Callable[..., Any], arguments: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item a Query returns, page after page (``query`` is the client's ``query``).

    Raises ServiceUnavailable on a storage fault, at the page where it happens.
    """
    start: dict[str, Any] | None = None
    while True:
        page_arguments = {**arguments, "ExclusiveStartKey": start} if start else arguments
        try:
            page = query(**page_arguments)
        except (ClientError, BotoCoreError) as exc:
            raise ServiceUnavailable() from exc
        yield from page.get("Items", [])
        start = cast("dict[str, Any] | None", page.get("LastEvaluatedKey"))
        if not start:
            return
