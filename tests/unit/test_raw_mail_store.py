"""RawMailStore's error paths, which moto cannot produce (botocore Stubber): a refused or failing S3 is a
ServiceUnavailable (Lambda retries), a missing object is RawMailMissing, an oversized one is never read."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.response import StreamingBody
from botocore.stub import Stubber

from contact_intake.core.errors import ServiceUnavailable
from contact_intake.rights.raw_mail import MAX_RAW_MAIL_BYTES, RawMailMissing, RawMailStore, RawMailTooLarge

BUCKET = "contact-intake-inboundmailbucket"
KEY = "raw/q0fgr8ss9hf5b0dki7e6a5rr4jdlfm3k0m3m6ug1"


@pytest.fixture
def s3() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.session.Session(region_name="eu-central-1").client(
        "s3", aws_access_key_id="t", aws_secret_access_key="t"
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def a_store(client: Any) -> RawMailStore:
    return RawMailStore(bucket=BUCKET, client=lambda: client)


def body(data: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(data), len(data))


def test_the_key_is_the_prefix_and_the_message_id() -> None:
    assert RawMailStore(bucket=BUCKET, client=lambda: None, prefix="in/").key_for("abc") == "in/abc"  # type: ignore[arg-type,return-value]


def test_a_mail_is_read(s3: tuple[Any, Stubber]) -> None:
    client, stubber = s3
    stubber.add_response(
        "get_object",
        {"Body": body(b"Subject: x\r\n\r\nbody"), "ContentLength": 18},
        {"Bucket": BUCKET, "Key": KEY},
    )
    assert a_store(client).read(KEY) == b"Subject: x\r\n\r\nbody"


@pytest.mark.parametrize("code", ["NoSuchKey", "404"])
def test_a_missing_mail_is_named_so(s3: tuple[Any, Stubber], code: str) -> None:
    client, stubber = s3
    stubber.add_client_error("get_object", service_error_code=code, http_status_code=404)
    with pytest.raises(RawMailMissing):
        a_store(client).read(KEY)


def test_a_refused_read_is_a_service_failure(s3: tuple[Any, Stubber]) -> None:
    client, stubber = s3
    stubber.add_client_error("get_object", service_error_code="AccessDenied", http_status_code=403)
    with pytest.raises(ServiceUnavailable):
        a_store(client).read(KEY)


def test_an_unreachable_s3_is_a_service_failure() -> None:
    def unreachable() -> Any:
        raise EndpointConnectionError(endpoint_url="https://s3.example")

    with pytest.raises(ServiceUnavailable):
        RawMailStore(bucket=BUCKET, client=unreachable).read(KEY)
    with pytest.raises(ServiceUnavailable):
        RawMailStore(bucket=BUCKET, client=unreachable).delete(KEY)


def test_an_object_larger_than_any_mail_is_not_read(s3: tuple[Any, Stubber]) -> None:
    client, stubber = s3
    stream = body(b"x")
    stubber.add_response("get_object", {"Body": stream, "ContentLength": MAX_RAW_MAIL_BYTES + 1})
    with pytest.raises(RawMailTooLarge):
        a_store(client).read(KEY)
    assert stream._raw_stream.closed  # type: ignore[attr-defined]


def test_a_broken_stream_is_a_service_failure(s3: tuple[Any, Stubber]) -> None:
    client, stubber = s3

    class Broken(io.BytesIO):
        def read(self, *_: Any) -> bytes:
            raise EndpointConnectionError(endpoint_url="https://s3.example")

    stubber.add_response("get_object", {"Body": StreamingBody(Broken(b"x"), 1), "ContentLength": 1})
    with pytest.raises(ServiceUnavailable):
        a_store(client).read(KEY)


def test_delete_and_its_failure(s3: tuple[Any, Stubber]) -> None:
    client, stubber = s3
    stubber.add_response("delete_object", {}, {"Bucket": BUCKET, "Key": KEY})
    stubber.add_client_error("delete_object", service_error_code="AccessDenied", http_status_code=403)
    store = a_store(client)
    store.delete(KEY)
    with pytest.raises(ServiceUnavailable):
        store.delete(KEY)
