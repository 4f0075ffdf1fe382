"""HelpdeskEventsFunction: POST /helpdesk/events, the helpdesk automation's webhook.

The shared secret is checked before anything else, so an unauthenticated caller learns nothing about
the body's schema (a 401, never a 422). Then a thin adapter over ResolutionService.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from contact_intake import http
from contact_intake.config import HelpdeskEventsSettings
from contact_intake.errors import BodyTooLarge, ContactIntakeError, ServiceUnavailable
from contact_intake.helpdesk import HelpdeskError
from contact_intake.observability import logger, metrics
from contact_intake.resolution import HelpdeskEvent, ResolutionOutcome
from contact_intake.wiring import HelpdeskEventsWiring

settings = HelpdeskEventsSettings.from_env()  # a bad configuration fails here, at init, naming the variable
wiring = HelpdeskEventsWiring(settings)

app = APIGatewayRestResolver(enable_validation=True)
http.register_error_handlers(app)


class HelpdeskEventAccepted(BaseModel):
    outcome: ResolutionOutcome


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: list[dict[str, str]] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


def _error(description: str) -> OpenAPIResponse:
    return {"description": description, "content": {"application/json": {"model": ErrorBody}}}


@app.post(
    "/helpdesk/events",
    summary="The helpdesk reports a ticket's status (Freshdesk automation webhook)",
    description="A resolved or closed ticket ends its inquiry: a prospect's is erased with the ticket "
    "(after the configured grace period), a customer's is marked resolved and kept while the account "
    "exists. Other statuses, unknown and already erased inquiries are answered 202 with nothing done.",
    responses={
        202: {
            "description": "Done, or nothing to do.",
            "content": {"application/json": {"model": HelpdeskEventAccepted}},
        },
        401: _error("Missing or wrong X-Webhook-Secret."),
        409: _error("The ticket is not the one recorded for this inquiry; nothing was changed."),
        413: _error("Body too large."),
        422: _error("Invalid fields."),
        503: _error("Storage or the helpdesk is unavailable; retry (the erasure completes then)."),
    },
    tags=["helpdesk"],
)
def post_helpdesk_event(
    event: Annotated[HelpdeskEvent, Body(embed=False)],
    x_webhook_secret: Annotated[
        str,
        Header(description="The shared secret configured in the helpdesk's automation rule."),
    ],
) -> Response[str]:
    del x_webhook_secret  # checked in constant time before the route ran (lambda_handler)
    try:
        outcome = wiring.resolutions.ticket_changed(event)
    except HelpdeskError as error:  # the ticket could not be deleted: the item stays; the retry completes
        logger.warning("helpdesk unavailable for an erasure", extra={"error_type": type(error).__name__})
        raise ServiceUnavailable() from None
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"outcome": str(outcome)}),
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        wiring.authenticator.check(http.header(event, "X-Webhook-Secret"))
        http.check_path(event)
        if len(http.raw_body(event)) > settings.max_body_bytes:
            raise BodyTooLarge()
    except ContactIntakeError as error:
        return http.proxy_response(error, {})
    return app.resolve(event, context)
