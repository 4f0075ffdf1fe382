"""contact_intake.core.dynamo: a conditional write and a paged Query, with storage faults mapped to 503."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from contact_intake.core.dynamo import query_items, write_if
from contact_intake.core.errors import ServiceUnavailable


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "..."}}, "PutItem")


def raises(exc: Exception) -> Any:
    def write() -> None:
        raise exc

    return write


def test_a_write_that_takes_effect_is_true() -> None:
    written: list[int] = []
    assert write_if(lambda: written.append(1)) is True
    assert written == [1]


def test_a_refused_condition_is_false_not_an_error() -> None:
    assert write_if(raises(client_error("ConditionalCheckFailedException"))) is False


@pytest.mark.parametrize(
    "fault",
    [client_error("ProvisionedThroughputExceededException"), EndpointConnectionError(endpoint_url="x")],
)
def test_any_other_storage_fault_is_service_unavailable(fault: Exception) -> None:
    with pytest.raises(ServiceUnavailable):
        write_if(raises(fault))


def test_a_query_is_read_page_after_page_from_where_the_last_one_ended() -> None:
    pages = {
        None: {"Items": [{"n": 1}, {"n": 2}], "LastEvaluatedKey": {"k": "2"}},
        "2": {"Items": [{"n": 3}]},
    }
    asked: list[dict[str, Any]] = []

    def query(**arguments: Any) -> dict[str, Any]:
        asked.append(arguments)
        return pages[arguments.get("ExclusiveStartKey", {}).get("k")]

    assert [item["n"] for item in query_items(query, {"TableName": "t"})] == [1, 2, 3]
    assert asked == [{"TableName": "t"}, {"TableName": "t", "ExclusiveStartKey": {"k": "2"}}]


def test_a_fault_on_a_later_page_is_service_unavailable() -> None:
    def query(**arguments: Any) -> dict[str, Any]:
        if "ExclusiveStartKey" in arguments:
            raise client_error("InternalServerError")
        return {"Items": [{"n": 1}], "LastEvaluatedKey": {"k": "1"}}

    items = query_items(query, {"TableName": "t"})
    assert next(items) == {"n": 1}
    with pytest.raises(ServiceUnavailable):
        next(items)
