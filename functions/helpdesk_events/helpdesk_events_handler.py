"""HelpdeskEventsFunction: POST /helpdesk/events, the helpdesk automation's webhook.

The shared secret is checked before anything else, so an unauthenticated caller learns nothing about
the body's schema (a 401, never a 422). Then a thin adapter over ResolutionService.

A well-formed event (a JSON object the HelpdeskEvent model accepts) is answered here without Powertools'
event handler, whose import was most of this function's cold start (docs/decisions.md D88); anything else
(a body that does not validate, another media type) goes to the resolver in ``helpdesk_events_api.py``,
imported on first need, which answers it with its validation errors. That module also declares the route
for the OpenAPI document; tests/integration/test_helpdesk_webhook.py checks that both answer alike.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from pydantic import ValidationError

from contact_intake.api import http
from contact_intake.core.errors import ContactIntakeError, ServiceUnavailable
from contact_intake.core.observability import logger, metrics
from contact_intake.helpdesk.port import HelpdeskError
from contact_intake.retention.resolution import HelpdeskEvent
from contact_intake.retention.settings import HelpdeskEventsSettings
from contact_intake.retention.wiring import HelpdeskEventsWiring

ROUTE = ("POST", "/helpdesk/events")

settings = HelpdeskEventsSettings.from_env()  # a bad configuration fails here, at init, naming the variable
wiring = HelpdeskEventsWiring(settings)


def accept(event: HelpdeskEvent) -> tuple[int, dict[str, str], str]:
    """A valid event: (status, headers, body) of the answer, or a ContactIntakeError."""
    try:
        outcome = wiring.resolutions.ticket_changed(event)
    except HelpdeskError as error:  # the ticket could not be deleted: the item stays; the retry completes
        logger.warning("helpdesk unavailable for an erasure", extra={"error_type": type(error).__name__})
        raise ServiceUnavailable() from None
    return 202, {"Content-Type": http.JSON}, json.dumps({"outcome": str(outcome)})


def _valid_event(event: dict[str, Any]) -> HelpdeskEvent | None:
    """The body as the model, when it is a JSON object the model accepts; None for the resolver."""
    content_type = (http.header(event, "content-type") or "").strip()
    body = event.get("body")
    if not content_type.startswith(http.JSON) or not isinstance(body, str):
        return None
    try:
        text = base64.b64decode(body, validate=True).decode("utf-8") if event.get("isBase64Encoded") else body
        data = json.loads(text)
        return HelpdeskEvent.model_validate(data) if isinstance(data, dict) else None
    except (binascii.Error, ValueError, ValidationError):  # ValueError: UnicodeDecodeError, JSONDecodeError
        return None


def respond(event: dict[str, Any]) -> dict[str, Any] | None:
    """The answer to an authenticated event, as the resolver with its error handlers gives it, or None
    when the resolver should answer (another path or method, or a body the model refuses)."""
    if (event.get("httpMethod"), event.get("path")) != ROUTE:
        return None
    valid = _valid_event(event)
    if valid is None:
        return None
    return http.answered(event, lambda: accept(valid))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        wiring.authenticator.check(http.header(event, "X-Webhook-Secret"))
        http.check_path(event)
        http.check_size(event, settings.max_body_bytes)
    except ContactIntakeError as error:
        return http.proxy_response(error, {})
    answer = respond(event)
    return answer if answer is not None else http.resolved("helpdesk_events_api", event, context)
