"""Routes come from the translated template and match as API Gateway matches them."""

from __future__ import annotations

from typing import Any

import pytest
import urllib3  # noqa: F401 - it probes IPv6 with a socket when first imported: do that before sockets are off

from devstack.resources import ResourceMap, prepare_template
from devstack.routes import (
    IAM,
    NONE,
    Route,
    RouteTable,
    gateway_responses_from_template,
    routes_from_template,
)
from devstack.settings import local_parameter_values
from devstack.template import load_template
from tests.aws_support import REGION, ROOT


def table(*routes: tuple[str, str]) -> RouteTable:
    return RouteTable(Route(method, resource, f"{method}{resource}") for method, resource in routes)


def test_the_repo_template_routes_post_and_options_inquiries_to_the_intake_without_auth() -> None:
    cfn, values = prepare_template(ROOT / "template.yaml", local_parameter_values(3000), REGION)
    resolver = ResourceMap(REGION, cfn, values)

    routes = {(r.method, r.resource): r for r in routes_from_template(cfn, resolver.resolve)}

    for method in ("POST", "OPTIONS"):
        route = routes[(method, "/inquiries")]
        assert route.function == "IntakeFunction"
        assert route.auth == NONE
        assert route.stage == values["StageName"]


SAM_API = {
    "Transform": "AWS::Serverless-2016-10-31",
    "Parameters": {"Stage": {"Type": "String", "Default": "v2"}},
    "Resources": {
        "Api": {
            "Type": "AWS::Serverless::Api",
            "Properties": {
                "StageName": {"Ref": "Stage"},
                "OpenApiVersion": "3.0.1",
                "Auth": {"DefaultAuthorizer": "AWS_IAM", "InvokeRole": "NONE"},
                "GatewayResponses": {
                    "DEFAULT_4XX": {
                        "ResponseTemplates": {"application/json": '{"m": $context.error.messageString}'}
                    }
                },
            },
        },
        "Fn": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "CodeUri": "functions/x",
                "Handler": "x.handler",
                "Runtime": "python3.13",
                "AutoPublishAlias": "live",
                "Events": {
                    "Private": {
                        "Type": "Api",
                        "Properties": {"RestApiId": {"Ref": "Api"}, "Path": "/things/{id}", "Method": "get"},
                    },
                    "Public": {
                        "Type": "Api",
                        "Properties": {
                            "RestApiId": {"Ref": "Api"},
                            "Path": "/things",
                            "Method": "any",
                            "Auth": {"Authorizer": "NONE"},
                        },
                    },
                },
            },
        },
    },
}


def test_the_default_authorizer_aliases_and_the_stage_parameter_are_honoured() -> None:
    cfn, values = prepare_template(SAM_API, None, REGION)
    resolver = ResourceMap(REGION, cfn, values)

    routes = {(r.method, r.resource): r for r in routes_from_template(cfn, resolver.resolve)}

    assert routes[("GET", "/things/{id}")].auth == IAM
    assert routes[("ANY", "/things")].auth == NONE
    assert {r.function for r in routes.values()} == {"Fn"}  # not its alias FnAliaslive
    assert {r.stage for r in routes.values()} == {"v2"}
    assert {r.api for r in routes.values()} == {"Api"}
    assert gateway_responses_from_template(cfn)["Api"]["DEFAULT_4XX"]["responseTemplates"]


def test_a_literal_segment_beats_a_parameter_which_beats_a_greedy_one() -> None:
    routes = table(("GET", "/a/{proxy+}"), ("GET", "/a/{id}"), ("GET", "/a/b"))

    assert routes.find("GET", "/a/b").route.resource == "/a/b"  # type: ignore[union-attr]
    assert routes.find("GET", "/a/c").route.resource == "/a/{id}"  # type: ignore[union-attr]
    assert routes.find("GET", "/a/c/d").route.resource == "/a/{proxy+}"  # type: ignore[union-attr]


def test_path_parameters_are_decoded() -> None:
    found = table(("GET", "/rights-requests/{id}"), ("GET", "/files/{path+}"))

    assert found.find("GET", "/rights-requests/r%2F1").path_parameters == {"id": "r/1"}  # type: ignore[union-attr]
    assert found.find("GET", "/files/a/b%20c").path_parameters == {"path": "a/b c"}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/inquiries"),
        ("POST", "/inquiries/x"),
        ("POST", "/"),
        ("POST", "/inquiry"),
        ("POST", "/rights-requests/"),
    ],
)
def test_a_path_or_method_without_a_route_is_a_miss(method: str, path: str) -> None:
    routes = table(("POST", "/inquiries"), ("OPTIONS", "/inquiries"), ("GET", "/rights-requests/{id}"))

    assert routes.find(method, path) is None


def test_the_most_specific_resource_wins_even_without_the_method() -> None:
    """API Gateway picks the resource first: a method missing there is a 403, not a fall-through."""
    routes = table(("GET", "/{proxy+}"), ("POST", "/inquiries"))

    assert routes.find("GET", "/inquiries") is None
    assert routes.find("GET", "/other") is not None


def test_any_matches_every_method_and_an_exact_method_comes_first() -> None:
    routes = table(("ANY", "/things"), ("DELETE", "/things"))

    assert routes.find("PATCH", "/things").route.method == "ANY"  # type: ignore[union-attr]
    assert routes.find("DELETE", "/things").route.method == "DELETE"  # type: ignore[union-attr]


def test_a_trailing_slash_and_the_root_are_matched_like_the_gateway() -> None:
    routes = table(("GET", "/"), ("POST", "/inquiries"))

    assert routes.find("POST", "/inquiries/") is not None
    assert routes.find("GET", "/") is not None


def test_a_rest_api_without_an_inline_body_is_reported() -> None:
    template: dict[str, Any] = {"Resources": {"Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {}}}}

    with pytest.raises(Exception, match="inline"):
        routes_from_template(template)


def test_mock_integrations_are_not_routes() -> None:
    body = {"paths": {"/x": {"options": {"x-amazon-apigateway-integration": {"type": "mock"}}}}}
    template = {"Resources": {"Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": body}}}}

    assert routes_from_template(template) == []


def test_the_template_of_the_repo_loads_with_its_short_tags() -> None:
    loaded = load_template(ROOT / "template.yaml")

    assert loaded["Resources"]["InquiryQueue"]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["InquiryDLQ", "Arn"]
    }
    assert loaded["AWSTemplateFormatVersion"] == "2010-09-09"
