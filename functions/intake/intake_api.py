"""POST /inquiries declared for Powertools' event handler, with its OpenAPI validation: the source of the
route's part of docs/openapi.json (tools/openapi.py) and the reference the handler is checked against.

IntakeFunction does not import this module: ``intake_handler`` answers the route itself, with the same
model and constraints, at a fraction of the cold start (docs/decisions.md D75).
tests/integration/test_intake_api.py sends every kind of request through both and expects the same answer.
"""

from __future__ import annotations

from typing import Annotated, Any

import intake_handler  # type: ignore[import-not-found]  # the function's folder is on sys.path, as on Lambda
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from pydantic import BaseModel

from contact_intake.api import http, schema
from contact_intake.intake.models import InquiryForm

app = APIGatewayRestResolver(enable_validation=True)
http.register_error_handlers(app)


class InquiryAccepted(BaseModel):
    inquiry_id: str
    status: str


@app.post(
    intake_handler.ROUTE[1],
    summary="Send a question to customer service",
    description="JSON, or application/x-www-form-urlencoded from a form without JavaScript "
    "(then `g-recaptcha-response` may carry the token and an HTML client gets a 303).",
    responses={
        202: schema.ok("Stored and queued.", InquiryAccepted),
        303: {"description": "Urlencoded post from a browser: go to the thank-you page."},
        400: schema.error("Malformed body."),
        403: schema.error("Captcha failed."),
        409: schema.error("Idempotency-Key reused with a different body."),
        413: schema.error("Body over 32 KiB."),
        415: schema.error("Unsupported media type."),
        422: schema.error("Invalid fields."),
        503: schema.error("A dependency is unavailable; nothing was stored."),
    },
    tags=["inquiries"],
)
def post_inquiry(
    form: Annotated[InquiryForm, Body(embed=False)],
    idempotency_key: Annotated[
        str | None,
        Header(
            description="Optional client key: the same key and body give the same inquiry, once.",
            min_length=intake_handler.KEY_MIN,
            max_length=intake_handler.KEY_MAX,
            pattern=intake_handler.KEY_PATTERN,
        ),
    ] = None,
) -> Response[str]:
    event = app.current_event
    status, headers, body = intake_handler.accept(
        form, idempotency_key, event.request_context.identity.source_ip, bool(app.context.get("wants_html"))
    )
    return Response(status_code=status, headers=headers, body=body)


def respond(event: dict[str, Any], wants_html: bool, context: Any = None) -> dict[str, Any]:
    """The resolver's answer to a prepared event (http.prepare_form_post): intake_handler.respond's twin."""
    app.append_context(wants_html=wants_html)  # type: ignore[no-untyped-call]
    try:
        return dict(app.resolve(event, context))
    finally:
        app.clear_context()  # type: ignore[no-untyped-call]
