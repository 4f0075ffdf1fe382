"""API Gateway (REST API, Lambda proxy integration) as devstack emulates it.

``build_proxy_event`` makes the v1 proxy event a function receives; ``proxy_result_to_response`` maps the
function's answer back, and a malformed answer is a 502 as API Gateway gives. ``ApiGateway`` ties route
matching, the IAM check and the invocation together; it answers None for paths it has no route for, so
devstack can serve the static site there.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import parse_qsl, unquote

from devstack.gateway_responses import (
    ACCESS_DENIED,
    FUNCTION_FAILED,
    INVALID_SIGNATURE,
    MISSING_AUTHENTICATION_TOKEN,
    SIGNATURE_EXPIRED,
    UNRECOGNIZED_KEY,
    GatewayError,
    GatewayResponses,
    unsupported_authorizer,
)
from devstack.http import HttpRequest, HttpResponse
from devstack.invoker import FunctionFailed
from devstack.resource_policy import ResourcePolicy
from devstack.routes import IAM, NONE, RouteMatch, RouteTable
from devstack.settings import ACCOUNT_ID, LOCAL_ACCESS_KEY
from devstack.sigv4 import SigV4Verdict, verify_sigv4

API_ID: Final = "devstack"
_HOP_BY_HOP: Final = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length"})


class MalformedProxyResponse(Exception):
    """The function's answer is not a Lambda proxy response."""


def iam_denial(verdict: SigV4Verdict) -> GatewayError:
    """The gateway error for a failed SigV4 check."""
    return {
        "missing": MISSING_AUTHENTICATION_TOKEN,
        "unknown-key": UNRECOGNIZED_KEY,
        "expired": SIGNATURE_EXPIRED,
    }.get(verdict.reason, INVALID_SIGNATURE)


def build_proxy_event(
    request: HttpRequest,
    match: RouteMatch,
    *,
    request_id: str,
    now: datetime,
    identity: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The REST API (v1) proxy event API Gateway would send for ``request`` on ``match``'s route."""
    route = match.route
    headers, multi_headers = _header_maps(request)
    query, multi_query = _query_maps(request.query)
    body, is_base64 = _event_body(request, route.binary_media_types)
    path = unquote(request.path)
    return {
        "resource": route.resource,
        "path": path,
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": match.path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "local",
            "resourcePath": route.resource,
            "httpMethod": request.method,
            "extendedRequestId": request_id,
            "requestTime": now.astimezone(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "path": f"/{route.stage}{path}",
            "accountId": ACCOUNT_ID,
            "protocol": "HTTP/1.1",
            "stage": route.stage,
            "domainPrefix": "127",
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "requestId": request_id,
            "identity": {**_anonymous_identity(request), **(identity or {})},
            "domainName": request.header("host") or "127.0.0.1",
            "apiId": API_ID,
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }


def _header_maps(request: HttpRequest) -> tuple[dict[str, str], dict[str, list[str]]]:
    headers: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    forwarded = [("X-Forwarded-For", request.source_ip), ("X-Forwarded-Proto", "http")]
    for key, value in [*request.headers, *forwarded]:
        if key.lower() in _HOP_BY_HOP - {"content-length"}:
            continue
        headers[key] = value  # the last value, as API Gateway does
        multi.setdefault(key, []).append(value)
    return headers, multi


def _query_maps(query: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        single[key] = value
        multi.setdefault(key, []).append(value)
    return single, multi


def _event_body(request: HttpRequest, binary_media_types: tuple[str, ...]) -> tuple[str | None, bool]:
    if not request.body:
        return None, False
    content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
    if any(fnmatch.fnmatch(content_type, pattern.lower()) for pattern in binary_media_types):
        return base64.b64encode(request.body).decode("ascii"), True
    try:
        return request.body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(request.body).decode("ascii"), True


def _anonymous_identity(request: HttpRequest) -> dict[str, Any]:
    return {
        "cognitoIdentityPoolId": None,
        "accountId": None,
        "cognitoIdentityId": None,
        "caller": None,
        "sourceIp": request.source_ip,
        "principalOrgId": None,
        "accessKey": None,
        "cognitoAuthenticationType": None,
        "cognitoAuthenticationProvider": None,
        "userArn": None,
        "userAgent": request.header("user-agent"),
        "user": None,
    }


def iam_identity(access_key: str = LOCAL_ACCESS_KEY) -> dict[str, Any]:
    """The identity fields of a request signed with one of devstack's local keys: the IAM user of that
    name (``local`` is the DPO's principal, ``local-telephony`` the telephony integration's)."""
    return {
        "accountId": ACCOUNT_ID,
        "caller": access_key,
        "accessKey": access_key,
        "user": access_key,
        "userArn": f"arn:aws:iam::{ACCOUNT_ID}:user/{access_key}",
    }


def proxy_result_to_response(result: Any) -> HttpResponse:
    """The HTTP answer for a function's proxy response; MalformedProxyResponse means API Gateway's 502."""
    if not isinstance(result, Mapping) or "statusCode" not in result:
        raise MalformedProxyResponse("no statusCode")
    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError):
        raise MalformedProxyResponse("statusCode is not a number") from None
    single, multi = result.get("headers"), result.get("multiValueHeaders")
    headers = _response_headers({} if single is None else single, {} if multi is None else multi)
    if not any(key.lower() == "content-type" for key, _ in headers):
        headers.append(("Content-Type", "application/json"))  # API Gateway's default
    return HttpResponse(status, tuple(headers), _response_body(result))


def _response_headers(single: Mapping[str, Any], multi: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Both maps merged; a pair given in both appears once (the multi-value map's copy)."""
    if not isinstance(single, Mapping) or not isinstance(multi, Mapping):
        raise MalformedProxyResponse("headers must be objects")
    pairs = [(str(key), str(value)) for key, values in multi.items() for value in values or []]
    seen = {(key.lower(), value) for key, value in pairs}
    pairs += [(str(k), str(v)) for k, v in single.items() if (str(k).lower(), str(v)) not in seen]
    return [(key, value) for key, value in pairs if key.lower() not in _HOP_BY_HOP]


def _response_body(result: Mapping[str, Any]) -> bytes:
    body = result.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise MalformedProxyResponse("body must be a string")
    if result.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedProxyResponse("body is not base64") from None
    return body.encode("utf-8")


Invoke = Callable[[str, dict[str, Any]], Any]


class ApiGateway:
    """The REST API: route, authorize, build the event, invoke the function, map its answer."""

    def __init__(
        self,
        routes: RouteTable,
        invoke: Invoke,
        *,
        region: str,
        gateway_responses: Mapping[str, GatewayResponses] | None = None,
        resource_policies: Mapping[str, ResourcePolicy] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.routes = routes
        self._invoke = invoke
        self._region = region
        self._responses = dict(gateway_responses or {})
        self._policies = dict(resource_policies or {})
        self._clock = clock

    def handle(self, request: HttpRequest) -> HttpResponse | None:
        """The answer for a routed request; None when no route has this path and method."""
        match = self.routes.find(request.method, request.path)
        if match is None:
            return None
        request_id = str(uuid.uuid4())
        identity: dict[str, Any] = {}
        if match.route.auth == IAM:
            verdict = verify_sigv4(request, region=self._region, now=self._clock())
            if not verdict.ok:
                return self._error(iam_denial(verdict), request_id, match.route.api)
            identity = iam_identity(verdict.access_key or LOCAL_ACCESS_KEY)
        elif match.route.auth != NONE:
            return self._error(unsupported_authorizer(match.route.auth), request_id, match.route.api)
        policy = self._policies.get(match.route.api, ResourcePolicy(None))
        if not policy.allows(
            stage=match.route.stage,
            method=request.method,
            path=request.path,
            principal_arn=identity.get("userArn"),
        ):
            return self._error(ACCESS_DENIED, request_id, match.route.api)
        event = build_proxy_event(request, match, request_id=request_id, now=self._clock(), identity=identity)
        return self._call(match, event, request_id)

    def missing_route(self) -> HttpResponse:
        """API Gateway's answer for a path or method no route has (403 Missing Authentication Token)."""
        only_api = next(iter(self._responses)) if len(self._responses) == 1 else ""
        return self._error(MISSING_AUTHENTICATION_TOKEN, str(uuid.uuid4()), only_api)

    def _error(self, error: GatewayError, request_id: str, api: str) -> HttpResponse:
        return self._responses.get(api, GatewayResponses()).render(error, request_id)

    def _call(self, match: RouteMatch, event: dict[str, Any], request_id: str) -> HttpResponse:
        note = match.route.function
        try:
            response = proxy_result_to_response(self._invoke(match.route.function, event))
        except FunctionFailed:
            return _noted(self._error(FUNCTION_FAILED, request_id, match.route.api), f"{note} failed")
        except MalformedProxyResponse:
            failed = self._error(FUNCTION_FAILED, request_id, match.route.api)
            return _noted(failed, f"{note} gave a malformed proxy response")
        return _noted(
            HttpResponse(
                response.status, (*response.headers, ("x-amzn-RequestId", request_id)), response.body
            ),
            note,
        )


def _noted(response: HttpResponse, note: str) -> HttpResponse:
    return HttpResponse(response.status, response.headers, response.body, note=note)
