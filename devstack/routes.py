"""The API's routes, read from the translated template's REST APIs, matched as API Gateway does.

The SAM transform writes every ``Type: Api`` event into its API's OpenAPI body (paths, methods, the
Lambda proxy integration, ``security``), so that body is the single source here, Globals and
DefaultAuthorizer included.

Matching: API Gateway picks the most specific *resource* for the path (literal segments before
``{param}`` before ``{proxy+}``), then the method on it (or ANY). A resource without the method is a miss:
403 Missing Authentication Token, as API Gateway answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import unquote

from devstack.template import TemplateError

IAM: Final = "AWS_IAM"
NONE: Final = "NONE"
_ANY_METHOD: Final = "x-amazon-apigateway-any-method"
_METHODS: Final = frozenset({"get", "put", "post", "delete", "options", "head", "patch", _ANY_METHOD})
_FUNCTION_IN_URI: Final = re.compile(r"functions/\$\{([A-Za-z0-9]+)(?:\.Arn)?\}/invocations")
_LITERAL, _PARAMETER, _GREEDY = 0, 1, 2


@dataclass(frozen=True)
class Route:
    method: str  # upper case, or "ANY"
    resource: str  # the resource path template, e.g. "/rights-requests/{id}"
    function: str  # logical id of the function
    auth: str = NONE  # NONE, AWS_IAM, or the name of an authorizer devstack does not emulate
    api: str = "ServerlessRestApi"
    stage: str = "Prod"
    binary_media_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class RouteMatch:
    route: Route
    path_parameters: dict[str, str]


@dataclass(frozen=True)
class _Resource:
    template: str
    segments: tuple[tuple[int, str], ...]
    routes: dict[str, Route] = field(default_factory=dict)

    @property
    def specificity(self) -> tuple[int, ...]:
        return tuple(kind for kind, _ in self.segments)

    def match(self, parts: list[str]) -> dict[str, str] | None:
        values: dict[str, str] = {}
        for index, (kind, name) in enumerate(self.segments):
            if kind == _GREEDY:
                rest = parts[index:]
                if not rest or not rest[0]:
                    return None
                values[name] = unquote("/".join(rest))
                return values
            if index >= len(parts):
                return None
            if kind == _LITERAL and unquote(parts[index]) != name:
                return None
            if kind == _PARAMETER:
                if not parts[index]:
                    return None
                values[name] = unquote(parts[index])
        return values if len(parts) == len(self.segments) else None


def _segments(template: str) -> tuple[tuple[int, str], ...]:
    segments = []
    for part in template.strip("/").split("/") if template.strip("/") else []:
        if part.startswith("{") and part.endswith("+}"):
            segments.append((_GREEDY, part[1:-2]))
        elif part.startswith("{") and part.endswith("}"):
            segments.append((_PARAMETER, part[1:-1]))
        else:
            segments.append((_LITERAL, part))
    return tuple(segments)


class RouteTable:
    def __init__(self, routes: Iterable[Route]) -> None:
        resources: dict[str, _Resource] = {}
        for route in routes:
            resource = resources.setdefault(
                route.resource, _Resource(route.resource, _segments(route.resource))
            )
            resource.routes.setdefault(route.method, route)
        self._resources = sorted(resources.values(), key=lambda r: r.specificity)

    @property
    def routes(self) -> list[Route]:
        return [route for resource in self._resources for route in resource.routes.values()]

    def find(self, method: str, path: str) -> RouteMatch | None:
        """The route for a request, or None (no resource for the path, or not this method on it)."""
        stripped = path.strip("/")
        parts = stripped.split("/") if stripped else []
        for resource in self._resources:
            values = resource.match(parts)
            if values is None:
                continue
            route = resource.routes.get(method.upper()) or resource.routes.get("ANY")
            return RouteMatch(route, values) if route else None
        return None


def routes_from_template(
    template: Mapping[str, Any], resolve: Callable[[Any], Any] = lambda value: value
) -> list[Route]:
    """Every Lambda proxy route of every REST API in a translated template.

    ``resolve`` resolves intrinsic functions (the stage name is often a parameter).
    """
    resources: Mapping[str, Any] = template.get("Resources") or {}
    routes = []
    for api_id, resource in resources.items():
        if resource.get("Type") != "AWS::ApiGateway::RestApi":
            continue
        body = (resource.get("Properties") or {}).get("Body")
        if not isinstance(body, Mapping):
            raise TemplateError(f"{api_id}: devstack needs the API's definition inline (DefinitionBody)")
        stage = str(resolve(_stage_name(resources, api_id)))
        routes.extend(_api_routes(resources, api_id, body, stage))
    return routes


def gateway_responses_from_template(
    template: Mapping[str, Any], resolve: Callable[[Any], Any] = lambda value: value
) -> dict[str, Mapping[str, Any]]:
    """Each REST API's gateway responses (``x-amazon-apigateway-gateway-responses``), by API logical id."""
    found: dict[str, Mapping[str, Any]] = {}
    for api_id, resource in (template.get("Resources") or {}).items():
        body = (resource.get("Properties") or {}).get("Body")
        if resource.get("Type") == "AWS::ApiGateway::RestApi" and isinstance(body, Mapping):
            found[api_id] = resolve(body.get("x-amazon-apigateway-gateway-responses") or {})
    return found


def _iam_schemes(body: Mapping[str, Any]) -> set[str]:
    """Names of the SigV4 security schemes (Swagger 2 securityDefinitions, OpenAPI 3 securitySchemes)."""
    schemes = {
        **(body.get("securityDefinitions") or {}),
        **((body.get("components") or {}).get("securitySchemes") or {}),
    }
    return {
        name for name, scheme in schemes.items() if scheme.get("x-amazon-apigateway-authtype") == "awsSigv4"
    }


def _api_routes(
    resources: Mapping[str, Any], api_id: str, body: Mapping[str, Any], stage: str
) -> list[Route]:
    binary = tuple(str(t) for t in body.get("x-amazon-apigateway-binary-media-types") or [])
    iam_schemes = _iam_schemes(body)
    routes = []
    for path, operations in (body.get("paths") or {}).items():
        for method, operation in operations.items():
            function = _integrated_function(resources, operation) if method in _METHODS else None
            if function is None:
                continue
            routes.append(
                Route(
                    method="ANY" if method == _ANY_METHOD else method.upper(),
                    resource=path,
                    function=function,
                    auth=_auth(operation.get("security", body.get("security")), iam_schemes),
                    api=api_id,
                    stage=stage,
                    binary_media_types=binary,
                )
            )
    return routes


def _integrated_function(resources: Mapping[str, Any], operation: Mapping[str, Any]) -> str | None:
    integration = operation.get("x-amazon-apigateway-integration") or {}
    if integration.get("type") != "aws_proxy":
        return None  # a mock or HTTP integration: nothing for devstack to run
    uri = integration.get("uri")
    text = uri.get("Fn::Sub") if isinstance(uri, Mapping) else uri
    text = text[0] if isinstance(text, list) else text
    found = _FUNCTION_IN_URI.search(str(text))
    return _function_behind(resources, found.group(1)) if found else None


def _function_behind(resources: Mapping[str, Any], logical_id: str) -> str:
    """The function an alias or version (AutoPublishAlias) stands for; the id itself for a function."""
    resource = resources.get(logical_id) or {}
    if resource.get("Type") in {"AWS::Lambda::Alias", "AWS::Lambda::Version"}:
        target = (resource.get("Properties") or {}).get("FunctionName")
        if isinstance(target, Mapping) and isinstance(target.get("Ref"), str):
            return str(target["Ref"])
    return logical_id


def _auth(security: Any, iam_schemes: set[str]) -> str:
    names = [name for requirement in security or [] for name in requirement]
    if not names or names == [NONE]:
        return NONE
    return IAM if any(name in iam_schemes for name in names) else str(names[0])


def _stage_name(resources: Mapping[str, Any], api_id: str) -> Any:
    """The StageName of the API's stage, unresolved (often a Ref to a parameter)."""
    for resource in resources.values():
        properties = resource.get("Properties") or {}
        is_stage = resource.get("Type") == "AWS::ApiGateway::Stage"
        if is_stage and properties.get("RestApiId") == {"Ref": api_id}:
            return properties.get("StageName", "Prod")
    return "Prod"
