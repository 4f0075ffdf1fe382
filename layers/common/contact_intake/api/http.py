"""The HTTP boundary shared by every API function: request preparation, CORS, and the one mapping of
typed errors to JSON error bodies ``{"error": {"code", "message", "fields"}}`` (docs/architecture.md §4).

No response ever carries a stack trace, an exception message from a library, or an internal name.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import json
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload
from urllib.parse import parse_qs

from contact_intake.core.errors import (
    BodyTooLarge,
    ContactIntakeError,
    FieldError,
    MalformedBody,
    NotFound,
    UnsupportedMediaType,
    ValidationFailed,
)
from contact_intake.core.observability import log_unexpected

if TYPE_CHECKING:
    # imported where used: IntakeFunction answers its one route without Powertools' event handler, whose
    # import (with its OpenAPI validation) was the largest share of its cold start (docs/decisions.md D75)
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

Answer = tuple[int, dict[str, str], str]  # status, headers, body

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# the widget's own field name, accepted for urlencoded posts (docs/architecture.md §4)
FORM_ALIASES = {"g-recaptcha-response": "captcha_token"}

_CODES = {
    "missing": "required",
    "string_too_short": "too_short",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "extra_forbidden": "unknown_field",
    "string_pattern_mismatch": "invalid_format",
    "value_error": "invalid",
    "string_type": "wrong_type",
    "int_parsing": "wrong_type",
}


def error_body(error: ContactIntakeError) -> str:
    """The one JSON error shape ``{"error": {"code", "message", "fields"}}`` as text."""
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.fields or isinstance(error, ValidationFailed):
        body["fields"] = [f.as_dict() for f in error.fields]
    return json.dumps({"error": body})


def error_response(error: ContactIntakeError, headers: Mapping[str, str] | None = None) -> Response[str]:
    from aws_lambda_powertools.event_handler import Response

    return Response(
        status_code=error.status, content_type=JSON, body=error_body(error), headers=dict(headers or {})
    )


def error_answer(error: Exception, event: Mapping[str, Any]) -> Answer:
    """The answer to an error raised while a handler answers a route without the resolver, as the
    resolver's error handlers (register_error_handlers) give it: a typed error as its JSON body, any other
    logged by type and place only (never its message, which can quote the input) and a bare 500."""
    if not isinstance(error, ContactIntakeError):
        log_unexpected(error, where=event.get("resource") or "unknown")
        error = ContactIntakeError()
    return error.status, {"Content-Type": JSON}, error_body(error)


def routed_response(status: int, headers: Mapping[str, str], body: str) -> dict[str, Any]:
    """A proxy response as Powertools' REST resolver returns one (single values in multiValueHeaders)."""
    return {
        "statusCode": status,
        "body": body,
        "isBase64Encoded": False,
        "multiValueHeaders": {key: [value] for key, value in headers.items()},
    }


@overload
def answered(event: Mapping[str, Any], answer: Callable[[], Answer]) -> dict[str, Any]: ...


@overload
def answered(event: Mapping[str, Any], answer: Callable[[], Answer | None]) -> dict[str, Any] | None: ...


def answered(event: Mapping[str, Any], answer: Callable[[], Answer | None]) -> dict[str, Any] | None:
    """A route a handler answers without the resolver, as the resolver with its error handlers gives it:
    ``answer()``'s (status, headers, body), or what it raised (error_answer), as a proxy response. None
    when ``answer`` returns None: the resolver answers that request."""
    try:
        result = answer()
    except Exception as error:  # a typed error as its JSON body; any other logged by type and place, a 500
        result = error_answer(error, event)
    return None if result is None else routed_response(*result)


def resolved(module: str, event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The answer of the Powertools resolver ``app`` of the function's ``module`` (the function's folder is
    on sys.path), imported on the first request that needs it: what a handler does not answer itself."""
    return dict(importlib.import_module(module).app.resolve(event, context))


def field_errors(errors: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    """Pydantic/Powertools error dicts as public field errors, with no echo of the input."""
    result = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        if loc and loc[0] in {"body", "header", "query", "path"}:
            where, loc = loc[0], loc[1:]
        else:
            where = "body"
        name = ".".join(loc) if loc else where
        if where == "header":
            name = "-".join(p.capitalize() for p in name.split("-"))
        kind = str(err.get("type", "invalid"))
        message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        result.append(FieldError(field=name, code=_CODES.get(kind, kind), message=message))
    return result


def register_error_handlers(app: APIGatewayRestResolver) -> None:
    """Map every error to the one JSON error shape; unexpected ones to a bare 500."""
    from aws_lambda_powertools.event_handler.exceptions import NotFoundError
    from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

    @app.exception_handler(ContactIntakeError)  # type: ignore[untyped-decorator]
    def _domain(error: ContactIntakeError) -> Response[str]:
        return error_response(error)

    @app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
    def _validation(error: RequestValidationError) -> Response[str]:
        errors = error.errors()
        if any(str(e.get("type")) == "json_invalid" for e in errors):
            return error_response(MalformedBody())
        return error_response(ValidationFailed(fields=field_errors(errors)))

    # API Gateway matched the route but Powertools' pattern did not (a path parameter with characters its
    # pattern leaves out, e.g. U+0085): no such resource, not a server error (found by the fuzzer)
    # a body that is not UTF-8 (API Gateway hands it over base64-encoded): unreadable, as invalid JSON is
    @app.exception_handler(UnicodeDecodeError)  # type: ignore[untyped-decorator]
    def _undecodable(error: UnicodeDecodeError) -> Response[str]:
        return error_response(MalformedBody())

    @app.exception_handler(NotFoundError)  # type: ignore[untyped-decorator]
    def _not_found(error: NotFoundError) -> Response[str]:
        return error_response(NotFound())

    @app.exception_handler(Exception)  # type: ignore[untyped-decorator]
    def _unexpected(error: Exception) -> Response[str]:
        log_unexpected(error, where=app.current_event.resource or "unknown")
        return error_response(ContactIntakeError())


def header(event: Mapping[str, Any], name: str) -> str | None:
    """A request header, case-insensitively (API Gateway passes them as the client sent them)."""
    wanted = name.lower()
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == wanted:
            return str(value) if value is not None else None
    return None


def check_path(event: Mapping[str, Any]) -> None:
    """Raises NotFound for a path with a control character in it (``/rights-requests/%0A``).

    Powertools matches routes with ``^...$``, and ``$`` also matches before a final line break: such a
    path would reach another route (the list for ``/rights-requests/\\n``) or pass a path parameter
    checked without its line break. No route of ours has one, so no such path exists.
    """
    path = str(event.get("path") or "")
    if any(unicodedata.category(c) == "Cc" for c in path):
        raise NotFound()


def check_size(event: Mapping[str, Any], max_bytes: int) -> None:
    """Raises BodyTooLarge (413) for a body over ``max_bytes`` (decoded, when API Gateway sent base64)."""
    if len(raw_body(event)) > max_bytes:
        raise BodyTooLarge()


def media_type(event: Mapping[str, Any]) -> str:
    return (header(event, "content-type") or "").split(";")[0].strip().lower()


def raw_body(event: Mapping[str, Any]) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedBody() from None
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


@dataclass(frozen=True)
class PreparedPost:
    form_post: bool  # the body came urlencoded (a form without JavaScript)
    wants_html: bool  # ... and the client accepts HTML: answer with a 303 to the thank-you page


def prepare_form_post(event: dict[str, Any], max_bytes: int) -> PreparedPost:
    """Check size and media type, and turn an urlencoded body into the JSON the route validates.

    Raises BodyTooLarge (413), UnsupportedMediaType (415) or MalformedBody (400). Mutates ``event``.
    """
    data = raw_body(event)
    if len(data) > max_bytes:
        raise BodyTooLarge()
    kind = media_type(event)
    if kind not in {JSON, FORM}:
        raise UnsupportedMediaType()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedBody("The request body is not UTF-8.") from None
    if kind == JSON:
        try:
            parsed = json.loads(text)
        except ValueError:
            raise MalformedBody("The request body is not valid JSON.") from None
        if not isinstance(parsed, dict):
            raise MalformedBody("The request body must be a JSON object.")
        fields = parsed
    else:
        fields = _form_fields(text)
    event["body"] = json.dumps(fields)
    event["isBase64Encoded"] = False
    event["headers"] = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"}
    event["headers"]["Content-Type"] = JSON
    event.pop("multiValueHeaders", None)
    accepts_html = "text/html" in (header(event, "accept") or "")
    return PreparedPost(form_post=kind == FORM, wants_html=kind == FORM and accepts_html)


def _form_fields(text: str) -> dict[str, str]:
    try:
        pairs = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise MalformedBody("The form body could not be read.") from None
    fields: dict[str, str] = {}
    repeated: list[FieldError] = []
    for key, values in pairs.items():
        name = FORM_ALIASES.get(key, key)
        if len(values) > 1 or name in fields:
            repeated.append(FieldError(field=name, code="repeated", message="must be sent once"))
            continue
        fields[name] = values[0]
    if repeated:
        raise ValidationFailed(fields=repeated)
    # A browser posts every field of the form, empty ones too: an empty field was not given (so an empty
    # optional customer number is absent, not a 422, and an empty required one is "required").
    return {name: value for name, value in fields.items() if value != ""}


def cors_headers(event: Mapping[str, Any], allowed_origins: Sequence[str]) -> dict[str, str]:
    """CORS headers for an allowed Origin, none otherwise (the browser then blocks the response)."""
    origin = header(event, "origin")
    if not origin or origin not in allowed_origins:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": "POST,OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type,Idempotency-Key",
        "Access-Control-Max-Age": "600",
        "Vary": "Origin",
    }


def with_headers(response: dict[str, Any], extra: Mapping[str, str]) -> dict[str, Any]:
    """Add headers to a proxy response dict (both the single- and multi-value maps)."""
    if not extra:
        return response
    response.setdefault("headers", {}).update(extra)
    multi = response.get("multiValueHeaders")
    if isinstance(multi, dict):
        for key, value in extra.items():
            multi[key] = [value]
    return response


def proxy_response(error: ContactIntakeError, headers: Mapping[str, str]) -> dict[str, Any]:
    """An API Gateway proxy response for an error raised before the resolver runs."""
    return {
        "statusCode": error.status,
        "headers": {"Content-Type": JSON, **headers},
        "body": error_body(error),
        "isBase64Encoded": False,
    }
