"""RightsApiFunction's routes declared for Powertools' event handler, with its OpenAPI validation: the
resolver of the DPO's routes and the source of docs/openapi.json (tools/openapi.py).

``rights_api_handler`` imports this module on the first request that needs it: the public verification
link it answers itself (docs/decisions.md D85). The link's routes are declared here too, over the handler's
own functions, for the document and as the reference tests/integration/test_rights_api.py checks the
handler against.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

import rights_api_handler as handler  # type: ignore[import-not-found]  # the function's folder is on sys.path
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Form, Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
)

from contact_intake.api import http, schema
from contact_intake.core.principals import require_principal
from contact_intake.intake.models import Email, Locale, OneLine200, iso_text_only, reject_binary_characters
from contact_intake.rights.deadlines import days_left
from contact_intake.rights.errors import Forbidden
from contact_intake.rights.models import RIGHTS, RequestStatus, RightsRequest, RightType
from contact_intake.rights.service import ListedRequest

app = APIGatewayRestResolver(enable_validation=True)
http.register_error_handlers(app)

REQUEST_ID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    # a control character other than a line break is a 422 at its field, like every other bad value
    BeforeValidator(reject_binary_characters),
    Field(json_schema_extra={"description": "Free text; line breaks allowed."}),
]


# ---------------------------------------------------------------- bodies and views


class CreateRightsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", title="CreateRightsRequest")

    type: RightType = Field(description="The right asked for (`unclassified` when it is not yet clear).")
    email: Email
    locale: Locale = Field(default="en", description="The person's language: nl, de, en or fr.")
    identity_verified: StrictBool = Field(  # JSON true or false; 0, 1 or "yes" are a 422
        description="true: the DPO checked the person's identity; the request is verified and queued at "
        "once. false: the person gets the acknowledgement with a verification link, as by e-mail."
    )
    received_at: Annotated[AwareDatetime, BeforeValidator(iso_text_only)] | None = Field(
        default=None, description="When the request reached us (the deadline counts from it); default now."
    )
    corrections: dict[Literal["name", "email", "customer_number"], OneLine200] | None = Field(
        default=None, description="Rectification only: the corrected values."
    )


class ExtendRightsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", title="ExtendRightsRequest")

    months: int = Field(ge=1, le=2, description="Further months (at most two in all).")
    reason: Text


class RejectRightsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", title="RejectRightsRequest")

    reasons: list[Text] = Field(min_length=1, max_length=20, description="Why the request is refused.")


class ObjectionDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", title="ObjectionDecision")

    upheld: StrictBool  # the document says boolean: 0/1 or "yes" are refused, not coerced
    grounds: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=4000),
        BeforeValidator(reject_binary_characters),
    ] = Field(default="", description="Required when not upheld: the compelling legitimate grounds.")


class AmendRightsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", title="AmendRightsRequest")

    type: RightType | None = Field(default=None, description="The right of an unclassified request.")
    corrections: dict[Literal["name", "email", "customer_number"], OneLine200] | None = Field(
        default=None, description="A rectification's corrected values."
    )


class AuditView(BaseModel):
    at: datetime
    actor: str
    action: str
    counts: dict[str, int]


class ListedView(BaseModel):
    request_id: str
    type: RightType
    status: RequestStatus
    channel: str
    received_at: datetime
    due_at: datetime
    extended_due_at: datetime | None
    days_left: int


class RequestList(BaseModel):
    requests: list[ListedView]


class RequestView(ListedView):
    locale: str
    email: str
    acknowledged_at: datetime | None
    verified_at: datetime | None
    raw_mail_key: str | None
    extension_reason: str | None
    rejection_reasons: list[str]
    objection_upheld: bool | None
    objection_grounds: str | None
    corrections: dict[str, str]
    restriction_lifted_at: datetime | None
    completed_at: datetime | None
    audit: list[AuditView]


_DPO_ERRORS: dict[int, OpenAPIResponse] = {
    403: schema.error("Not signed, or not allowed (AWS_IAM)."),
    404: schema.error("No such request."),
    409: schema.error("The request's state does not allow this action."),
    413: schema.error("Body too large."),
    422: schema.error("Invalid fields."),
    503: schema.error("Storage, mail or queue unavailable; nothing was changed (retry)."),
}


def _view(request: RightsRequest) -> dict[str, Any]:
    now = handler.wiring.clock()
    view = RequestView(
        request_id=request.request_id,
        type=request.type,
        status=request.status,
        channel=str(request.channel),
        received_at=request.received_at,
        due_at=request.due_at,
        extended_due_at=request.extended_due_at,
        days_left=days_left(request.effective_due_at, now),
        locale=request.locale,
        email=request.email,
        acknowledged_at=request.acknowledged_at,
        verified_at=request.verified_at,
        raw_mail_key=request.raw_mail_key,
        extension_reason=request.extension_reason,
        rejection_reasons=request.rejection_reasons,
        objection_upheld=request.objection_upheld,
        objection_grounds=request.objection_grounds,
        corrections=request.corrections,
        restriction_lifted_at=request.restriction_lifted_at,
        completed_at=request.completed_at,
        audit=[
            AuditView(at=e.at, actor=e.actor, action=e.action, counts=dict(e.counts)) for e in request.audit
        ],
    )
    return view.model_dump(mode="json")


def _listed(item: ListedRequest) -> dict[str, Any]:
    s = item.summary
    return ListedView(
        request_id=s.request_id,
        type=s.type,
        status=s.status,
        channel=str(s.channel),
        received_at=s.received_at,
        due_at=s.due_at,
        extended_due_at=s.extended_due_at,
        days_left=item.days_left,
    ).model_dump(mode="json")


def _json(status: int, body: dict[str, Any]) -> Response[str]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def _principal() -> str:
    """The caller's IAM principal, as API Gateway authenticated it: the configured DPO's, or 403 (the API's
    resource policy refuses anyone else first; this is the second check, D67)."""
    arn = app.current_event.request_context.identity.user_arn
    if not arn:
        raise Forbidden()
    return require_principal(arn, handler.settings.dpo_principal_arn)


def _api_url() -> str:
    """The verification link's base: PUBLIC_API_URL, else this API's execute-api URL and stage."""
    if handler.settings.public_api_url:
        return str(handler.settings.public_api_url)
    context = app.current_event.request_context
    return f"https://{context.domain_name}/{context.stage}"


# ---------------------------------------------------------------- the public link


def _response(answer: handler.Answer) -> Response[str]:
    status, headers, body = answer
    return Response(status_code=status, headers=headers, body=body)


_PAGE_RESPONSES: dict[int, OpenAPIResponse] = {
    400: {
        "description": "The link has no token, or the form could not be read.",
        "content": {"text/html": {}},
    },
    410: {
        "description": "The link is unknown, was already used, was replaced by a newer one, or has expired.",
        "content": {"text/html": {}},
    },
    503: {"description": "Temporarily unavailable; the link still works.", "content": {"text/html": {}}},
}


@app.get(
    "/rights-requests/verify",
    summary="The page an e-mailed link opens: what was asked and what it does, with a confirmation form",
    description="Opened from the acknowledgement e-mail (and by mail gateways' link scanners). Changes "
    "nothing: the token is not used, nothing is queued or recorded. The HTML page, in the request's "
    "language, names the right read from the mail and what carrying out each right does, and holds a form "
    "(no script) that posts `token` and the chosen `right` to `POST /rights-requests/verify`.",
    responses={
        200: {"description": "The confirmation page.", "content": {"text/html": {}}},
        **_PAGE_RESPONSES,
    },
    tags=["rights"],
)
def show_confirmation(
    token: Annotated[str | None, Query(description="The token from the e-mail.")] = None,
) -> Response[str]:
    return _response(handler.show(app.current_event.raw_event, token))


@app.head("/rights-requests/verify", include_in_schema=False)
def show_confirmation_head(token: Annotated[str | None, Query()] = None) -> Response[str]:
    return _response(handler.show(app.current_event.raw_event, token))


@app.post(
    "/rights-requests/verify",
    summary="Confirm a rights request (mailbox control), as the right the person chose",
    description="Posted by the confirmation page's form (`application/x-www-form-urlencoded`). Uses the "
    "token once (of two concurrent posts one wins, the other gets 410), sets the request's right to the "
    "chosen one, queues it and records in the audit trail whether the right was changed. No cookie: the "
    "token is the secret. A `right` that is not one of the seven answers 422 with the form again, and the "
    "token stays unused.",
    responses={
        200: {"description": "Confirmed.", "content": {"text/html": {}}},
        422: {
            "description": "No valid right chosen; nothing was used. The page shows the form again, or, when "
            "the link is no longer valid either, says so.",
            "content": {"text/html": {}},
        },
        **_PAGE_RESPONSES,
    },
    tags=["rights"],
)
def confirm(
    token: Annotated[
        str | None, Form(description="The token from the e-mail (a hidden field of the page).")
    ] = None,
    right: Annotated[
        str | None,
        Form(
            description="The right to carry out: one of " + ", ".join(f"`{r}`" for r in RIGHTS) + ".",
            json_schema_extra={"enum": [str(r) for r in RIGHTS]},
        ),
    ] = None,
) -> Response[str]:
    return _response(handler.confirm(app.current_event.raw_event, token, right))


# ---------------------------------------------------------------- the DPO's routes (AWS_IAM)


@app.post(
    "/rights-requests",
    summary="Record a request the DPO received (letter, phone, in person)",
    responses={201: schema.ok("Created.", RequestView), **_DPO_ERRORS},
    tags=["rights (DPO)"],
)
def create_request(body: Annotated[CreateRightsRequest, Body(embed=False)]) -> Response[str]:
    request = handler.wiring.rights.create_on_behalf(
        principal=_principal(),
        email=str(body.email),
        right=str(body.type),
        locale=body.locale,
        identity_verified=body.identity_verified,
        received_at=body.received_at,
        corrections={str(k): v for k, v in body.corrections.items()} if body.corrections else None,
        api_url=_api_url(),
    )
    return _json(201, _view(request))


@app.get(
    "/rights-requests",
    summary="List rights requests (open ones by default), earliest deadline first",
    responses={200: schema.ok("The requests, without e-mail addresses.", RequestList), **_DPO_ERRORS},
    tags=["rights (DPO)"],
)
def list_requests(
    status: Annotated[
        Literal[
            "open", "awaiting_verification", "verified", "in_progress", "completed", "rejected", "expired"
        ],
        Query(
            description="`open`: awaiting verification, verified or in progress. `expired`: the link's life "
            "ran out unconfirmed (terminal; nothing was mailed)."
        ),
    ] = "open",
) -> Response[str]:
    _principal()
    return _json(200, {"requests": [_listed(item) for item in handler.wiring.rights.list_requests(status)]})


@app.get(
    "/rights-requests/<request_id>",
    summary="One request, with its audit trail",
    responses={200: schema.ok("The request.", RequestView), **_DPO_ERRORS},
    tags=["rights (DPO)"],
)
def get_request(request_id: Annotated[str, Path(pattern=REQUEST_ID)]) -> Response[str]:
    _principal()
    return _json(200, _view(handler.wiring.rights.get(request_id)))


@app.post(
    "/rights-requests/<request_id>/extend",
    summary="Extend the deadline by up to two months, with a reason (inside the first month; notified)",
    responses={200: schema.ok("Extended.", RequestView), **_DPO_ERRORS},
    tags=["rights (DPO)"],
)
def extend_request(
    request_id: Annotated[str, Path(pattern=REQUEST_ID)],
    body: Annotated[ExtendRightsRequest, Body(embed=False)],
) -> Response[str]:
    request = handler.wiring.rights.extend(
        request_id, months=body.months, reason=body.reason, principal=_principal()
    )
    return _json(200, _view(request))


@app.post(
    "/rights-requests/<request_id>/reject",
    summary="Refuse a request, with reasons (the person is told of the right to complain)",
    responses={200: schema.ok("Rejected.", RequestView), **_DPO_ERRORS},
    tags=["rights (DPO)"],
)
def reject_request(
    request_id: Annotated[str, Path(pattern=REQUEST_ID)],
    body: Annotated[RejectRightsRequest, Body(embed=False)],
) -> Response[str]:
    return _json(
        200, _view(handler.wiring.rights.reject(request_id, reasons=body.reasons, principal=_principal()))
    )


@app.post(
    "/rights-requests/<request_id>/objection-decision",
    summary="Decide an objection: upheld (erase) or not (the compelling grounds; the restriction is lifted)",
    responses={200: schema.ok("Decided.", RequestView), **_DPO_ERRORS},
    tags=["rights (DPO)"],
)
def decide_objection(
    request_id: Annotated[str, Path(pattern=REQUEST_ID)],
    body: Annotated[ObjectionDecision, Body(embed=False)],
) -> Response[str]:
    request = handler.wiring.rights.decide_objection(
        request_id, upheld=body.upheld, grounds=body.grounds, principal=_principal()
    )
    return _json(200, _view(request))


@app.post(
    "/rights-requests/<request_id>/lift-restriction",
    summary="Lift the restriction a completed restriction request put in place (the person is told first)",
    responses={200: schema.ok("Lifting queued.", RequestView), **_DPO_ERRORS},
    tags=["rights (DPO)"],
)
def lift_restriction(request_id: Annotated[str, Path(pattern=REQUEST_ID)]) -> Response[str]:
    return _json(200, _view(handler.wiring.rights.lift_restriction(request_id, principal=_principal())))


@app.post(
    "/rights-requests/<request_id>/resend",
    summary="Send a fresh confirmation link for a request awaiting verification (the old link dies)",
    description="The new token replaces the old in one write (the old link answers 410 from then on); the "
    "person gets the acknowledgement again with the new link, valid for seven days. A confirmed, closed or "
    "expired request is refused with 409.",
    responses={200: schema.ok("Resent.", RequestView), **_DPO_ERRORS},
    tags=["rights (DPO)"],
)
def resend_link(request_id: Annotated[str, Path(pattern=REQUEST_ID)]) -> Response[str]:
    request = handler.wiring.rights.resend(request_id, principal=_principal(), api_url=_api_url())
    return _json(200, _view(request))


@app.post(
    "/rights-requests/<request_id>/amend",
    summary="Classify an unclassified request, or give a rectification's corrections (queued when ready)",
    responses={200: schema.ok("Amended.", RequestView), **_DPO_ERRORS},
    tags=["rights (DPO)"],
)
def amend_request(
    request_id: Annotated[str, Path(pattern=REQUEST_ID)],
    body: Annotated[AmendRightsRequest, Body(embed=False)],
) -> Response[str]:
    request = handler.wiring.rights.amend(
        request_id,
        principal=_principal(),
        right=str(body.type) if body.type else None,
        corrections={str(k): v for k, v in body.corrections.items()} if body.corrections else None,
    )
    return _json(200, _view(request))
