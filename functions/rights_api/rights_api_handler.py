"""RightsApiFunction: the DPO's routes (AWS_IAM: SigV4-signed) and the public verification link: GET shows
the confirmation page and changes nothing (mail scanners open every link), POST confirms.

The public link is what a person waits on, so it is answered here without Powertools' event handler, whose
import (with its OpenAPI validation) and the DPO routes' models were most of the cold first response
(docs/decisions.md D85). The DPO's routes, and any public request this module does not read exactly as the
resolver would (a repeated or comma-joined token, a body that is not a plain urlencoded form), go to the
resolver in ``rights_api_app.py``, imported on first need. ``rights_api_app.py`` also declares the public
routes for Powertools: the OpenAPI document is generated from it, and tests/integration/test_rights_api.py
checks that it and this module answer every public request alike.

A thin adapter over RightsService. The DPO's identity is the IAM principal API Gateway authenticated
(``requestContext.identity.userArn``); it is recorded in the audit trail as ``dpo:<arn>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qs

from contact_intake.api import http
from contact_intake.core.errors import (
    ContactIntakeError,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)
from contact_intake.core.observability import logger, metrics
from contact_intake.core.principals import caller_arn, require_principal
from contact_intake.rights.errors import TokenGone
from contact_intake.rights.outbound import language_of, render_confirm_page, render_page
from contact_intake.rights.plain_settings import rights_api_settings
from contact_intake.rights.wiring import RightsWiring

if TYPE_CHECKING:
    from contact_intake.rights.models import RightsRequest

# the routes anyone may call (Authorizer NONE in the template): the person's verification link; every other
# route is the DPO's
PUBLIC_RESOURCES: Final = frozenset({"/rights-requests/verify"})
VERIFY: Final = "/rights-requests/verify"

# a bad configuration fails here, at init, naming the variable; read without pydantic when plain (D92)
settings = rights_api_settings()
wiring = RightsWiring(settings)

# The verification page: no scripts, no external resources, never cached, and no Referer (the URL holds
# the token).
PAGE_HEADERS = {
    # form-action: the confirmation form posts back to this API only
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
HTML: Final = "text/html; charset=utf-8"

Answer = http.Answer  # status, headers, body


# ---------------------------------------------------------------- the public link (also rights_api_app's)


def page(status: int, name: str, locale: str | None, **context: Any) -> Answer:
    return status, {"Content-Type": HTML, **PAGE_HEADERS}, render_page(name, locale, context)


def browser_language(event: Mapping[str, Any]) -> str | None:
    accept = http.header(event, "Accept-Language") or ""
    first = accept.split(",")[0].split(";")[0].strip()
    return language_of(first) if first else None


def confirm_page(status: int, request: RightsRequest, token: str, *, error: bool = False) -> Answer:
    body = render_confirm_page(
        request.locale, right=request.type, reference=request.request_id, token=token, error=error
    )
    return status, {"Content-Type": HTML, **PAGE_HEADERS}, body


def show(event: Mapping[str, Any], token: str | None) -> Answer:
    """The confirmation page for a live link. Reads only (RightsService.preview): GET and HEAD change
    nothing."""
    if not token:
        return page(400, "missing", browser_language(event))
    try:
        request = wiring.rights.preview(token)
    except TokenGone as gone:
        logger.info("verification link refused", extra={"reason": gone.reason})
        return page(410, "gone", gone.locale or browser_language(event))
    except ServiceUnavailable:
        return page(503, "unavailable", browser_language(event))
    return confirm_page(200, request, token)


def _invalid_right(event: Mapping[str, Any], token: str) -> Answer:
    """422: the form again with the error; when the link is dead too, the "no longer valid" page (still a
    422: the invalid field is checked first, whatever the token)."""
    try:
        return confirm_page(422, wiring.rights.preview(token), token, error=True)
    except TokenGone as gone:
        return page(422, "gone", gone.locale or browser_language(event))


def confirm(event: Mapping[str, Any], token: str | None, right: str | None) -> Answer:
    """The confirmation form's POST: uses the token once, as the right the person chose."""
    if http.media_type(event) != http.FORM or not token:
        return page(400, "missing", browser_language(event))
    try:
        try:
            request = wiring.rights.verify(token, right or "")
        except ValidationFailed:  # the form again, in the request's language, with the error; token unused
            return _invalid_right(event, token)
    except TokenGone as gone:
        logger.info("confirmation refused", extra={"reason": gone.reason})
        return page(410, "gone", gone.locale or browser_language(event))
    except ServiceUnavailable:
        return page(503, "unavailable", browser_language(event))
    return page(200, "confirmed", request.locale, due_date=request.effective_due_at)


def _query_token(event: Mapping[str, Any]) -> tuple[bool, str | None]:
    """(read, token): the token as the resolver reads it, or read=False when this module would read it
    differently (a repeated token, or one with a comma, which the resolver splits and joins)."""
    single = event.get("queryStringParameters") or {}
    multi = event.get("multiValueQueryStringParameters") or {}
    token = single.get("token")
    if token is None:
        return "token" not in multi, None
    return "," not in token and multi.get("token", [token]) == [token], token


def _form_fields(event: Mapping[str, Any]) -> tuple[bool, str | None, str | None]:
    """(read, token, right) of a plain urlencoded body, or read=False for any other (base64, another media
    type, a field sent twice): the resolver answers those."""
    content_type = (http.header(event, "content-type") or "").strip()
    body = event.get("body")
    if event.get("isBase64Encoded") or not content_type.startswith(http.FORM) or not isinstance(body, str):
        return False, None, None
    fields = parse_qs(body, keep_blank_values=True)
    if any(len(fields.get(name, ())) > 1 for name in ("token", "right")):
        return False, None, None
    token, right = (fields[name][0] if name in fields else None for name in ("token", "right"))
    return True, token, right


def public(event: Mapping[str, Any]) -> dict[str, Any] | None:
    """The answer to a request for the public link, as the resolver with its error handlers gives it, or
    None when the resolver should answer (see _query_token and _form_fields)."""
    return http.answered(event, lambda: _public_answer(event))


def _public_answer(event: Mapping[str, Any]) -> Answer | None:
    method = event.get("httpMethod")
    if event.get("path") != VERIFY:
        return None
    if method in {"GET", "HEAD"}:
        read, token = _query_token(event)
        return show(event, token) if read else None
    if method == "POST":
        read, token, right = _form_fields(event)
        return confirm(event, token, right) if read else None
    raise NotFound()


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        http.check_path(event)
        is_public = event.get("resource") in PUBLIC_RESOURCES
        if not is_public:  # a DPO route: the DPO's principal only (D67)
            require_principal(caller_arn(event), settings.dpo_principal_arn)
        http.check_size(event, settings.max_body_bytes)
    except ContactIntakeError as error:
        return http.proxy_response(error, {})
    answer = public(event) if is_public else None
    # every DPO route, and a public request this module does not read as the resolver would
    return answer if answer is not None else http.resolved("rights_api_app", event, context)
