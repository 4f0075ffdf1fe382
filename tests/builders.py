"""Test data builders: one valid thing each, overridable field by field."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # this module stays light: a test's child process imports it to build an event
    from contact_intake.recordings.models import Recording

EVENTS = Path(__file__).resolve().parent.parent / "events"

NOW = datetime(2026, 11, 25, 4, 24, 36, tzinfo=UTC)
"""The tests' fixed present: where FakeClock starts unless told otherwise."""

# Distinctive values, so the log-capture test can look for them in every log line of the suite.
PERSON = {
    "name": "Zoë Quasimodo-Testperson",
    "email": "zoe.quasimodo+intake@example.org",
    "subject": "Kattenvoer bestelling 4711",
    "message": "Mijn kat Snorremans lust het nieuwe voer niet.\nKan ik het ruilen?",
    "customer_number": "C-998877",
}


def a_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": PERSON["name"],
        "email": PERSON["email"],
        "subject": PERSON["subject"],
        "message": PERSON["message"],
        "locale": "nl",
        "captcha_token": f"pass:{uuid.uuid4()}",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def an_inquiry_record(**overrides: Any) -> Any:
    """A stored prospect's inquiry (status received, 12-month expiry), as IntakeService would write it."""
    from datetime import UTC, datetime

    from contact_intake.core.retention import LawfulBasis, expires_at_epoch
    from contact_intake.intake.models import InquiryRecord

    received_at = overrides.pop("received_at", datetime.now(UTC))
    fields: dict[str, Any] = {
        "inquiry_id": str(uuid.uuid4()),
        "received_at": received_at,
        "name": PERSON["name"],
        "email": PERSON["email"],
        "subject": PERSON["subject"],
        "message": PERSON["message"],
        "locale": "nl",
        "subject_key": "0" * 64,
        "lawful_basis": LawfulBasis.LEGITIMATE_INTERESTS,
        "request_fingerprint": "f" * 64,
        "expires_at": expires_at_epoch(received_at, LawfulBasis.LEGITIMATE_INTERESTS),
    }
    fields.update(overrides)
    return InquiryRecord(**fields)


def api_event(
    body: str | dict[str, Any] | None = None,
    *,
    method: str = "POST",
    path: str = "/inquiries",
    headers: dict[str, str] | None = None,
    content_type: str | None = "application/json",
    source_ip: str = "198.51.100.23",
) -> dict[str, Any]:
    """An API Gateway REST proxy event, shaped after events/intake_post_inquiries.json."""
    event: dict[str, Any] = {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "path": f"/v1{path}",
            "stage": "v1",
            "requestId": str(uuid.uuid4()),
            "accountId": "123456789012",
            "apiId": "abcdef1234",
            "identity": {"sourceIp": source_ip, "userAgent": "pytest"},
            "requestTimeEpoch": 1764044676000,
        },
        "body": None,
        "isBase64Encoded": False,
    }
    all_headers = {"Accept": "application/json", "Origin": "https://shop.example"}
    if content_type:
        all_headers["Content-Type"] = content_type
    all_headers.update(headers or {})
    event["headers"] = all_headers
    event["multiValueHeaders"] = {k: [v] for k, v in all_headers.items()}
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    return event


def sample_event(name: str) -> dict[str, Any]:
    """A committed sample event from events/ (the same files `sam local invoke` takes)."""
    return copy.deepcopy(json.loads((EVENTS / name).read_text(encoding="utf-8")))


class FakeContext:
    function_name = "IntakeFunction"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:IntakeFunction"
    aws_request_id = "00000000-0000-4000-8000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def a_plain_mail(sender: str, to: str, subject: str, text: str, *, sender_name: str = "Test Person") -> bytes:
    """A plain-text mail as a mail client sends it (the standard ``email`` package, UTF-8, CRLF line ends):
    what SES stores for a rights request written to the privacy address."""
    message = EmailMessage(policy=SMTP)
    message["From"] = Address(sender_name, addr_spec=sender)
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Wed, 25 Nov 2026 09:12:44 +0100"
    message["Message-ID"] = f"<{uuid.uuid4()}@example.org>"
    message.set_content(text, cte="8bit")
    return message.as_bytes()


def a_recording(
    recording_id: str | None = None, subject_key: str = "a" * 64, at: datetime = NOW, **overrides: Any
) -> Recording:
    """A call recording's entry tied to the account of ``subject_key``: consented and registered ``at``, for
    quality, its upload due within the hour, kept 400 days; ``overrides`` are Recording's fields."""
    from contact_intake.recordings.models import LinkedBy, Purpose, Recording, RecordingStatus

    recording_id = recording_id or str(uuid.uuid4())
    fields: dict[str, Any] = {
        "recording_id": recording_id,
        "call_id": f"call-{recording_id[:8]}",
        "subject_key": subject_key,
        "phone_key": None,
        "linked_by": LinkedBy.CUSTOMER,
        "consent_at": at,
        "purposes": (Purpose.QUALITY,),
        "status": RecordingStatus.PENDING_UPLOAD,
        "audio_key": f"quality/{recording_id}.mp3",
        "content_type": "audio/mpeg",
        "registered_at": at,
        "expires_at": int((at + timedelta(days=400)).timestamp()),
        "upload_deadline": at + timedelta(hours=1),
    }
    return Recording(**{**fields, **overrides})
