"""The API Gateway emulation: the proxy event a function gets, and what becomes of its answer."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from devstack.apigateway import (
    ApiGateway,
    MalformedProxyResponse,
    build_proxy_event,
    proxy_result_to_response,
)
from devstack.gateway_responses import FUNCTION_FAILED, MISSING_AUTHENTICATION_TOKEN, GatewayResponses
from devstack.http import HttpRequest
from devstack.invoker import FunctionFailed
from devstack.routes import Route, RouteMatch, RouteTable
from tests.builders import sample_event

NOW = datetime(2026, 11, 25, 4, 24, 36, 123000, tzinfo=UTC)
ROUTE = Route("POST", "/inquiries", "IntakeFunction", api="ContactApi", stage="v1")


def a_request(**overrides: Any) -> HttpRequest:
    values: dict[str, Any] = {
        "method": "POST",
        "path": "/inquiries",
        "query": "",
        "headers": (
            ("Host", "127.0.0.1:3000"),
            ("Content-Type", "application/json"),
            ("User-Agent", "curl/8.5"),
            ("Accept", "application/json"),
        ),
        "body": b'{"name": "x"}',
        "source_ip": "127.0.0.1",
    }
    values.update(overrides)
    return HttpRequest(**values)


def event_for(
    request: HttpRequest, route: Route = ROUTE, parameters: dict[str, str] | None = None
) -> dict[str, Any]:
    return build_proxy_event(request, RouteMatch(route, parameters or {}), request_id="req-1", now=NOW)


def test_the_event_has_the_shape_of_the_sample_event() -> None:
    sample = sample_event("intake_post_inquiries.json")

    event = event_for(a_request())

    assert event.keys() == sample.keys()
    assert event["requestContext"].keys() >= {
        "resourcePath", "httpMethod", "path", "stage", "requestId", "identity", "accountId", "apiId",
        "requestTimeEpoch",
    }  # fmt: skip
    assert event["requestContext"]["identity"].keys() >= {"sourceIp", "userAgent"}


def test_the_event_carries_the_request() -> None:
    event = event_for(a_request())

    assert event["resource"] == "/inquiries"
    assert event["path"] == "/inquiries"
    assert event["httpMethod"] == "POST"
    assert event["body"] == '{"name": "x"}'
    assert event["isBase64Encoded"] is False
    assert event["headers"]["Content-Type"] == "application/json"
    assert event["multiValueHeaders"]["Accept"] == ["application/json"]
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert event["queryStringParameters"] is None
    assert event["pathParameters"] is None
    assert event["stageVariables"] is None
    context = event["requestContext"]
    assert context["resourcePath"] == "/inquiries"
    assert context["path"] == "/v1/inquiries"
    assert context["stage"] == "v1"
    assert context["requestId"] == "req-1"
    assert context["requestTimeEpoch"] == 1795580676123
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["identity"]["userAgent"] == "curl/8.5"


def test_repeated_query_parameters_and_headers_keep_every_value_and_the_last_one_wins() -> None:
    request = a_request(
        method="GET",
        query="status=open&tag=a&tag=b%20c&empty=",
        headers=(("X-Tag", "1"), ("X-Tag", "2")),
        body=b"",
    )

    event = event_for(request, Route("GET", "/rights-requests/{id}", "F"), {"id": "r-1"})

    assert event["queryStringParameters"] == {"status": "open", "tag": "b c", "empty": ""}
    assert event["multiValueQueryStringParameters"]["tag"] == ["a", "b c"]
    assert event["headers"]["X-Tag"] == "2"
    assert event["multiValueHeaders"]["X-Tag"] == ["1", "2"]
    assert event["pathParameters"] == {"id": "r-1"}
    assert event["body"] is None


def test_a_binary_body_is_base64_encoded() -> None:
    binary = a_request(body=b"\xff\xd8\xff", headers=(("Content-Type", "audio/mpeg"),))
    declared = Route("POST", "/recordings", "F", binary_media_types=("audio/*",))

    assert event_for(binary)["isBase64Encoded"] is True  # not UTF-8
    assert event_for(binary, declared)["body"] == base64.b64encode(b"\xff\xd8\xff").decode()


def test_a_proxy_response_becomes_the_http_response() -> None:
    response = proxy_result_to_response(
        {
            "statusCode": 303,
            "headers": {"Location": "/thanks.html", "Vary": "Origin"},
            "multiValueHeaders": {"Vary": ["Origin"], "Set-Cookie": ["a=1", "b=2"]},
            "body": "",
            "isBase64Encoded": False,
        }
    )

    assert response.status == 303
    assert response.header("Location") == "/thanks.html"
    assert [v for k, v in response.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert [v for k, v in response.headers if k == "Vary"] == ["Origin"]  # the same pair given twice: once
    assert response.header("Content-Type") == "application/json"  # API Gateway's default


def test_a_base64_body_is_decoded() -> None:
    response = proxy_result_to_response({"statusCode": 200, "body": "aGk=", "isBase64Encoded": True})

    assert response.body == b"hi"


@pytest.mark.parametrize(
    "result",
    [None, "ok", {"body": "x"}, {"statusCode": "two hundred"}, {"statusCode": 200, "body": 5},
     {"statusCode": 200, "headers": []}, {"statusCode": 200, "body": "%%", "isBase64Encoded": True}],
)  # fmt: skip
def test_anything_but_a_proxy_response_is_malformed(result: Any) -> None:
    with pytest.raises(MalformedProxyResponse):
        proxy_result_to_response(result)


def gateway(invoke: Any, responses: dict[str, GatewayResponses] | None = None) -> ApiGateway:
    return ApiGateway(
        RouteTable([ROUTE]), invoke, region="eu-central-1", gateway_responses=responses, clock=lambda: NOW
    )


def test_the_routed_function_gets_the_event_and_its_answer_goes_back() -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
        calls.append((function, event))
        return {"statusCode": 202, "headers": {"Content-Type": "application/json"}, "body": '{"ok": true}'}

    response = gateway(invoke).handle(a_request())

    assert response is not None
    assert response.status == 202
    assert response.body == b'{"ok": true}'
    assert calls[0][0] == "IntakeFunction"
    assert response.header("x-amzn-RequestId") == calls[0][1]["requestContext"]["requestId"]


def failing(function: str, event: dict[str, Any]) -> Any:
    raise FunctionFailed("ValueError")


@pytest.mark.parametrize("invoke", [failing, lambda function, event: {"no": "statusCode"}])
def test_a_failed_function_is_api_gateways_502(invoke: Any) -> None:
    response = gateway(invoke).handle(a_request())

    assert response is not None
    assert response.status == 502
    assert json.loads(response.body) == {"message": "Internal server error"}
    assert response.header("x-amzn-ErrorType") == "InternalServerErrorException"


def test_no_route_is_none_and_the_miss_is_a_403_missing_authentication_token() -> None:
    api = gateway(failing)

    assert api.handle(a_request(path="/other")) is None
    missing = api.missing_route()
    assert missing.status == 403
    assert json.loads(missing.body) == {"message": "Missing Authentication Token"}


REJECTED = '{"error": {"code": "request_rejected", "message": $context.error.messageString}}'
CUSTOM = GatewayResponses(
    {
        "DEFAULT_4XX": {
            "responseTemplates": {"application/json": REJECTED},
            "responseParameters": {"gatewayresponse.header.X-Frame-Options": "'DENY'"},
        },
        "DEFAULT_5XX": {
            "responseTemplates": {"application/json": '{"error": {"code": "service_unavailable"}}'}
        },
        "THROTTLED": {"statusCode": 429},
    }
)


def test_the_templates_gateway_responses_shape_the_gateways_own_errors() -> None:
    api = gateway(failing, {"ContactApi": CUSTOM})

    missing = api.missing_route()
    failed = api.handle(a_request())

    assert missing.status == 403
    assert json.loads(missing.body) == {
        "error": {"code": "request_rejected", "message": "Missing Authentication Token"}
    }
    assert missing.header("X-Frame-Options") == "DENY"
    assert failed is not None
    assert failed.status == 502
    assert json.loads(failed.body) == {"error": {"code": "service_unavailable"}}


def test_gateway_responses_fall_back_to_the_defaults() -> None:
    assert CUSTOM.render(MISSING_AUTHENTICATION_TOKEN, "r").header("x-amzn-RequestId") == "r"
    assert json.loads(GatewayResponses().render(FUNCTION_FAILED, "r").body) == {
        "message": "Internal server error"
    }
