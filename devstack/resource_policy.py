"""The REST API's resource policy (``x-amazon-apigateway-policy``), evaluated as API Gateway does for the
statements the template uses, so devstack refuses locally what AWS refuses (docs/decisions.md, D67).

A request is allowed when no Deny statement matches it and an Allow statement does; a policy that is
absent allows everything (an API without a resource policy). A statement matches when its Action covers
``execute-api:Invoke``, one of its Resources covers ``execute-api:/<stage>/<METHOD>/<path>`` (``*`` matches
any run of characters, ``/`` included, as in IAM) and all its conditions hold. The caller's context has one
key, ``aws:PrincipalArn`` (the signing principal; absent for an unsigned request). Operators devstack does
not know make the template refused at start rather than silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from devstack.template import TemplateError

PRINCIPAL_ARN: Final = "aws:PrincipalArn"


def _values(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


def _pattern(resource: str) -> re.Pattern[str]:
    return re.compile(
        "".join(".*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", resource))
    )


def _condition_holds(operator: str, key: str, wanted: tuple[str, ...], context: Mapping[str, str]) -> bool:
    present = key in context
    if operator == "Null":  # "true": the key is absent; "false": it is present
        return all((value.lower() == "true") != present for value in wanted)
    actual = context.get(key)
    if operator in {"ArnEquals", "StringEquals"}:
        return actual is not None and actual in wanted
    if operator in {"ArnNotEquals", "StringNotEquals"}:  # an absent key matches a negated operator
        return actual is None or actual not in wanted
    raise TemplateError(f"devstack does not evaluate the condition operator {operator}")


@dataclass(frozen=True)
class _Statement:
    sid: str
    allow: bool
    resources: tuple[re.Pattern[str], ...]
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...]

    def matches(self, resource: str, context: Mapping[str, str]) -> bool:
        return any(p.fullmatch(resource) for p in self.resources) and all(
            _condition_holds(operator, key, wanted, context) for operator, key, wanted in self.conditions
        )


def _statement(raw: Mapping[str, Any]) -> _Statement:
    actions = _values(raw.get("Action", ""))
    if not any(a in {"execute-api:Invoke", "execute-api:*", "*"} for a in actions):
        raise TemplateError(f"resource policy statement {raw.get('Sid')}: devstack evaluates Invoke only")
    if "NotResource" in raw or "NotPrincipal" in raw or raw.get("Principal") not in ("*", {"AWS": "*"}):
        raise TemplateError(
            f"resource policy statement {raw.get('Sid')}: devstack evaluates Principal * only"
        )
    conditions = []
    for operator, keys in (raw.get("Condition") or {}).items():
        for key, wanted in keys.items():
            _condition_holds(operator, key, _values(wanted), {})  # an unknown operator fails here, at start
            conditions.append((str(operator), str(key), _values(wanted)))
    return _Statement(
        sid=str(raw.get("Sid", "")),
        allow=raw.get("Effect") == "Allow",
        resources=tuple(_pattern(r) for r in _values(raw.get("Resource", ""))),
        conditions=tuple(conditions),
    )


class ResourcePolicy:
    """One API's resource policy; ``None`` statements: no policy, everything is allowed."""

    def __init__(self, statements: Sequence[Mapping[str, Any]] | None) -> None:
        self._statements = None if statements is None else tuple(_statement(s) for s in statements)

    def allows(self, *, stage: str, method: str, path: str, principal_arn: str | None) -> bool:
        if self._statements is None:
            return True
        resource = f"execute-api:/{stage}/{method.upper()}{path}"
        context = {} if principal_arn is None else {PRINCIPAL_ARN: principal_arn}
        matching = [s for s in self._statements if s.matches(resource, context)]
        return not any(not s.allow for s in matching) and any(s.allow for s in matching)


def resource_policies_from_template(
    template: Mapping[str, Any], resolve: Callable[[Any], Any] = lambda value: value
) -> dict[str, ResourcePolicy]:
    """Each REST API's resource policy, by API logical id (parameters resolved)."""
    found: dict[str, ResourcePolicy] = {}
    for api_id, resource in (template.get("Resources") or {}).items():
        body = (resource.get("Properties") or {}).get("Body")
        if resource.get("Type") == "AWS::ApiGateway::RestApi" and isinstance(body, Mapping):
            policy = body.get("x-amazon-apigateway-policy")
            statements = None if policy is None else resolve(policy).get("Statement") or []
            found[api_id] = ResourcePolicy(
                None if statements is None else statements if isinstance(statements, list) else [statements]
            )
    return found
