"""IntakeFunction: POST /inquiries (and its CORS preflight). A thin adapter over IntakeService."""

from __future__ import annotations

import json
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from contact_intake import http
from contact_intake.config import IntakeSettings
from contact_intake.errors import ContactIntakeError
from contact_intake.models import InquiryForm
from contact_intake.observability import logger, metrics
from contact_intake.wiring import IntakeWiring

settings = IntakeSettings.from_env()  # a bad configuration fails here, at init, naming the variable
wiring = IntakeWiring(settings)

app = APIGatewayRestResolver(enable_validation=True)
http.register_error_handlers(app)


class InquiryAccepted(BaseModel):
    inquiry_id: str
    status: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: list[dict[str, str]] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


def _error(description: str) -> OpenAPIResponse:
    return {"description": description, "content": {"application/json": {"model": ErrorBody}}}


@app.post(
    "/inquiries",
    summary="Send a question to customer service",
    description="JSON, or application/x-www-form-urlencoded from a form without JavaScript "
    "(then `g-recaptcha-response` may carry the token and an HTML client gets a 303).",
    responses={
        202: {
            "description": "Stored and queued.",
            "content": {"application/json": {"model": InquiryAccepted}},
        },
        303: {"description": "Urlencoded post from a browser: go to the thank-you page."},
        400: _error("Malformed body."),
        403: _error("Captcha failed."),
        409: _error("Idempotency-Key reused with a different body."),
        413: _error("Body over 32 KiB."),
        415: _error("Unsupported media type."),
        422: _error("Invalid fields."),
        503: _error("A dependency is unavailable; nothing was stored."),
    },
    tags=["inquiries"],
)
def post_inquiry(
    form: Annotated[InquiryForm, Body(embed=False)],
    idempotency_key: Annotated[
        str | None,
        Header(
            description="Optional client key: the same key and body give the same inquiry, once.",
            min_length=1,
            max_length=128,
            pattern=r"^[\x21-\x7e]+$",
        ),
    ] = None,
) -> Response[str]:
    event = app.current_event
    result = wiring.intake.submit(
        form, idempotency_key=idempotency_key, remote_ip=event.request_context.identity.source_ip
    )
    if app.context.get("wants_html"):
        return Response(status_code=303, headers={"Location": settings.thank_you_url}, body="")
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"inquiry_id": result.inquiry_id, "status": result.status}),
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    cors = http.cors_headers(event, settings.allowed_origins)
    if event.get("httpMethod") == "OPTIONS":
        return {"statusCode": 204 if cors else 403, "headers": cors, "body": "", "isBase64Encoded": False}
    try:
        http.check_path(event)
        prepared = http.prepare_form_post(event, settings.max_body_bytes)
    except ContactIntakeError as error:
        return http.proxy_response(error, cors)
    app.append_context(wants_html=prepared.wants_html)  # type: ignore[no-untyped-call]
    return http.with_headers(app.resolve(event, context), cors)
