"""API Gateway's own error answers, shaped by the API's gateway responses when the template sets them.

Without customisation API Gateway answers ``{"message": "..."}``; a template's ``GatewayResponses``
(``x-amazon-apigateway-gateway-responses`` in the translated API) replace the body, status and headers per
response type, falling back to DEFAULT_4XX / DEFAULT_5XX. devstack renders the same, so a client sees
locally what it will see deployed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from devstack.http import HttpResponse

_CONTEXT_VARIABLE: Final = re.compile(r"\$context\.([A-Za-z0-9_.]+)")
_HEADER_PARAMETER: Final = "gatewayresponse.header."


@dataclass(frozen=True)
class GatewayError:
    response_type: str  # API Gateway's gateway response type
    status: int
    message: str
    error_type: str  # the x-amzn-ErrorType header


MISSING_AUTHENTICATION_TOKEN: Final = GatewayError(
    "MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token", "MissingAuthenticationTokenException"
)
INVALID_SIGNATURE: Final = GatewayError(
    "INVALID_SIGNATURE",
    403,
    "The request signature we calculated does not match the signature you provided.",
    "InvalidSignatureException",
)
UNRECOGNIZED_KEY: Final = GatewayError(
    "INVALID_SIGNATURE",
    403,
    "The security token included in the request is invalid.",
    "UnrecognizedClientException",
)
SIGNATURE_EXPIRED: Final = GatewayError(
    "INVALID_SIGNATURE", 403, "Signature expired.", "InvalidSignatureException"
)
# the API's resource policy denies this caller this route (an explicit Deny, or no Allow at all)
ACCESS_DENIED: Final = GatewayError(
    "ACCESS_DENIED",
    403,
    "User is not authorized to access this resource with an explicit deny",
    "AccessDeniedException",
)
# a function that raised, timed out, died, or answered with something that is not a proxy response
FUNCTION_FAILED: Final = GatewayError(
    "DEFAULT_5XX", 502, "Internal server error", "InternalServerErrorException"
)


def unsupported_authorizer(name: str) -> GatewayError:
    return GatewayError(
        "AUTHORIZER_CONFIGURATION_ERROR",
        500,
        f"devstack does not emulate the {name} authorizer",
        "AuthorizerFailure",
    )


class GatewayResponses:
    """One API's gateway responses (the translated ``x-amazon-apigateway-gateway-responses``)."""

    def __init__(self, definitions: Mapping[str, Any] | None = None) -> None:
        self._definitions = dict(definitions or {})

    def render(self, error: GatewayError, request_id: str) -> HttpResponse:
        fallback = "DEFAULT_4XX" if error.status < 500 else "DEFAULT_5XX"
        definition = self._definitions.get(error.response_type) or self._definitions.get(fallback) or {}
        status = int(definition.get("statusCode", error.status))
        template = (definition.get("responseTemplates") or {}).get("application/json")
        body = (
            _render_template(str(template), error, request_id)
            if template is not None
            else json.dumps({"message": error.message})
        )
        headers = [
            ("Content-Type", "application/json"),
            *_literal_headers(definition.get("responseParameters") or {}),
            ("x-amzn-ErrorType", error.error_type),
            ("x-amzn-RequestId", request_id),
        ]
        return HttpResponse(status, tuple(headers), body.encode("utf-8"))


def _render_template(template: str, error: GatewayError, request_id: str) -> str:
    values: dict[str, Callable[[], str]] = {
        "error.messageString": lambda: json.dumps(error.message),
        "error.message": lambda: error.message,
        "error.responseType": lambda: error.response_type,
        "requestId": lambda: request_id,
    }
    return _CONTEXT_VARIABLE.sub(lambda m: values.get(m.group(1), str)(), template)


def _literal_headers(parameters: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``gatewayresponse.header.X: "'value'"`` parameters with a literal value (others need a request)."""
    headers = []
    for key, value in parameters.items():
        text = str(value)
        if key.startswith(_HEADER_PARAMETER) and len(text) >= 2 and text[0] == text[-1] == "'":
            headers.append((key[len(_HEADER_PARAMETER) :], text[1:-1]))
    return headers
