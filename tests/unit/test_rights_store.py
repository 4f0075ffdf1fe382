"""RightsRequestStore where moto cannot go: storage faults become ServiceUnavailable (never a library message
with the data in it), indexes are paged through, and the item shape round-trips (botocore Stubber)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

from contact_intake.core.dynamo import iso
from contact_intake.core.errors import ServiceUnavailable
from contact_intake.rights.models import AuditEntry, Channel, RequestStatus, RightsRequest, RightType
from contact_intake.rights.store import (
    STATUS_INDEX_FIELDS,
    RequestExists,
    RightsRequestStore,
    attr,
    from_item,
    to_item,
)
from tests.builders import NOW

TABLE = "rights"


def a_request(**overrides: Any) -> RightsRequest:
    fields: dict[str, Any] = {
        "request_id": "r-1",
        "type": RightType.RECTIFICATION,
        "subject_key": "k" * 64,
        "channel": Channel.DPO,
        "status": RequestStatus.REJECTED,
        "received_at": NOW,
        "due_at": NOW + timedelta(days=30),
        "locale": "fr",
        "email": "zoe@example.org",
        "expires_at": int((NOW + timedelta(days=1000)).timestamp()),
        "extended_due_at": NOW + timedelta(days=60),
        "extension_reason": "busy",
        "token_hash": "h" * 64,
        "token_expires_at": NOW + timedelta(days=7),
        "token_used_at": NOW,
        "acknowledged_at": NOW,
        "verified_at": NOW,
        "raw_mail_key": "raw/x",
        "corrections": {"name": "Zoë"},
        "rejection_reasons": ["a", "b"],
        "objection_upheld": False,
        "objection_grounds": "claims",
        "restriction_lifted_at": NOW,
        "completed_at": NOW,
        "audit": [AuditEntry(NOW, "dpo:arn", "rejected", {"reasons": 2})],
    }
    fields.update(overrides)
    return RightsRequest(**fields)


@pytest.fixture
def dynamodb() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client(
        "dynamodb", region_name="eu-central-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def store_of(client: Any) -> RightsRequestStore:
    return RightsRequestStore(table_name=TABLE, client=lambda: client, clock=lambda: NOW)


def test_every_field_round_trips_through_the_item() -> None:
    request = a_request()
    assert from_item(to_item(request)) == request
    # only the fields every request has: each optional one (extension, token, audit, ...) at its default
    bare = RightsRequest(
        **{
            f.name: getattr(request, f.name)
            for f in dataclasses.fields(RightsRequest)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        }
    )
    item = to_item(bare)
    assert set(item) == {
        "request_id", "type", "subject_key", "channel", "status", "received_at", "due_at", "locale", "email",
        "expires_at", "audit",
    }  # fmt: skip
    assert from_item(item) == bare


def test_moments_are_stored_as_sortable_utc_text() -> None:
    assert iso(datetime(2026, 1, 2, 3, 4, 5, 678_901, tzinfo=UTC)) == "2026-01-02T03:04:05.678Z"
    assert attr(NOW) == {"S": "2026-11-25T04:24:36.000Z"}
    assert attr(True) == {"BOOL": True}
    assert attr(3) == {"N": "3"}
    assert attr({"a": "b"}) == {"M": {"a": {"S": "b"}}}
    assert attr(["x"]) == {"L": [{"S": "x"}]}


@pytest.mark.parametrize(
    "error",
    [
        {"service_error_code": "ProvisionedThroughputExceededException", "http_status_code": 400},
        {"service_error_code": "InternalServerError", "http_status_code": 500},
    ],
)
def test_storage_faults_are_service_unavailable(dynamodb: tuple[Any, Stubber], error: dict[str, Any]) -> None:
    client, stub = dynamodb
    store = store_of(client)
    calls = [
        ("put_item", lambda: store.create(a_request())),
        ("get_item", lambda: store.get("r-1")),
        ("delete_item", lambda: store.delete("r-1")),
        ("update_item", lambda: store.append_audit("r-1")),
        ("query", lambda: store.request_id_for_token("h" * 64)),
    ]
    for operation, call in calls:
        stub.add_client_error(operation, **error)
        with pytest.raises(ServiceUnavailable):
            call()


def test_unreachable_storage_is_service_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    client = boto3.client(
        "dynamodb", region_name="eu-central-1", aws_access_key_id="x", aws_secret_access_key="x"
    )

    def unreachable(*_: Any, **__: Any) -> None:
        raise EndpointConnectionError(endpoint_url="https://dynamodb.invalid")

    for operation in ("put_item", "update_item"):
        monkeypatch.setattr(client, operation, unreachable)
    store = store_of(client)
    with pytest.raises(ServiceUnavailable):
        store.create(a_request())
    with pytest.raises(ServiceUnavailable):
        store.append_audit("r-1")


def test_a_taken_id_hands_back_the_stored_request(dynamodb: tuple[Any, Stubber]) -> None:
    client, stub = dynamodb
    stored = a_request()
    expired = a_request(expires_at=int((NOW - timedelta(seconds=1)).timestamp()))
    for old in (stored, expired):
        stub.add_client_error(
            "put_item",
            service_error_code="ConditionalCheckFailedException",
            http_status_code=400,
            response_meta={},
            modeled_fields={"Item": to_item(old)},
        )
    store = store_of(client)
    with pytest.raises(RequestExists) as taken:
        store.create(a_request())
    assert taken.value.existing == stored
    with pytest.raises(RequestExists) as gone:
        store.create(a_request())
    assert gone.value.existing is None  # past its expires_at: treated as absent


def test_indexes_are_paged_through_and_expired_lines_left_out(dynamodb: tuple[Any, Stubber]) -> None:
    client, stub = dynamodb
    live = a_request(request_id="r-live", status=RequestStatus.VERIFIED)
    expired = a_request(request_id="r-old", status=RequestStatus.VERIFIED, expires_at=int(NOW.timestamp()))
    projected = ("request_id", "status", "due_at", *STATUS_INDEX_FIELDS)  # what the index holds

    def line(request: RightsRequest) -> dict[str, Any]:
        return {key: value for key, value in to_item(request).items() if key in projected}

    stub.add_response("query", {"Items": [line(live)], "LastEvaluatedKey": {"request_id": {"S": "r-live"}}})
    stub.add_response("query", {"Items": [line(expired)]})
    stub.add_response("query", {"Items": [{"request_id": {"S": "a"}}], "LastEvaluatedKey": {"x": {"S": "1"}}})
    stub.add_response("query", {"Items": [{"request_id": {"S": "b"}}]})
    store = store_of(client)
    (summary,) = store.list_by_status(RequestStatus.VERIFIED)
    assert (summary.request_id, summary.effective_due_at) == ("r-live", live.extended_due_at)
    assert list(store.keys_by_subject("k" * 64)) == ["a", "b"]
