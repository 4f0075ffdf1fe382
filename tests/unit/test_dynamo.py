"""contact_intake.core.dynamo: the store shapes in one home. The stored form of a moment; storage faults
mapped to 503 (or the caller's error); a conditional write, its refusal told apart from a fault and carrying
the stored item; put-if-absent; a paged Query or Scan.

Real behaviour runs against moto, on the template's ErasureLedgerTable (built from template.yaml, once for
the module); the faults moto cannot produce come from botocore's Stubber."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.stub import Stubber

from contact_intake.core.dynamo import (
    ConditionRefused,
    conditional,
    iso,
    put_if_absent,
    query_items,
    storage_faults,
    write_if,
)
from contact_intake.core.errors import ServiceUnavailable
from devstack.resources import create_resources
from devstack.settings import local_parameter_values
from tests.aws_support import REGION, ROOT, moto_session

SUBJECT = "k" * 64  # a subject key: an HMAC, nothing personal


def client_error(code: str, operation: str = "PutItem") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "..."}}, operation)


def raises(exc: Exception) -> Any:
    def write() -> None:
        raise exc

    return write


OTHER_FAULTS = [
    client_error("ProvisionedThroughputExceededException"),
    client_error("ValidationException"),
    EndpointConnectionError(endpoint_url="x"),
]


# ------------------------------------------------------------------ the stored form of a moment


def test_a_stored_moment_is_utc_with_milliseconds_and_z() -> None:
    assert iso(datetime(2026, 1, 2, 3, 4, 5, 678_901, tzinfo=UTC)) == "2026-01-02T03:04:05.678Z"


def test_a_moment_in_another_zone_is_stored_as_the_same_instant_in_utc() -> None:
    berlin = timezone(timedelta(hours=1))
    assert iso(datetime(2026, 1, 2, 4, 4, 5, tzinfo=berlin)) == "2026-01-02T03:04:05.000Z"


def test_stored_moments_have_one_width_so_they_sort_as_text_sorts_them() -> None:
    moments = [
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        datetime(2026, 1, 2, 3, 4, 5, 1_000, tzinfo=UTC),
        datetime(2026, 1, 2, 3, 4, 5, 999_999, tzinfo=UTC),
        datetime(2026, 1, 2, 3, 4, 6, tzinfo=UTC),
    ]
    stored = [iso(moment) for moment in moments]
    assert {len(text) for text in stored} == {24}
    assert sorted(stored) == stored
    assert datetime.fromisoformat(stored[1]) == moments[1]  # what the stores read back


# ------------------------------------------------------------------ storage faults


@pytest.mark.parametrize("fault", OTHER_FAULTS)
def test_a_storage_fault_becomes_service_unavailable_raised_from_it(fault: Exception) -> None:
    with pytest.raises(ServiceUnavailable) as raised, storage_faults():
        raise fault
    assert raised.value.__cause__ is fault
    assert raised.value.message == ServiceUnavailable.default_message  # public: no library text


def test_a_storage_fault_can_become_the_callers_error() -> None:
    class Failed(Exception):
        pass

    with (
        pytest.raises(Failed, match=r"^EndpointConnectionError$"),
        storage_faults(lambda fault: Failed(type(fault).__name__)),
    ):
        raise EndpointConnectionError(endpoint_url="x")


def test_other_exceptions_pass_storage_faults_unchanged() -> None:
    with pytest.raises(KeyError), storage_faults():
        raise KeyError("x")


# ------------------------------------------------------------------ conditional writes (no AWS)


def test_a_write_that_takes_effect_is_true() -> None:
    written: list[int] = []
    assert write_if(lambda: written.append(1)) is True
    assert written == [1]


def test_a_refused_condition_is_false_not_an_error() -> None:
    assert write_if(raises(client_error("ConditionalCheckFailedException"))) is False


@pytest.mark.parametrize("fault", OTHER_FAULTS)
def test_any_other_storage_fault_is_service_unavailable(fault: Exception) -> None:
    with pytest.raises(ServiceUnavailable):
        write_if(raises(fault))
    with pytest.raises(ServiceUnavailable):
        conditional(raises(fault))


def test_a_conditional_write_returns_its_answer() -> None:
    assert conditional(lambda: {"Attributes": {"n": {"N": "1"}}}) == {"Attributes": {"n": {"N": "1"}}}


def test_a_refusal_carries_the_stored_item_when_the_answer_has_it() -> None:
    stored = {"inquiry_id": {"S": "i-1"}}
    refusal = ClientError(
        {"Error": {"Code": "ConditionalCheckFailedException", "Message": "..."}, "Item": stored}, "UpdateItem"
    )
    with pytest.raises(ConditionRefused) as raised:
        conditional(raises(refusal))
    assert raised.value.item == stored
    assert raised.value.__cause__ is refusal


# ------------------------------------------------------------------ against the template's table (moto)


@pytest.fixture(scope="module")
def ledger_table() -> Iterator[tuple[Any, str]]:
    """(a DynamoDB client, the ErasureLedgerTable's name): subject_key + inquiry_id, as template.yaml says."""
    with pytest.MonkeyPatch.context() as patch, moto_session(patch) as session:
        resources = create_resources(session, ROOT / "template.yaml", local_parameter_values(3000))
        yield session.client("dynamodb"), str(resources.resources["ErasureLedgerTable"])


@pytest.fixture
def table(ledger_table: tuple[Any, str]) -> Iterator[tuple[Any, str]]:
    """The module's table, emptied after each test."""
    yield ledger_table
    client, name = ledger_table
    for item in client.scan(TableName=name)["Items"]:
        client.delete_item(
            TableName=name, Key={"subject_key": item["subject_key"], "inquiry_id": item["inquiry_id"]}
        )


def entry(inquiry_id: str, reason: str = "request") -> dict[str, Any]:
    return {"subject_key": {"S": SUBJECT}, "inquiry_id": {"S": inquiry_id}, "reason": {"S": reason}}


def test_put_if_absent_writes_a_new_item(table: tuple[Any, str]) -> None:
    client, name = table
    put_if_absent(lambda: client, table=name, item=entry("i-1"), key="inquiry_id")
    key = {"subject_key": {"S": SUBJECT}, "inquiry_id": {"S": "i-1"}}
    assert client.get_item(TableName=name, Key=key)["Item"] == entry("i-1")


def test_put_if_absent_refuses_a_taken_key_and_keeps_the_stored_item(table: tuple[Any, str]) -> None:
    client, name = table
    put_if_absent(lambda: client, table=name, item=entry("i-1", "first"), key="inquiry_id")
    with pytest.raises(ConditionRefused) as raised:
        put_if_absent(lambda: client, table=name, item=entry("i-1", "second"), key="inquiry_id")
    assert raised.value.item is None  # not asked for
    key = {"subject_key": {"S": SUBJECT}, "inquiry_id": {"S": "i-1"}}
    assert client.get_item(TableName=name, Key=key)["Item"]["reason"] == {"S": "first"}


def test_put_if_absent_hands_back_the_stored_item_when_asked(table: tuple[Any, str]) -> None:
    client, name = table
    put_if_absent(lambda: client, table=name, item=entry("i-1", "first"), key="inquiry_id")
    with pytest.raises(ConditionRefused) as raised:
        put_if_absent(
            lambda: client, table=name, item=entry("i-1", "second"), key="inquiry_id", return_stored=True
        )
    assert raised.value.item == entry("i-1", "first")


def test_write_if_over_put_if_absent_is_the_ledgers_first_entry_stands(table: tuple[Any, str]) -> None:
    client, name = table

    def put(reason: str) -> bool:
        return write_if(
            lambda: put_if_absent(lambda: client, table=name, item=entry("i-1", reason), key="inquiry_id")
        )

    assert put("first") is True
    assert put("second") is False


def test_a_refused_conditional_update_is_told_apart_and_changes_nothing(table: tuple[Any, str]) -> None:
    client, name = table
    client.put_item(TableName=name, Item=entry("i-1", "first"))
    key = {"subject_key": {"S": SUBJECT}, "inquiry_id": {"S": "i-1"}}

    def update(expected: str) -> Any:
        return conditional(
            lambda: client.update_item(
                TableName=name,
                Key=key,
                UpdateExpression="SET reason = :new",
                ConditionExpression="reason = :expected",
                ExpressionAttributeValues={":new": {"S": "changed"}, ":expected": {"S": expected}},
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        )

    with pytest.raises(ConditionRefused) as raised:
        update("other")
    assert raised.value.item == entry("i-1", "first")
    assert update("first")["Attributes"]["reason"] == {"S": "changed"}


@pytest.mark.parametrize("operation", ["query", "scan"])
def test_every_page_is_read(table: tuple[Any, str], operation: str) -> None:
    client, name = table
    for number in range(5):
        client.put_item(TableName=name, Item=entry(f"i-{number}"))
    asked: list[str] = []
    client.meta.events.register(
        f"before-call.dynamodb.{operation.capitalize()}", lambda **_: asked.append("x")
    )
    arguments: dict[str, Any] = {"TableName": name, "Limit": 2}
    if operation == "query":
        arguments |= {
            "KeyConditionExpression": "subject_key = :k",
            "ExpressionAttributeValues": {":k": {"S": SUBJECT}},
        }
    items = list(query_items(lambda: client, arguments, operation=operation))
    assert sorted(item["inquiry_id"]["S"] for item in items) == [f"i-{n}" for n in range(5)]
    assert len(asked) >= 3  # two items a page: at least three pages
    assert "ExclusiveStartKey" not in arguments  # the caller's arguments are left as they were


# ------------------------------------------------------------------ faults moto cannot produce (Stubber)


@pytest.fixture
def stubbed() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("dynamodb", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def test_a_throttled_put_if_absent_is_service_unavailable(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    stub.add_client_error(
        "put_item",
        service_error_code="ProvisionedThroughputExceededException",
        expected_params={
            "TableName": "t",
            "Item": entry("i-1"),
            "ConditionExpression": "attribute_not_exists(inquiry_id)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
    )
    with pytest.raises(ServiceUnavailable):
        put_if_absent(lambda: client, table="t", item=entry("i-1"), key="inquiry_id", return_stored=True)


def test_a_fault_on_a_later_page_is_service_unavailable_after_the_first_pages_items(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stub = stubbed
    last = {"subject_key": {"S": SUBJECT}, "inquiry_id": {"S": "i-1"}}
    stub.add_response("query", {"Items": [entry("i-1")], "LastEvaluatedKey": last}, {"TableName": "t"})
    stub.add_client_error(
        "query",
        service_error_code="InternalServerError",
        expected_params={"TableName": "t", "ExclusiveStartKey": last},
    )
    items = query_items(lambda: client, {"TableName": "t"})
    assert next(items) == entry("i-1")
    with pytest.raises(ServiceUnavailable):
        next(items)


def test_the_client_is_built_inside_the_mapping() -> None:
    """A client that cannot be built (no region, no endpoint) is a storage fault too, as it was in each
    store's own copy."""

    def no_client() -> Any:
        raise EndpointConnectionError(endpoint_url="x")

    with pytest.raises(ServiceUnavailable):
        put_if_absent(no_client, table="t", item=entry("i-1"), key="inquiry_id")
    with pytest.raises(ServiceUnavailable):
        next(query_items(no_client, {"TableName": "t"}))
