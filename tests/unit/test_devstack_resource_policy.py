"""devstack enforces the API's resource policy from the translated template (D67): the key pair `local`
signs as the DPO, `local-telephony` as the telephony integration; each reaches its own routes only, and the
public routes stay open to unsigned callers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import urllib3  # noqa: F401 - it probes IPv6 with a socket when first imported: do that before sockets are off
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from devstack.apigateway import ApiGateway
from devstack.gateway_responses import GatewayResponses
from devstack.http import HttpRequest
from devstack.resource_policy import ResourcePolicy, resource_policies_from_template
from devstack.resources import ResourceMap, prepare_template
from devstack.routes import RouteTable, gateway_responses_from_template, routes_from_template
from devstack.settings import LOCAL_DPO_ARN, LOCAL_TELEPHONY_ARN, local_parameter_values
from devstack.template import TemplateError

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-central-1"
HOST = "127.0.0.1:3000"
ID = "0f8e0c55-0d4e-4a7b-9c43-2d5b0b3f4e11"
DPO_ROUTES = [
    ("POST", "/rights-requests"),
    ("GET", "/rights-requests"),
    ("GET", f"/rights-requests/{ID}"),
    ("POST", f"/rights-requests/{ID}/extend"),
    ("POST", f"/rights-requests/{ID}/reject"),
    ("POST", f"/rights-requests/{ID}/objection-decision"),
    ("POST", f"/rights-requests/{ID}/lift-restriction"),
    ("POST", f"/rights-requests/{ID}/amend"),
    ("GET", f"/recordings/{ID}"),
]


@pytest.fixture(scope="module")
def gateway() -> tuple[ApiGateway, list[tuple[str, dict[str, Any]]]]:
    cfn, values = prepare_template(ROOT / "template.yaml", local_parameter_values(3000), REGION)
    resolver = ResourceMap(REGION, cfn, values)
    calls: list[tuple[str, dict[str, Any]]] = []

    def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
        calls.append((function, event))
        return {"statusCode": 200, "body": "{}"}

    responses = gateway_responses_from_template(cfn, resolver.resolve)
    api = ApiGateway(
        RouteTable(routes_from_template(cfn, resolver.resolve)),
        invoke,
        region=REGION,
        gateway_responses={a: GatewayResponses(d) for a, d in responses.items()},
        resource_policies=resource_policies_from_template(cfn, resolver.resolve),
    )
    return api, calls


def signed(method: str, path: str, key: str | None, body: bytes = b"{}") -> HttpRequest:
    """Signed by botocore as the DPO CLI or the telephony integration signs (the secret is the key's name)."""
    aws_request = AWSRequest(
        method=method, url=f"http://{HOST}{path}", data=body, headers={"Content-Type": "application/json"}
    )
    if key is not None:
        SigV4Auth(Credentials(key, key), "execute-api", REGION).add_auth(aws_request)
    headers = (("Host", HOST), *aws_request.headers.items())
    return HttpRequest(method=method, path=path, query="", headers=tuple(headers), body=body)


def answer(gateway: Any, method: str, path: str, key: str | None) -> tuple[int, str | None]:
    api, calls = gateway
    calls.clear()
    response = api.handle(signed(method, path, key))
    assert response is not None
    reached = calls[0][1]["requestContext"]["identity"].get("userArn") if calls else None
    if response.status == 403:
        assert not calls  # refused before the function
        assert json.loads(response.body)["error"]["code"] == "request_rejected"
    return response.status, reached


@pytest.mark.parametrize(("method", "path"), DPO_ROUTES)
def test_the_telephony_key_gets_403_on_every_dpo_route_and_the_dpo_gets_through(
    gateway: Any, method: str, path: str
) -> None:
    assert answer(gateway, method, path, "local-telephony") == (403, None)
    assert answer(gateway, method, path, "local") == (200, LOCAL_DPO_ARN)


def test_only_telephony_registers_a_recording_and_both_may_withdraw(gateway: Any) -> None:
    assert answer(gateway, "POST", "/recordings", "local-telephony") == (200, LOCAL_TELEPHONY_ARN)
    assert answer(gateway, "POST", "/recordings", "local") == (403, None)
    assert answer(gateway, "DELETE", f"/recordings/{ID}", "local-telephony") == (200, LOCAL_TELEPHONY_ARN)
    assert answer(gateway, "DELETE", f"/recordings/{ID}", "local") == (200, LOCAL_DPO_ARN)


def test_any_other_key_and_an_unsigned_call_are_refused_and_public_routes_stay_open(gateway: Any) -> None:
    assert answer(gateway, "GET", "/rights-requests", "someone-else") == (403, None)
    assert answer(gateway, "POST", "/recordings", None) == (403, None)
    assert answer(gateway, "GET", "/rights-requests/verify", None) == (200, None)  # the person's link
    assert answer(gateway, "POST", "/inquiries", None) == (200, None)


def test_an_operator_devstack_cannot_evaluate_is_refused_at_start() -> None:
    with pytest.raises(TemplateError, match="IpAddress"):
        ResourcePolicy([{"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
                         "Resource": "execute-api:/*",
                         "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.1"}}}])  # fmt: skip
    assert ResourcePolicy(None).allows(stage="v1", method="GET", path="/x", principal_arn=None)
