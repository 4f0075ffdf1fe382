"""IntakeFunction: POST /inquiries (and its CORS preflight). A thin adapter over IntakeService.

The one route is answered without Powertools' event handler: importing it (with its OpenAPI validation)
was the largest share of a cold start (docs/decisions.md D75). The body is validated with the same
pydantic model, the Idempotency-Key header with the same constraints, and errors take the same shape.
``intake_api.py`` declares the same route for Powertools: the OpenAPI document is generated from it, and
tests/integration/test_intake_api.py checks that it and this handler answer every request alike.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import StringConstraints, TypeAdapter, ValidationError

from contact_intake.api import http
from contact_intake.core import snapstart
from contact_intake.core.errors import ContactIntakeError, NotFound, ValidationFailed
from contact_intake.core.observability import logger, metrics
from contact_intake.intake.models import InquiryForm
from contact_intake.intake.plain_settings import intake_settings
from contact_intake.intake.wiring import IntakeWiring

ROUTE = ("POST", "/inquiries")
IDEMPOTENCY_HEADER = "idempotency-key"
# the header's constraints, here and in intake_api.py's declaration (the document's source)
KEY_MIN, KEY_MAX, KEY_PATTERN = 1, 128, r"^[\x21-\x7e]+$"
_idempotency_key: TypeAdapter[str] = TypeAdapter(
    Annotated[str, StringConstraints(min_length=KEY_MIN, max_length=KEY_MAX, pattern=KEY_PATTERN)]
)

# a bad configuration fails here, at init, naming the variable; read without its model when plain (D93)
settings = intake_settings()
wiring = IntakeWiring(settings)


def accept(
    form: InquiryForm, idempotency_key: str | None, remote_ip: str | None, wants_html: bool
) -> tuple[int, dict[str, str], str]:
    """Submit a valid form: (status, headers, body) of the answer."""
    result = wiring.intake.submit(form, idempotency_key=idempotency_key, remote_ip=remote_ip)
    if wants_html:
        return 303, {"Location": settings.thank_you_url}, ""
    body = json.dumps({"inquiry_id": result.inquiry_id, "status": result.status})
    return 202, {"Content-Type": http.JSON}, body


def validated(event: Mapping[str, Any]) -> tuple[InquiryForm, str | None]:
    """The form and the Idempotency-Key of a prepared event (http.prepare_form_post), or ValidationFailed
    listing every bad field, the header's first: the errors Powertools' validation reported."""
    errors: list[dict[str, Any]] = []
    headers = {str(key).lower(): value for key, value in (event.get("headers") or {}).items()}
    key = headers.get(IDEMPOTENCY_HEADER)
    if key is not None:
        try:
            key = _idempotency_key.validate_python(key)
        except ValidationError as error:
            errors += [{**e, "loc": ("header", IDEMPOTENCY_HEADER, *e["loc"])} for e in error.errors()]
    form: InquiryForm | None = None
    try:
        form = InquiryForm.model_validate(json.loads(event["body"]))
    except ValidationError as error:
        errors += [{**e, "loc": ("body", *e["loc"])} for e in error.errors()]
    if errors or form is None:
        raise ValidationFailed(fields=http.field_errors(errors))
    return form, key


def respond(event: dict[str, Any], wants_html: bool) -> dict[str, Any]:
    """The answer to a prepared event, as the Powertools resolver with its error handlers gave it."""
    return http.answered(event, lambda: _answer(event, wants_html))


def _answer(event: dict[str, Any], wants_html: bool) -> http.Answer:
    if (event.get("httpMethod"), event.get("path")) != ROUTE:
        raise NotFound()
    form, key = validated(event)
    source_ip = ((event.get("requestContext") or {}).get("identity") or {}).get("sourceIp")
    return accept(form, key, source_ip, wants_html)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    cors = http.cors_headers(event, settings.allowed_origins)
    if event.get("httpMethod") == "OPTIONS":
        return {"statusCode": 204 if cors else 403, "headers": cors, "body": "", "isBase64Encoded": False}
    try:
        http.check_path(event)
        prepared = http.prepare_form_post(event, settings.max_body_bytes)
    except ContactIntakeError as error:
        return http.proxy_response(error, cors)
    return http.with_headers(respond(event, prepared.wants_html), cors)


@snapstart.before_snapshot
def _prime() -> None:
    """Under SnapStart: what the first request would otherwise pay, done once before the snapshot."""
    wiring.prime()
    form = {"name": "P", "email": "prime@example.org", "subject": "S", "message": "M", "captcha_token": "t"}
    validated({"headers": {"Idempotency-Key": "prime"}, "body": json.dumps(form)})


@snapstart.after_restore
def _restored() -> None:
    """Each restored copy of the snapshot: its own random state, no connection or secret from the snapshot."""
    wiring.restored()
