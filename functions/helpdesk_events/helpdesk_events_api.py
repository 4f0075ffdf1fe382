"""POST /helpdesk/events declared for Powertools' event handler, with its OpenAPI validation: the source of
the route's part of docs/openapi.json (tools/openapi.py) and the resolver of every request
``helpdesk_events_handler`` does not answer itself (a body the model refuses: its 422 fields come from
here). Imported on first need (docs/decisions.md D88); tests/integration/test_helpdesk_webhook.py sends
every kind of webhook through both and expects the same answer.
"""

from __future__ import annotations

from typing import Annotated

import helpdesk_events_handler as handler  # type: ignore[import-not-found]  # the function's folder is on sys.path
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from pydantic import BaseModel

from contact_intake.api import http, schema
from contact_intake.retention.resolution import HelpdeskEvent, ResolutionOutcome

app = APIGatewayRestResolver(enable_validation=True)
http.register_error_handlers(app)


class HelpdeskEventAccepted(BaseModel):
    outcome: ResolutionOutcome


@app.post(
    handler.ROUTE[1],
    summary="The helpdesk reports a ticket's status (its automation rule's webhook)",
    description="A resolved or closed ticket ends its inquiry: a prospect's is erased with the ticket "
    "(after the configured grace period), a customer's is marked resolved and kept while the account "
    "exists. Other statuses, unknown and already erased inquiries are answered 202 with nothing done.",
    responses={
        202: schema.ok("Done, or nothing to do.", HelpdeskEventAccepted),
        401: schema.error("Missing or wrong X-Webhook-Secret."),
        409: schema.error("The ticket is not the one recorded for this inquiry; nothing was changed."),
        413: schema.error("Body too large."),
        422: schema.error("Invalid fields."),
        503: schema.error("Storage or the helpdesk is unavailable; retry (the erasure completes then)."),
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
    status, headers, body = handler.accept(event)
    return Response(status_code=status, headers=headers, body=body)
