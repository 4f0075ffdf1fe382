"""RecordingsFunction: the telephony integration's and the DPO's call recording routes (AWS_IAM, SigV4).

A thin adapter over RecordingsService (docs/architecture.md §7 "Call recordings", a contract):
``POST /recordings`` registers a consented recording and answers with a presigned PUT for its audio;
``GET /recordings/{id}`` shows the ledger entry (and a 5-minute download link while audio is stored);
``DELETE /recordings/{id}`` withdraws the consent: the audio is deleted at once, the entry kept as proof.
Answers carry presigned URLs, so none may be cached.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from contact_intake.api import http, schema
from contact_intake.core.errors import ContactIntakeError, UnsupportedMediaType
from contact_intake.core.observability import logger, metrics
from contact_intake.core.principals import caller_arn, require_principal
from contact_intake.recordings.models import Purpose, RecordingRegistration, RecordingStatus
from contact_intake.recordings.service import RecordingView
from contact_intake.recordings.settings import RecordingsSettings
from contact_intake.recordings.wiring import RecordingsWiring

settings = RecordingsSettings.from_env()  # a bad configuration fails here, at init, naming the variable
wiring = RecordingsWiring(settings)

app = APIGatewayRestResolver(enable_validation=True)
http.register_error_handlers(app)

RECORDING_ID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
NO_STORE = {"Cache-Control": "no-store"}


class RecordingConsentView(BaseModel):
    given: bool
    at: datetime
    purposes: list[Purpose]


class RecordingRegistered(BaseModel):
    recording_id: str
    upload_url: str
    upload_method: str
    upload_headers: dict[str, str]
    upload_expires_at: datetime
    status: RecordingStatus


class RecordingDetail(BaseModel):
    recording_id: str
    call_id: str
    status: RecordingStatus
    linked_by: str
    consent: RecordingConsentView
    content_type: str
    size_bytes: int | None
    registered_at: datetime
    upload_deadline: datetime | None
    stored_at: datetime | None
    audio_expires_at: datetime | None
    withdrawn_at: datetime | None
    withdrawn_via: str | None
    download_url: str | None
    download_expires_at: datetime | None


_ERRORS: dict[int, OpenAPIResponse] = {
    403: schema.error("Not signed, or not allowed (AWS_IAM)."),
    404: schema.error("No such recording (or an upload that never arrived, past its deadline)."),
    413: schema.error("Body too large."),
    415: schema.error("Send application/json."),
    422: schema.error("No valid consent, or nothing ties the recording to a person: nothing was stored."),
    503: schema.error("Storage unavailable; nothing was changed (retry)."),
}


def _json(status: int, body: dict[str, Any]) -> Response[str]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body),
        headers=NO_STORE,
    )


def _detail(view: RecordingView) -> dict[str, Any]:
    r = view.recording
    return RecordingDetail(
        recording_id=r.recording_id,
        call_id=r.call_id,
        status=view.status,
        linked_by=r.linked_by,
        consent=RecordingConsentView(given=True, at=r.consent_at.astimezone(UTC), purposes=list(r.purposes)),
        content_type=r.content_type,
        size_bytes=r.size_bytes,
        registered_at=r.registered_at,
        upload_deadline=r.upload_deadline,
        stored_at=r.stored_at,
        audio_expires_at=r.audio_expires_at,
        withdrawn_at=r.withdrawn_at,
        withdrawn_via=r.withdrawn_via,
        download_url=view.download_url,
        download_expires_at=view.download_expires_at,
    ).model_dump(mode="json")


@app.post(
    "/recordings",
    summary="Register a consented call recording; get the URL to upload its audio to",
    description="Only with consent given, dated, and for training, quality and/or agreement_documentation. "
    "PUT the audio to `upload_url` within 15 minutes with exactly `upload_headers`.",
    responses={201: schema.ok("Registered (pending_upload).", RecordingRegistered), **_ERRORS},
    tags=["recordings"],
)
def register_recording(registration: Annotated[RecordingRegistration, Body(embed=False)]) -> Response[str]:
    grant = wiring.recordings.register(registration)
    body = RecordingRegistered(
        recording_id=grant.recording.recording_id,
        upload_url=grant.upload_url,
        upload_method="PUT",
        upload_headers=grant.upload_headers,
        upload_expires_at=grant.upload_expires_at,
        status=grant.recording.status,
    )
    return _json(201, body.model_dump(mode="json"))


@app.get(
    "/recordings/<recording_id>",
    summary="A recording's ledger entry (the DPO), with a 5-minute download link while audio is stored",
    responses={200: schema.ok("The entry.", RecordingDetail), **_ERRORS},
    tags=["recordings"],
)
def get_recording(recording_id: Annotated[str, Path(pattern=RECORDING_ID)]) -> Response[str]:
    return _json(200, _detail(wiring.recordings.view(recording_id)))


@app.delete(
    "/recordings/<recording_id>",
    summary="Withdraw the consent: the audio is deleted at once, the entry kept (withdrawn) as proof",
    responses={200: schema.ok("Withdrawn (also when it already was).", RecordingDetail), **_ERRORS},
    tags=["recordings"],
)
def withdraw_recording(recording_id: Annotated[str, Path(pattern=RECORDING_ID)]) -> Response[str]:
    return _json(200, _detail(wiring.recordings.withdraw(recording_id, via="api")))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        http.check_path(event)
        require_principal(caller_arn(event), *_allowed(event))
        http.check_size(event, settings.max_body_bytes)
        if event.get("httpMethod") == "POST" and http.media_type(event) != http.JSON:
            raise UnsupportedMediaType("Send application/json.")
    except ContactIntakeError as error:
        return http.proxy_response(error, NO_STORE)
    return app.resolve(event, context)


def _allowed(event: dict[str, Any]) -> tuple[str, ...]:
    """Who may call this route (D67; the API's resource policy says the same): telephony registers, the
    DPO reads an entry, either withdraws a consent."""
    dpo, telephony = settings.dpo_principal_arn, settings.telephony_principal_arn
    routes: dict[tuple[str, str], tuple[str, ...]] = {
        ("POST", "/recordings"): (telephony,),
        ("GET", "/recordings/{recording_id}"): (dpo,),
    }
    return routes.get((str(event.get("httpMethod")), str(event.get("resource"))), (dpo, telephony))
