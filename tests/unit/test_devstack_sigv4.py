"""The AWS_IAM check: SigV4 by access key ``local`` for execute-api in devstack's region, or 403."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from devstack.apigateway import ApiGateway
from devstack.http import HttpRequest
from devstack.routes import IAM, Route, RouteTable
from devstack.sigv4 import verify_sigv4

REGION = "eu-central-1"
HOST = "127.0.0.1:3000"


def signed(
    method: str = "POST",
    path: str = "/rights-requests",
    query: str = "",
    body: bytes = b'{"type": "access"}',
    *,
    key: str = "local",
    secret: str = "local",  # noqa: S107 - the local stand-in, by contract
    region: str = REGION,
    service: str = "execute-api",
    extra_headers: dict[str, str] | None = None,
) -> HttpRequest:
    """A request signed by botocore exactly as the DPO CLI (or awscurl) would sign it."""
    url = f"http://{HOST}{path}" + (f"?{query}" if query else "")
    aws_request = AWSRequest(method=method, url=url, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(key, secret), service, region).add_auth(aws_request)
    headers = [("Host", HOST), *aws_request.headers.items(), *(extra_headers or {}).items()]
    return HttpRequest(method=method, path=path, query=query, headers=tuple(headers), body=body)


def tampered(request: HttpRequest, **changes: Any) -> HttpRequest:
    values = {**request.__dict__, **changes}
    return HttpRequest(**values)


def test_a_request_signed_with_the_local_key_passes() -> None:
    verdict = verify_sigv4(signed(), region=REGION)

    assert verdict.ok
    assert verdict.reason == "signed"


def test_a_signed_get_with_a_query_passes() -> None:
    assert verify_sigv4(signed("GET", "/rights-requests", "status=open&x=a%20b", b""), region=REGION).ok


# signed when the test runs, not at collection: a suite run is longer than the 5 minutes a signature lives
@pytest.mark.parametrize(
    ("make_request", "reason"),
    [
        (lambda: HttpRequest("POST", "/rights-requests", headers=(("Host", HOST),)), "missing"),
        (lambda: signed(secret="not-local"), "signature"),
        (lambda: signed(key="AKIAEXAMPLE"), "unknown-key"),
        (lambda: signed(region="us-east-1"), "wrong-scope"),
        (lambda: signed(service="s3"), "wrong-scope"),
    ],
    ids=["missing", "signature", "unknown-key", "wrong-region", "wrong-service"],
)
def test_anything_else_is_refused(make_request: Callable[[], HttpRequest], reason: str) -> None:
    verdict = verify_sigv4(make_request(), region=REGION)

    assert not verdict.ok
    assert verdict.reason == reason


@pytest.mark.parametrize(
    "change",
    [
        {"body": b'{"type": "erasure"}'},
        {"path": "/rights-requests/other"},
        {"query": "status=all"},
        {"method": "PUT"},
    ],
)
def test_a_tampered_request_is_refused(change: dict[str, Any]) -> None:
    verdict = verify_sigv4(tampered(signed(), **change), region=REGION)

    assert not verdict.ok
    assert verdict.reason == "signature"


def test_a_declared_payload_hash_must_match_the_body() -> None:
    request = signed(extra_headers={"X-Amz-Content-SHA256": "0" * 64})

    assert verify_sigv4(request, region=REGION).reason == "payload"


def test_an_old_signature_has_expired() -> None:
    later = datetime.now(UTC) + timedelta(minutes=6)

    assert verify_sigv4(signed(), region=REGION, now=later).reason == "expired"


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer abc",
        "AWS4-HMAC-SHA256 Credential=local/20261125/eu-central-1/execute-api/aws4_request, "
        "SignedHeaders=x-amz-date, Signature=" + "0" * 64,  # host not signed
        "AWS4-HMAC-SHA256 Credential=local/eu-central-1/execute-api, SignedHeaders=host, Signature="
        + "0" * 64,
    ],
)
def test_a_malformed_authorization_is_refused(authorization: str) -> None:
    request = HttpRequest("GET", "/x", headers=(("Host", HOST), ("Authorization", authorization)))

    assert verify_sigv4(request, region=REGION).reason == "malformed"


class RecordingInvoke:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, function: str, event: dict[str, Any]) -> dict[str, Any]:
        self.events.append(event)
        return {"statusCode": 200, "body": "{}"}


def iam_gateway(invoke: RecordingInvoke) -> ApiGateway:
    routes = RouteTable([Route("POST", "/rights-requests", "RightsApiFunction", auth=IAM, api="ContactApi")])
    return ApiGateway(routes, invoke, region=REGION)


def test_an_iam_route_invokes_the_function_for_a_signed_request_with_the_callers_identity() -> None:
    invoke = RecordingInvoke()

    response = iam_gateway(invoke).handle(signed())

    assert response is not None
    assert response.status == 200
    assert invoke.events[0]["requestContext"]["identity"]["accessKey"] == "local"


def test_an_iam_route_answers_403_to_an_unsigned_request_without_invoking() -> None:
    invoke = RecordingInvoke()
    unsigned = HttpRequest(
        "POST", "/rights-requests", headers=(("Host", HOST),), body=str(uuid.uuid4()).encode()
    )

    response = iam_gateway(invoke).handle(unsigned)

    assert response is not None
    assert response.status == 403
    assert response.header("x-amzn-ErrorType") == "MissingAuthenticationTokenException"
    assert invoke.events == []


def test_an_iam_route_answers_403_to_a_wrongly_signed_request() -> None:
    response = iam_gateway(RecordingInvoke()).handle(signed(secret="guess"))

    assert response is not None
    assert response.status == 403
    assert response.header("x-amzn-ErrorType") == "InvalidSignatureException"
