"""The storage shapes every store repeats, in one place (docs/decisions.md D108-D110).

- ``storage_faults``: an AWS call whose fault becomes ``ServiceUnavailable`` (a 503 at the HTTP boundary, a
  retry in a queue), or another error the caller names (the queues' ``EnqueueFailed``);
- ``conditional``, ``write_if``, ``put_if_absent``: a conditional write, its refusal told apart from a fault;
- ``query_items``: every item of a paged Query or Scan;
- ``iso``: the stored form of a moment; ``text`` and ``moment``: an optional attribute read back;
- ``TableStore``: the base of a store over one table (its name, the client, the clock).

So a store states only what it writes or reads, and which refusal means what to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from botocore.exceptions import BotoCoreError, ClientError

from contact_intake.core.errors import ServiceUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

T = TypeVar("T")


def iso(moment: datetime) -> str:
    """The stored form of a moment: UTC, milliseconds, ``Z``. Fixed width, so stored moments sort as text
    (index keys and range conditions rely on it): a contract of every table that stores one."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def text(item: Mapping[str, Any], name: str) -> str | None:
    """An optional string attribute of an item (as the low-level client returns it): None when absent."""
    value = item.get(name)
    return str(value["S"]) if value else None


def moment(item: Mapping[str, Any], name: str) -> datetime | None:
    """An optional moment (stored by ``iso``): None when absent."""
    value = text(item, name)
    return datetime.fromisoformat(value) if value else None


class TableStore:
    """A store over one DynamoDB table: the table's name, the client (made on first use, ``client()``) and
    the clock that dates what it writes and decides what has expired."""

    def __init__(
        self,
        *,
        table_name: str,
        client: Callable[[], DynamoDBClient],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._table = table_name
        self._client = client
        self._clock = clock


def _unavailable(_: Exception) -> Exception:
    return ServiceUnavailable()


@contextmanager
def storage_faults(as_error: Callable[[Exception], Exception] = _unavailable) -> Iterator[None]:
    """Run an AWS call: a ClientError or BotoCoreError inside becomes ``as_error(fault)`` (default
    ServiceUnavailable), raised from the fault. Any other exception passes through unchanged."""
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise as_error(exc) from exc


def is_condition_failure(exc: ClientError) -> bool:
    """True when a conditional write was refused because its condition did not hold."""
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class ConditionRefused(Exception):
    """A conditional write did not take effect because its condition did not hold.

    ``item`` is the item as stored, when the write asked for it (``ReturnValuesOnConditionCheckFailure`` =
    ``ALL_OLD``) and there was one; else None.
    """

    def __init__(self, item: dict[str, Any] | None) -> None:
        super().__init__("the write's condition did not hold")
        self.item = item


def conditional(write: Callable[[], T]) -> T:
    """Run one conditional write and return its answer.

    Raises ConditionRefused (with the stored item, if asked for) when its condition did not hold,
    ServiceUnavailable on any other storage fault.
    """
    try:
        return write()
    except ClientError as exc:
        if is_condition_failure(exc):
            raise ConditionRefused(cast("dict[str, Any] | None", exc.response.get("Item"))) from exc
        raise ServiceUnavailable() from exc
    except BotoCoreError as exc:
        raise ServiceUnavailable() from exc


def write_if(write: Callable[[], object]) -> bool:
    """Run one conditional write: True when it took effect, False when its condition did not hold.

    Raises ServiceUnavailable on any other storage fault.
    """
    try:
        conditional(write)
    except ConditionRefused:
        return False
    return True


def put_if_absent(
    client: Callable[[], Any],
    *,
    table: str,
    item: Mapping[str, Any],
    key: str,
    return_stored: bool = False,
) -> None:
    """PutItem ``item`` into ``table`` unless an item with its key is stored (``attribute_not_exists`` of
    the key attribute ``key``). ``client`` is the store's DynamoDB client factory.

    Raises ConditionRefused when one is stored, carrying that item when ``return_stored``;
    ServiceUnavailable on any other storage fault.
    """
    arguments: dict[str, Any] = {
        "TableName": table,
        "Item": item,
        "ConditionExpression": f"attribute_not_exists({key})",
    }
    if return_stored:
        arguments["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    conditional(lambda: client().put_item(**arguments))


def query_items(
    client: Callable[[], Any], arguments: Mapping[str, Any], *, operation: str = "query"
) -> Iterator[dict[str, Any]]:
    """Every item a Query (or, with ``operation="scan"``, a Scan) returns, page after page. ``client`` is
    the store's DynamoDB client factory.

    Raises ServiceUnavailable on a storage fault, at the page where it happens.
    """
    start: dict[str, Any] | None = None
    while True:
        page_arguments = {**arguments, "ExclusiveStartKey": start} if start else dict(arguments)
        with storage_faults():
            page = getattr(client(), operation)(**page_arguments)
        yield from page.get("Items", [])
        start = cast("dict[str, Any] | None", page.get("LastEvaluatedKey"))
        if not start:
            return
