"""Call recordings on moto, with the template's RecordingsTable and RecordingsBucket (docs/architecture.md §7
"Call
recordings"): no consent, no recording; an upload URL for exactly one object; every object either a stored
recording or deleted; a withdrawal deletes the audio at once and keeps the entry as proof; the rights
worker's interface finds, lists, withdraws and erases a person's recordings."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import boto3
import pytest
import requests
from botocore.stub import Stubber

from contact_intake.core.clients import Clients
from contact_intake.core.subject import subject_key
from contact_intake.recordings.service import RecordingsRights, UploadConfirmer, UploadOutcome
from contact_intake.recordings.settings import RecordingsSettings, RecordingUploadedSettings
from contact_intake.recordings.wiring import (
    RecordingsStorageWiring,
    RecordingsWiring,
    RecordingUploadedWiring,
)
from tests.builders import PERSON, FakeContext, api_event, sample_event
from tests.fakes import FakeClock
from tests.integration.conftest import LOCAL_SECRETS, REGION, Aws, Function, wire_handler
from tests.presigned_s3 import s3_refusal

PEPPER = LOCAL_SECRETS["/contact-intake/subject-pepper"].encode()
PHONE = "+31 6 1234 5678"  # the log capture's needle: it must never reach a log line
RECORDINGS = Function(
    "recordings_handler",
    RecordingsSettings,
    RecordingsWiring,
    ("RECORDINGS_TABLE", "RECORDINGS_BUCKET", "ACCOUNTS_TABLE"),
)
RECORDING_UPLOADED = Function(
    "recording_uploaded_handler", RecordingUploadedSettings, RecordingUploadedWiring, ()
)  # on the resources RECORDINGS set
AUDIO = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 8


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def recordings(aws: Aws, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> RecordingsWiring:
    """RecordingsFunction's handler, pointed at this test's moto resources and ``clock``."""
    return wire_handler(aws, monkeypatch, RECORDINGS, counted=(), clock=clock)


@pytest.fixture
def uploaded(
    aws: Aws, recordings: RecordingsWiring, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Any:
    """RecordingUploadedFunction's handler module, on the same resources."""
    wire_handler(aws, monkeypatch, RECORDING_UPLOADED, counted=(), clock=clock)
    return importlib.import_module(str(RECORDING_UPLOADED.module))


@pytest.fixture
def rights(recordings: RecordingsWiring, clock: FakeClock) -> RecordingsRights:
    """What the rights worker calls: built as it builds it, from the storage settings."""
    return RecordingsStorageWiring(recordings.settings, Clients(), clock=clock).rights


def a_registration(clock: FakeClock, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "call_id": "call-2026-11-25-000417",
        "phone": PHONE,
        "consent": {
            "given": True,
            "at": (clock() - timedelta(minutes=12)).isoformat(),
            "purposes": ["quality", "training"],
        },
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


# sessions of the roles tests/conftest.py configures as DPO_PRINCIPAL_ARN and TELEPHONY_PRINCIPAL_ARN
DPO_SESSION = "arn:aws:sts::123456789012:assumed-role/ContactIntakeDPO/anna.devries"
TELEPHONY_SESSION = "arn:aws:sts::123456789012:assumed-role/TelephonyRecordings/pbx-recorder"


def call(
    method: str, path: str, body: Any = None, *, caller: str | None = None, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    """The route as its principal calls it: telephony registers and withdraws, the DPO reads."""
    event = api_event(body, method=method, path=path, **kwargs)
    default = DPO_SESSION if method == "GET" else TELEPHONY_SESSION
    event["requestContext"]["identity"]["userArn"] = caller or default
    if path.startswith("/recordings/"):
        event["resource"] = "/recordings/{recording_id}"
        event["pathParameters"] = {"recording_id": path.rsplit("/", 1)[1]}
    answer = importlib.import_module("recordings_handler").lambda_handler(event, FakeContext())
    return answer["statusCode"], json.loads(answer["body"]) if answer.get("body") else {}


def register(clock: FakeClock, **overrides: Any) -> dict[str, Any]:
    status, body = call("POST", "/recordings", a_registration(clock, **overrides))
    assert status == 201, body
    return body


def ledger_items(aws: Aws) -> list[dict[str, Any]]:
    return list(aws.dynamodb.scan(TableName=aws.name("RecordingsTable"), ConsistentRead=True)["Items"])


def ledger_item(aws: Aws, recording_id: str) -> dict[str, Any]:
    item = aws.dynamodb.get_item(
        TableName=aws.name("RecordingsTable"), Key={"recording_id": {"S": recording_id}}, ConsistentRead=True
    )
    return dict(item["Item"])


def s3(aws: Aws) -> Any:
    return aws.session.client("s3")


def object_versions(aws: Aws) -> list[tuple[str, str]]:
    listed = s3(aws).list_object_versions(Bucket=aws.name("RecordingsBucket"))
    entries = [*listed.get("Versions", []), *listed.get("DeleteMarkers", [])]
    return [(v["Key"], v["VersionId"]) for v in entries]


def upload(grant: dict[str, Any], body: bytes = AUDIO, headers: dict[str, str] | None = None) -> int:
    """PUT the audio to the presigned URL as the telephony system does (requests, intercepted by moto)."""
    sent = headers if headers is not None else dict(grant["upload_headers"])
    sent.pop("Content-Length", None)  # requests sets it from the body
    return requests.put(grant["upload_url"], data=body, headers=sent, timeout=10).status_code


def a_stored_recording(uploaded: Any, aws: Aws, clock: FakeClock, **registration: Any) -> dict[str, Any]:
    """A registration whose audio was uploaded and confirmed now: its grant."""
    grant = register(clock, **registration)
    assert upload(grant) == 200
    assert object_created(uploaded, aws, key_of(grant), len(AUDIO), clock()) == "stored"
    return grant


def refusal(method: str, url: str, headers: dict[str, str], now: datetime | None = None) -> str | None:
    """Whether S3 would refuse the request (the URLs are signed with moto's fake session credentials)."""
    secret = boto3.session.Session().get_credentials().secret_key
    return s3_refusal(method, url, headers, secret_key=secret, now=now or datetime.now(UTC))


def object_created(uploaded: Any, aws: Aws, key: str, size: int, at: datetime) -> str:
    """S3's EventBridge "Object Created" event (the committed sample, for this object) to the handler."""
    event = sample_event("recording_uploaded_object_created.json")
    event["time"] = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    event["detail"]["bucket"]["name"] = aws.name("RecordingsBucket")
    event["detail"]["object"].update({"key": key, "size": size})
    return str(uploaded.lambda_handler(event, FakeContext())["outcome"])


def put_account(aws: Aws, customer_number: str, email: str, status: str = "open") -> str:
    key = subject_key(email, PEPPER)
    item = {"customer_number": {"S": customer_number}, "status": {"S": status}, "version": {"S": "1"}}
    if status == "open":
        item["subject_key"] = {"S": key}
    aws.dynamodb.put_item(TableName=aws.name("AccountsTable"), Item=item)
    return key


def key_of(grant: dict[str, Any]) -> str:
    """The object key of an upload URL (virtual-hosted: the path is the key)."""
    return urlsplit(grant["upload_url"]).path.lstrip("/")


# ---------------------------------------------------------------- registration


def test_a_consented_recording_gets_an_upload_url_for_exactly_its_object(
    aws: Aws, recordings: RecordingsWiring, clock: FakeClock
) -> None:
    grant = register(clock, size_bytes=len(AUDIO))

    assert grant["status"] == "pending_upload"
    assert grant["upload_method"] == "PUT"
    assert grant["upload_headers"] == {
        "Content-Type": "audio/mpeg",
        "Content-Length": str(len(AUDIO)),
        "If-None-Match": "*",
    }
    assert grant["upload_expires_at"] == (clock() + timedelta(minutes=15)).isoformat().replace("+00:00", "Z")
    url = urlsplit(grant["upload_url"])
    # the regional virtual-hosted endpoint, not the global one that redirects (and breaks the signature)
    assert url.netloc == f"{aws.name('RecordingsBucket')}.s3.{REGION}.amazonaws.com"
    # quality and training keep audio equally long (90 days): the prefix is one of theirs
    assert url.path == f"/quality/{grant['recording_id']}.mp3"
    query = dict(parse_qsl(url.query))
    assert query["X-Amz-Expires"] == "900"
    assert query["X-Amz-SignedHeaders"] == "content-length;content-type;host;if-none-match"
    (item,) = ledger_items(aws)
    assert item["recording_id"] == {"S": grant["recording_id"]}
    assert item["status"] == {"S": "pending_upload"}
    assert item["purposes"]["SS"] == ["quality", "training"] or set(item["purposes"]["SS"]) == {
        "quality",
        "training",
    }
    assert item["linked_by"] == {"S": "phone"}
    # no phone number in the ledger: its HMAC, as the person's key and as the phone's
    assert PHONE.replace(" ", "") not in json.dumps(item)
    assert item["subject_key"] == item["phone_key"]
    # the entry lives as long as an upload may still arrive: 15 minutes and 15 of grace
    assert int(item["expires_at"]["N"]) == int((clock() + timedelta(minutes=30)).timestamp())
    assert object_versions(aws) == []


def test_the_longest_purpose_decides_where_the_audio_goes(
    aws: Aws, recordings: RecordingsWiring, clock: FakeClock
) -> None:
    consent = a_registration(clock)["consent"] | {"purposes": ["training", "agreement_documentation"]}
    grant = register(clock, consent=consent, content_type="audio/wav")
    assert key_of(grant) == f"agreement_documentation/{grant['recording_id']}.wav"
    assert grant["upload_headers"] == {"Content-Type": "audio/wav", "If-None-Match": "*"}


def _consent(clock: FakeClock, **changes: Any) -> dict[str, Any]:
    consent = dict(a_registration(clock)["consent"])
    consent.update(changes)
    return {k: v for k, v in consent.items() if v is not None}


# (name, how the valid registration is spoiled, the field the 422 names)
BAD_REGISTRATIONS: list[tuple[str, Callable[[FakeClock], dict[str, Any]], str]] = [
    ("no consent", lambda c: {**a_registration(c), "consent": None}, "consent"),
    ("consent not given", lambda c: {"consent": _consent(c, given=False)}, "consent.given"),
    ("given as text", lambda c: {"consent": _consent(c, given="true")}, "consent.given"),
    ("given as number", lambda c: {"consent": _consent(c, given=1)}, "consent.given"),
    (
        "given missing",
        lambda c: {"consent": {k: v for k, v in _consent(c).items() if k != "given"}},
        "consent.given",
    ),
    (
        "unknown purpose",
        lambda c: {"consent": _consent(c, purposes=["quality", "marketing"])},
        "consent.purposes.1",
    ),
    ("no purpose", lambda c: {"consent": _consent(c, purposes=[])}, "consent.purposes"),
    (
        "purpose twice",
        lambda c: {"consent": _consent(c, purposes=["quality", "quality"])},
        "consent.purposes",
    ),
    ("purposes not a list", lambda c: {"consent": _consent(c, purposes="quality")}, "consent.purposes"),
    (
        "consent in the future",
        lambda c: {"consent": _consent(c, at=(c() + timedelta(hours=1)).isoformat())},
        "consent.at",
    ),
    ("consent time unparseable", lambda c: {"consent": _consent(c, at="yesterday at noon")}, "consent.at"),
    ("consent time without zone", lambda c: {"consent": _consent(c, at="2026-11-25T03:00:00")}, "consent.at"),
    ("consent time as a number", lambda c: {"consent": _consent(c, at=1764040000)}, "consent.at"),
    ("consent time missing", lambda c: {"consent": _consent(c, at=None)}, "consent.at"),
    ("unknown consent field", lambda c: {"consent": _consent(c, scope="all")}, "consent.scope"),
    ("neither phone nor customer", lambda c: {"phone": None}, "phone"),
    (
        "unknown customer, no phone",
        lambda c: {"phone": None, "customer_number": "C-000000"},
        "customer_number",
    ),
    ("national phone number", lambda c: {"phone": "06 1234 5678"}, "phone"),
    ("phone with letters", lambda c: {"phone": "+31 6 CALL ME"}, "phone"),
    ("no call id", lambda c: {"call_id": None}, "call_id"),
    ("call id with a space", lambda c: {"call_id": "call 1"}, "call_id"),
    ("another media type", lambda c: {"content_type": "video/mp4"}, "content_type"),
    ("size zero", lambda c: {"size_bytes": 0}, "size_bytes"),
    ("size over the limit", lambda c: {"size_bytes": 256 * 1024 * 1024 + 1}, "size_bytes"),
    ("unknown field", lambda c: {"marketing_ok": True}, "marketing_ok"),
]


@pytest.mark.parametrize(
    ("spoil", "field"), [(s, f) for _, s, f in BAD_REGISTRATIONS], ids=[c for c, _, _ in BAD_REGISTRATIONS]
)
def test_without_valid_consent_nothing_is_stored(
    aws: Aws, recordings: RecordingsWiring, clock: FakeClock, spoil: Any, field: str
) -> None:
    body = {**a_registration(clock), **spoil(clock)}
    status, answer = call("POST", "/recordings", {k: v for k, v in body.items() if v is not None})

    assert status == 422, answer
    assert answer["error"]["code"] == "validation_error"
    assert field in [f["field"] for f in answer["error"]["fields"]], answer
    assert "upload_url" not in answer
    assert ledger_items(aws) == []
    assert object_versions(aws) == []


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[]", "application/json", 422),
        ('{"call_id": "x"}', "text/plain", 415),
        ("{}" + " " * 9000, "application/json", 413),
    ],
)
def test_malformed_requests_store_nothing(
    aws: Aws, recordings: RecordingsWiring, body: str, content_type: str, status: int
) -> None:
    answer, _ = call("POST", "/recordings", body, content_type=content_type)
    assert answer == status
    assert ledger_items(aws) == []


def test_a_customers_recording_belongs_to_the_account_so_a_rights_request_by_email_finds_it(
    aws: Aws, recordings: RecordingsWiring, rights: RecordingsRights, clock: FakeClock
) -> None:
    account_key = put_account(aws, PERSON["customer_number"], PERSON["email"])
    with_phone = register(clock, customer_number=PERSON["customer_number"])
    without_phone = register(clock, customer_number=PERSON["customer_number"], phone=None)

    first = ledger_item(aws, with_phone["recording_id"])
    assert first["subject_key"] == {"S": account_key}
    assert first["linked_by"] == {"S": "customer"}
    assert "phone_key" in first  # the caller's number also finds it (a DPO request by phone)
    assert "phone_key" not in ledger_item(aws, without_phone["recording_id"])
    assert PERSON["customer_number"] not in json.dumps(first)
    by_email = {r["recording_id"] for r in rights.list_recordings(subject_key(PERSON["email"], PEPPER))}
    assert by_email == {with_phone["recording_id"], without_phone["recording_id"]}


def test_a_closed_accounts_number_falls_back_to_the_phone(
    aws: Aws, recordings: RecordingsWiring, clock: FakeClock
) -> None:
    put_account(aws, PERSON["customer_number"], PERSON["email"], status="closed")
    grant = register(clock, customer_number=PERSON["customer_number"])
    assert ledger_item(aws, grant["recording_id"])["linked_by"] == {"S": "phone"}


@pytest.mark.parametrize(
    ("method", "caller", "allowed"),
    [
        pytest.param("POST", TELEPHONY_SESSION, True, id="telephony registers"),
        pytest.param("POST", DPO_SESSION, False, id="the DPO does not register"),
        pytest.param("GET", DPO_SESSION, True, id="the DPO reads"),
        pytest.param("GET", TELEPHONY_SESSION, False, id="telephony does not read"),
        pytest.param("DELETE", TELEPHONY_SESSION, True, id="telephony withdraws"),
        pytest.param("DELETE", DPO_SESSION, True, id="the DPO withdraws"),
        pytest.param("POST", "arn:aws:sts::123456789012:assumed-role/Admin/x", False, id="anyone else"),
        pytest.param("DELETE", "arn:aws:sts::999999999999:assumed-role/TelephonyRecordings/x", False,
                     id="the same role name in another account"),
    ],
)  # fmt: skip
def test_each_recording_route_answers_only_its_principals(
    aws: Aws, recordings: RecordingsWiring, clock: FakeClock, *, method: str, caller: str, allowed: bool
) -> None:
    grant = register(clock)
    before = ledger_items(aws)
    path = "/recordings" if method == "POST" else f"/recordings/{grant['recording_id']}"
    body = a_registration(clock, call_id="second-call") if method == "POST" else None

    status, answer = call(method, path, body, caller=caller)

    if allowed:
        assert status in (200, 201), answer
    else:
        assert (status, answer["error"]["code"]) == (403, "forbidden")
        assert ledger_items(aws) == before  # nothing registered, nothing withdrawn


def test_a_storage_failure_is_a_503_and_stores_nothing(
    aws: Aws, recordings: RecordingsWiring, clock: FakeClock
) -> None:
    with Stubber(recordings.clients.dynamodb) as stub:
        stub.add_client_error("put_item", "ProvisionedThroughputExceededException", http_status_code=400)
        status, answer = call("POST", "/recordings", a_registration(clock))
    assert status == 503
    assert answer["error"]["code"] == "service_unavailable"
    assert ledger_items(aws) == []


# ---------------------------------------------------------------- the upload URL's bounds


def test_the_upload_url_binds_key_media_type_and_size(
    aws: Aws, recordings: RecordingsWiring, uploaded: Any, clock: FakeClock
) -> None:
    grant = register(clock, size_bytes=len(AUDIO))
    url = grant["upload_url"]
    right = {"Content-Type": "audio/mpeg", "Content-Length": str(len(AUDIO)), "If-None-Match": "*"}
    assert grant["upload_headers"] == right

    # the right upload: S3 would take it, and moto stores it
    assert refusal("PUT", url, right) is None
    assert upload(grant) == 200
    stored = s3(aws).get_object(Bucket=aws.name("RecordingsBucket"), Key=key_of(grant))
    assert stored["Body"].read() == AUDIO
    assert stored["ContentType"] == "audio/mpeg"

    # Everything else S3 refuses. moto does not check presigned signatures or expiry at all, so these are
    # asked of s3_refusal, S3's documented check written out independently (tests/presigned_s3.py).
    other_key = url.replace(f"/{grant['recording_id']}.mp3", "/0b7e4f0e-2a7c-4c1b-9d0a-6f3e2b1c4d5e.mp3")
    assert refusal("PUT", other_key, right) == "signature"
    assert refusal("PUT", url.replace("/quality/", "/agreement_documentation/"), right) == "signature"
    assert refusal("PUT", url, {**right, "Content-Type": "audio/wav"}) == "signature"
    assert refusal("PUT", url, {**right, "Content-Length": str(len(AUDIO) + 1)}) == "signature"
    assert refusal("PUT", url, {**right, "Content-Length": str(len(AUDIO) * 1000)}) == "signature"
    assert refusal("PUT", url, {"Content-Length": str(len(AUDIO))}) == "missing-header"
    # the conditional write cannot be left out: If-None-Match is a signed header
    unconditional = {k: v for k, v in right.items() if k != "If-None-Match"}
    assert refusal("PUT", url, unconditional) == "missing-header"
    assert refusal("PUT", url, {**right, "If-None-Match": '"an-etag"'}) == "signature"
    assert refusal("PUT", url, {**right, "x-amz-tagging": "keep=forever"}) == "unsigned-header"
    assert refusal("GET", url, right) == "signature"
    assert refusal("PUT", url, right, now=datetime.now(UTC) + timedelta(minutes=15, seconds=5)) == "expired"


def test_without_a_declared_size_the_url_binds_key_and_type_and_an_oversize_upload_is_deleted(
    aws: Aws, recordings: RecordingsWiring, uploaded: Any, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    grant = register(clock)
    query = dict(parse_qsl(urlsplit(grant["upload_url"]).query))
    assert query["X-Amz-SignedHeaders"] == "content-type;host;if-none-match"
    assert (
        refusal(
            "PUT",
            grant["upload_url"],
            {"Content-Type": "audio/ogg", "Content-Length": "9", "If-None-Match": "*"},
        )
        == "signature"
    )
    # S3 itself would take any size now: the confirmation holds the limit
    uploads: UploadConfirmer = uploaded.wiring.uploads
    monkeypatch.setattr(uploads, "_max_bytes", len(AUDIO) - 1)
    assert upload(grant) == 200
    outcome = object_created(uploaded, aws, key_of(grant), len(AUDIO), clock())
    assert outcome == UploadOutcome.DELETED_WRONG_SIZE
    assert object_versions(aws) == []
    assert ledger_item(aws, grant["recording_id"])["status"] == {"S": "pending_upload"}


def test_a_second_put_to_the_upload_url_does_not_replace_the_confirmed_audio(
    aws: Aws, recordings: RecordingsWiring, uploaded: Any, clock: FakeClock
) -> None:
    grant = a_stored_recording(uploaded, aws, clock, size_bytes=len(AUDIO))
    forged = b"ID3" + b"\xff" * (len(AUDIO) - 3)  # same size and type, other audio

    # the URL still works for minutes, but the write is conditional: S3 (and moto) answer 412
    assert upload(grant, forged) == 412
    # ... and leaving the condition out breaks the signature (S3 would refuse it outright)
    unconditional = {k: v for k, v in grant["upload_headers"].items() if k != "If-None-Match"}
    assert refusal("PUT", grant["upload_url"], unconditional) == "missing-header"

    bucket = aws.name("RecordingsBucket")
    assert s3(aws).get_object(Bucket=bucket, Key=key_of(grant))["Body"].read() == AUDIO
    assert len(object_versions(aws)) == 1
    assert ledger_item(aws, grant["recording_id"])["status"] == {"S": "stored"}


# ---------------------------------------------------------------- the upload's confirmation


def test_an_upload_in_time_becomes_a_stored_recording_with_its_expiry(
    aws: Aws, recordings: RecordingsWiring, uploaded: Any, clock: FakeClock
) -> None:
    grant = register(clock, size_bytes=len(AUDIO))
    assert upload(grant) == 200
    arrived = clock.advance(minutes=3)

    assert object_created(uploaded, aws, key_of(grant), len(AUDIO), arrived) == "stored"
    assert object_created(uploaded, aws, key_of(grant), len(AUDIO), arrived) == "already_stored"

    item = ledger_item(aws, grant["recording_id"])
    assert item["status"] == {"S": "stored"}
    assert "upload_deadline" not in item
    audio_expires = arrived + timedelta(days=90)
    assert datetime.fromisoformat(item["audio_expires_at"]["S"]) == audio_expires.replace(microsecond=0)
    # the entry outlives its audio by the proof period (RecordingConsentProofDays, 1095 by default)
    assert int(item["expires_at"]["N"]) == int((audio_expires + timedelta(days=1095)).timestamp())

    status, view = call("GET", f"/recordings/{grant['recording_id']}")
    assert status == 200
    assert view["status"] == "stored"
    assert view["consent"]["purposes"] == ["training", "quality"]
    assert refusal("GET", view["download_url"], {}) is None
    assert dict(parse_qsl(urlsplit(view["download_url"]).query))["X-Amz-Expires"] == "300"
    assert requests.get(view["download_url"], timeout=10).content == AUDIO


def test_past_its_retention_a_recording_is_expired_and_offers_no_audio(
    aws: Aws, recordings: RecordingsWiring, uploaded: Any, clock: FakeClock
) -> None:
    grant = a_stored_recording(uploaded, aws, clock)
    clock.advance(days=91)
    status, view = call("GET", f"/recordings/{grant['recording_id']}")
    assert (status, view["status"], view["download_url"]) == (200, "expired", None)


def test_an_upload_that_never_arrives_leaves_no_entry_past_its_deadline(
    aws: Aws, recordings: RecordingsWiring, clock: FakeClock
) -> None:
    grant = register(clock)
    clock.advance(minutes=29)
    assert call("GET", f"/recordings/{grant['recording_id']}")[0] == 200
    clock.advance(minutes=2)
    status, answer = call("GET", f"/recordings/{grant['recording_id']}")
    assert (status, answer["error"]["code"]) == (404, "not_found")
    # ... and DynamoDB's TTL removes the item itself on expires_at
    assert int(ledger_item(aws, grant["recording_id"])["expires_at"]["N"]) <= int(clock().timestamp())


@pytest.mark.parametrize(
    ("key", "outcome"),
    [
        pytest.param(
            "quality/0b7e4f0e-2a7c-4c1b-9d0a-6f3e2b1c4d5e.mp3", "deleted_no_entry", id="no entry at all"
        ),
        pytest.param("quality/notes.txt", "deleted_unexpected_key", id="not one of ours"),
    ],
)
def test_an_object_without_a_ledger_entry_is_deleted(
    aws: Aws, uploaded: Any, clock: FakeClock, key: str, outcome: str
) -> None:
    s3(aws).put_object(Bucket=aws.name("RecordingsBucket"), Key=key, Body=AUDIO)
    assert object_created(uploaded, aws, key, len(AUDIO), clock()) == outcome
    assert object_versions(aws) == []


@pytest.mark.parametrize(
    ("declared", "sent", "arrives_after", "event_after", "outcome"),
    [
        pytest.param(None, AUDIO, 31, 0, "deleted_no_entry", id="a late upload is deleted"),
        pytest.param(None, AUDIO, 20, 120, "stored", id="in time counts even when its event comes late"),
        # moto takes what S3 would refuse
        pytest.param(len(AUDIO), AUDIO + b"!", 0, 0, "deleted_wrong_size", id="a size other than declared"),
    ],
)
def test_when_an_upload_arrives_and_what_it_holds_decide_whether_it_is_kept(  # noqa: PLR0917
    aws: Aws,
    recordings: RecordingsWiring,
    uploaded: Any,
    clock: FakeClock,
    declared: int | None,
    sent: bytes,
    arrives_after: int,
    event_after: int,
    outcome: str,
) -> None:
    """The upload arrives ``arrives_after`` minutes after the registration (the URL's deadline is 30), its
    event ``event_after`` minutes after that (Lambda's retries of the event)."""
    grant = register(clock, size_bytes=declared)
    upload(grant, sent)
    arrived = clock.advance(minutes=arrives_after)
    clock.advance(minutes=event_after)
    assert object_created(uploaded, aws, key_of(grant), len(sent), arrived) == outcome
    if outcome == "stored":
        assert len(object_versions(aws)) == 1
    else:
        assert object_versions(aws) == []


def test_an_upload_after_a_withdrawal_is_deleted(
    aws: Aws, recordings: RecordingsWiring, uploaded: Any, clock: FakeClock
) -> None:
    grant = register(clock)
    assert call("DELETE", f"/recordings/{grant['recording_id']}")[0] == 200
    upload(grant)  # the URL was already out
    assert object_created(uploaded, aws, key_of(grant), len(AUDIO), clock()) == "deleted_withdrawn"
    assert object_versions(aws) == []
    assert ledger_item(aws, grant["recording_id"])["status"] == {"S": "withdrawn"}


def test_a_withdrawal_between_the_check_and_the_confirmation_wins(
    aws: Aws, recordings: RecordingsWiring, uploaded: Any, clock: FakeClock
) -> None:
    grant = register(clock)
    upload(grant)
    uploads: UploadConfirmer = uploaded.wiring.uploads
    ledger = uploaded.wiring.ledger
    pending = ledger.get(grant["recording_id"])
    reads = iter([pending])  # the confirmer's first read sees the entry still pending ...
    real_get = ledger.get

    def racing_get(recording_id: str, *, now: datetime | None = None) -> Any:
        found = next(reads, None)
        if found is not None:
            call("DELETE", f"/recordings/{recording_id}")  # ... and the DPO withdraws right after it
            return found
        return real_get(recording_id, now=now)

    ledger.get = racing_get  # type: ignore[method-assign]
    assert (
        uploads.confirm(
            bucket=aws.name("RecordingsBucket"), key=key_of(grant), size=len(AUDIO), created_at=clock()
        )
        == UploadOutcome.DELETED_WITHDRAWN
    )
    assert object_versions(aws) == []
    assert ledger_item(aws, grant["recording_id"])["status"] == {"S": "withdrawn"}


def test_an_event_for_another_bucket_is_ignored(aws: Aws, uploaded: Any, clock: FakeClock) -> None:
    event = sample_event("recording_uploaded_object_created.json")
    assert uploaded.lambda_handler(event, FakeContext()) == {"outcome": "ignored_other_bucket"}


def test_an_event_that_is_not_object_created_fails_for_a_retry(uploaded: Any) -> None:
    event = sample_event("recording_uploaded_object_created.json") | {"detail-type": "Object Deleted"}
    with pytest.raises(ValueError, match="detail-type"):
        uploaded.lambda_handler(event, FakeContext())


# ---------------------------------------------------------------- withdrawal (DELETE /recordings/{id})


def test_withdrawal_deletes_every_version_of_the_audio_at_once_and_keeps_the_proof(
    aws: Aws, recordings: RecordingsWiring, uploaded: Any, clock: FakeClock
) -> None:
    bucket = aws.name("RecordingsBucket")
    # should versioning ever be switched on, a withdrawal still leaves no version behind
    s3(aws).put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    grant = register(clock)
    upload(grant)
    # a second version, written around the upload URL (which refuses it: If-None-Match)
    s3(aws).put_object(Bucket=bucket, Key=key_of(grant), Body=AUDIO)
    object_created(uploaded, aws, key_of(grant), len(AUDIO), clock())
    other = register(clock, call_id="another-call")
    upload(other)
    assert len(object_versions(aws)) == 3
    withdrawn_at = clock.advance(days=2)

    status, view = call("DELETE", f"/recordings/{grant['recording_id']}")

    assert status == 200
    assert [k for k, _ in object_versions(aws)] == [key_of(other)]
    assert view["status"] == "withdrawn"
    assert view["withdrawn_via"] == "api"
    assert view["download_url"] is None
    item = ledger_item(aws, grant["recording_id"])
    assert item["status"] == {"S": "withdrawn"}
    assert datetime.fromisoformat(item["withdrawn_at"]["S"]) == withdrawn_at.replace(microsecond=0)
    # the proof: when, for what, consented when, by whom (a hash), kept for the proof period
    assert {"consent_at", "purposes", "subject_key", "call_id", "stored_at"} <= item.keys()
    assert int(item["expires_at"]["N"]) == int((withdrawn_at + timedelta(days=1095)).timestamp())

    again, repeat = call("DELETE", f"/recordings/{grant['recording_id']}")
    assert (again, repeat["status"], repeat["withdrawn_at"]) == (200, "withdrawn", view["withdrawn_at"])
    assert call("GET", f"/recordings/{grant['recording_id']}")[1]["status"] == "withdrawn"


def test_a_failed_audio_delete_is_finished_by_the_next_withdrawal(
    aws: Aws, recordings: RecordingsWiring, uploaded: Any, clock: FakeClock
) -> None:
    grant = a_stored_recording(uploaded, aws, clock)
    with Stubber(recordings.clients.s3) as stub:
        stub.add_client_error("list_object_versions", "SlowDown", http_status_code=503)
        assert call("DELETE", f"/recordings/{grant['recording_id']}")[0] == 503
    assert ledger_item(aws, grant["recording_id"])["status"] == {"S": "withdrawn"}
    assert len(object_versions(aws)) == 1  # not yet

    assert call("DELETE", f"/recordings/{grant['recording_id']}")[0] == 200
    assert object_versions(aws) == []


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_unknown_and_malformed_ids(recordings: RecordingsWiring, method: str) -> None:
    assert call(method, "/recordings/0b7e4f0e-2a7c-4c1b-9d0a-6f3e2b1c4d5e")[0] == 404
    assert call(method, "/recordings/not-an-id")[0] == 422


# ---------------------------------------------------------------- the rights worker's interface


@pytest.fixture
def two_people(
    aws: Aws, recordings: RecordingsWiring, uploaded: Any, clock: FakeClock
) -> dict[str, list[dict[str, Any]]]:
    """The test person: a stored and a pending recording as a customer, one stored from her phone alone;
    someone else: one stored recording."""
    put_account(aws, PERSON["customer_number"], PERSON["email"])
    mine = [
        register(clock, customer_number=PERSON["customer_number"], phone=None, call_id="c1"),
        register(clock, customer_number=PERSON["customer_number"], phone=None, call_id="c2"),
        register(clock, call_id="c3"),
    ]
    theirs = [register(clock, phone="+49 30 9018 2000", call_id="c4")]
    for grant in [mine[0], mine[2], theirs[0]]:
        upload(grant)
        object_created(uploaded, aws, key_of(grant), len(AUDIO), clock())
    return {"mine": mine, "theirs": theirs}


def test_access_lists_the_persons_recordings_with_their_purposes_and_the_audio(
    rights: RecordingsRights, two_people: dict[str, list[dict[str, Any]]], clock: FakeClock
) -> None:
    by_email = rights.list_recordings(subject_key(PERSON["email"], PEPPER))
    assert {r["recording_id"] for r in by_email} == {g["recording_id"] for g in two_people["mine"][:2]}
    stored, pending = sorted(by_email, key=lambda r: r["status"] != "stored")
    assert stored["status"] == "stored"
    assert stored["consent"] == {
        "given": True,
        "at": (clock() - timedelta(minutes=12)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "purposes": ["training", "quality"],
    }
    assert stored["lawful_basis"].startswith("consent")
    assert "90 days" in stored["retention"]
    assert stored["audio"]["content_type"] == "audio/mpeg"
    assert requests.get(stored["audio"]["download_url"], timeout=10).content == AUDIO
    assert pending["status"] == "pending_upload"
    assert pending["audio"] is None
    json.dumps(by_email)  # ready for the export document

    from contact_intake.recordings.models import phone_key

    by_phone = rights.list_recordings(phone_key(PHONE, PEPPER), download_links=False)
    assert [r["recording_id"] for r in by_phone] == [two_people["mine"][2]["recording_id"]]
    assert by_phone[0]["audio"] is None


@pytest.mark.parametrize(
    ("operation", "via"), [("withdraw_consent", "consent_withdrawal"), ("erase_recordings", "erasure")]
)
def test_consent_withdrawal_and_erasure_delete_the_persons_audio_and_keep_the_proof(
    aws: Aws,
    rights: RecordingsRights,
    two_people: dict[str, list[dict[str, Any]]],
    operation: str,
    via: str,
) -> None:
    from contact_intake.recordings.models import phone_key

    act = getattr(rights, operation)
    assert act(subject_key(PERSON["email"], PEPPER)) == 2
    assert act(phone_key("0031 6 1234 5678", PEPPER)) == 1  # a DPO request that gives the phone number
    assert act(subject_key(PERSON["email"], PEPPER)) == 0  # a repeat changes nothing

    theirs = key_of(two_people["theirs"][0])
    assert [k for k, _ in object_versions(aws)] == [theirs]
    for grant in two_people["mine"]:
        item = ledger_item(aws, grant["recording_id"])
        assert item["status"] == {"S": "withdrawn"}
        assert item["withdrawn_via"] == {"S": f"rights_request:{via}"}
    assert ledger_item(aws, two_people["theirs"][0]["recording_id"])["status"] == {"S": "stored"}
    listed = rights.list_recordings(subject_key(PERSON["email"], PEPPER))
    assert {r["status"] for r in listed} == {"withdrawn"}
    assert all(r["audio"] is None and r["withdrawn_at"] for r in listed)


def test_the_rights_interface_builds_from_the_environment_the_worker_gets(
    aws: Aws, recordings: RecordingsWiring
) -> None:
    from contact_intake.recordings.settings import RecordingsStorageSettings

    settings = RecordingsStorageSettings.from_env()
    wiring = RecordingsStorageWiring(settings, Clients())
    assert wiring.rights.list_recordings("0" * 64) == []
    assert wiring.audio.bucket == aws.name("RecordingsBucket")
