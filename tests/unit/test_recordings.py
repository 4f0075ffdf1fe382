"""Call recordings without AWS: the phone's key, retention per purpose, the registration model, the ledger's
item format, storage faults (botocore Stubber), and the races the services must win (in-memory fakes)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ParamValidationError
from botocore.stub import Stubber
from pydantic import ValidationError

from contact_intake.core.errors import ServiceUnavailable
from contact_intake.core.subject import subject_key
from contact_intake.recordings.models import (
    Purpose,
    Recording,
    RecordingRegistration,
    RecordingStatus,
    RetentionPolicy,
    audio_key,
    normalise_phone,
    phone_key,
)
from contact_intake.recordings.service import RecordingsRights, UploadConfirmer, UploadOutcome
from contact_intake.recordings.store import AudioStore, RecordingLedger, from_item, to_item
from tests import builders
from tests.builders import NOW
from tests.fakes import FakeClock

PEPPER = b"unit-test-pepper"
RETENTION = RetentionPolicy(
    days={Purpose.TRAINING: 90, Purpose.QUALITY: 90, Purpose.AGREEMENT_DOCUMENTATION: 730},
    proof=timedelta(days=1095),
)


# ---------------------------------------------------------------- the phone number's key


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+31 6 1234 5678", "+31612345678"),
        ("+31 (0)6-1234 5678", "+31612345678"),
        ("0031 6 12345678", "+31612345678"),
        ("+49 (30) 901820", "+4930901820"),
        ("+1 415.555.0100", "+14155550100"),
        ("\uff0b31 6 1234 5678", "+31612345678"),  # a full-width plus from a copied form
    ],
)
def test_international_numbers_normalise_to_e164(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize(
    "raw",
    ["06 1234 5678", "31612345678", "+31", "+0 612345678", "+31 6 1234 5678 ext 9", "", "+3161234567890123"],
)
def test_national_or_malformed_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="international"):
        normalise_phone(raw)


def test_a_numbers_key_is_the_same_however_it_is_written_and_never_an_email_key() -> None:
    keys = {phone_key(n, PEPPER) for n in ("+31 6 1234 5678", "0031612345678", "+31 (0)6 12 34 56 78")}
    assert len(keys) == 1
    (key,) = keys
    assert len(key) == 64
    assert key != subject_key("+31612345678", PEPPER)  # its own HMAC domain
    assert key != phone_key("+31 6 1234 5678", b"another pepper")


# ---------------------------------------------------------------- retention


@pytest.mark.parametrize(
    ("purposes", "expected"),
    [
        ([Purpose.TRAINING], Purpose.TRAINING),
        ([Purpose.TRAINING, Purpose.QUALITY], Purpose.QUALITY),  # equally long: the later purpose
        ([Purpose.QUALITY, Purpose.AGREEMENT_DOCUMENTATION], Purpose.AGREEMENT_DOCUMENTATION),
        (list(Purpose), Purpose.AGREEMENT_DOCUMENTATION),
    ],
)
def test_the_longest_purpose_decides_the_retention(purposes: list[Purpose], expected: Purpose) -> None:
    assert RETENTION.audio_class(purposes) == expected
    assert RETENTION.audio_retention(purposes) == timedelta(days=RETENTION.days[expected])


def test_the_retention_follows_the_configured_days() -> None:
    longer_training = RetentionPolicy(
        days={Purpose.TRAINING: 800, Purpose.QUALITY: 30, Purpose.AGREEMENT_DOCUMENTATION: 730},
        proof=timedelta(1),
    )
    assert (
        longer_training.audio_class([Purpose.AGREEMENT_DOCUMENTATION, Purpose.TRAINING]) == Purpose.TRAINING
    )
    assert audio_key(Purpose.TRAINING, "abc", "audio/ogg") == "training/abc.ogg"


# ---------------------------------------------------------------- the registration model


def registration(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "call_id": "call-1",
        "phone": "+31 6 1234 5678",
        "consent": {
            "given": True,
            "at": "2026-11-25T04:10:00+01:00",
            "purposes": ["agreement_documentation"],
        },
    }
    body.update(overrides)
    return body


def test_a_valid_registration_keeps_the_normalised_phone_and_an_aware_time() -> None:
    model = RecordingRegistration.model_validate(registration())
    assert model.phone == "+31612345678"
    assert model.consent.at == datetime(2026, 11, 25, 3, 10, tzinfo=UTC)
    assert model.content_type == "audio/mpeg"
    assert model.size_bytes is None


@pytest.mark.parametrize(
    "consent",
    [
        {"given": False, "at": "2026-11-25T04:10:00Z", "purposes": ["quality"]},
        {"given": "yes", "at": "2026-11-25T04:10:00Z", "purposes": ["quality"]},
        {"given": True, "at": "2026-11-25", "purposes": ["quality"]},
        {"given": True, "at": "2026-11-25T04:10:00Z", "purposes": ["quality", "quality"]},
        {"given": True, "at": "2026-11-25T04:10:00Z", "purposes": ["profiling"]},
    ],
)
def test_a_registration_without_valid_consent_does_not_validate(consent: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        RecordingRegistration.model_validate(registration(consent=consent))


def test_a_phone_with_a_control_character_is_refused() -> None:
    with pytest.raises(ValidationError, match="control characters"):
        RecordingRegistration.model_validate(registration(phone="+31 6 1234\n5678"))


# ---------------------------------------------------------------- the ledger entry


def a_recording(**overrides: Any) -> Recording:
    """The shared builder's entry, consented ten minutes before NOW, upload and expiry due 30 minutes on."""
    due = NOW + timedelta(minutes=30)
    defaults = {"call_id": "call-1", "consent_at": NOW - timedelta(minutes=10), "upload_deadline": due}
    return builders.a_recording(**{**defaults, "expires_at": int(due.timestamp()), **overrides})


def test_an_entry_survives_the_round_trip_through_its_item() -> None:
    now = NOW
    full = a_recording(
        phone_key="b" * 64,
        purposes=(Purpose.TRAINING, Purpose.AGREEMENT_DOCUMENTATION),
        status=RecordingStatus.WITHDRAWN,
        size_bytes=1234,
        stored_at=now,
        audio_expires_at=now + timedelta(days=730),
        withdrawn_at=now + timedelta(days=1),
        withdrawn_via="api",
    )
    assert from_item(to_item(full)) == full
    sparse = a_recording()
    item = to_item(sparse)
    assert {"phone_key", "size_bytes", "stored_at", "withdrawn_at"}.isdisjoint(item)
    assert from_item(item) == sparse


def test_a_stored_recording_past_its_retention_reads_as_expired() -> None:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    stored = a_recording(status=RecordingStatus.STORED, audio_expires_at=now + timedelta(days=1))
    assert stored.status_at(now) is RecordingStatus.STORED
    assert stored.status_at(now + timedelta(days=1)) is RecordingStatus.EXPIRED
    assert a_recording().status_at(now + timedelta(days=999)) is RecordingStatus.PENDING_UPLOAD


# ---------------------------------------------------------------- storage faults (Stubber)


@pytest.fixture
def dynamodb() -> Any:
    return boto3.client("dynamodb", region_name="eu-central-1")


@pytest.fixture
def s3() -> Any:
    return boto3.client("s3", region_name="eu-central-1")


def test_every_ledger_fault_is_service_unavailable(dynamodb: Any) -> None:
    ledger = RecordingLedger(table_name="t", client=lambda: dynamodb, clock=FakeClock())
    when = datetime(2026, 11, 25, tzinfo=UTC)
    calls = [
        ("put_item", lambda: ledger.put_pending(a_recording())),
        ("get_item", lambda: ledger.get("id")),
        (
            "update_item",
            lambda: ledger.mark_stored(
                "id", audio_key="k", stored_at=when, audio_expires_at=when, expires_at=1
            ),
        ),
        ("update_item", lambda: ledger.mark_withdrawn("id", at=when, via="api", proof_until=when)),
        ("query", lambda: ledger.of_subject("k")),
    ]
    with Stubber(dynamodb) as stub:
        for operation, act in calls:
            stub.add_client_error(operation, "InternalServerError", http_status_code=500)
            with pytest.raises(ServiceUnavailable):
                act()


def test_conditional_writes_that_find_the_entry_changed_write_nothing(dynamodb: Any) -> None:
    ledger = RecordingLedger(table_name="t", client=lambda: dynamodb, clock=FakeClock())
    when = datetime(2026, 11, 25, tzinfo=UTC)
    with Stubber(dynamodb) as stub:
        stub.add_client_error("update_item", "ConditionalCheckFailedException", http_status_code=400)
        stub.add_client_error("update_item", "ConditionalCheckFailedException", http_status_code=400)
        assert not ledger.mark_stored(
            "id", audio_key="k", stored_at=when, audio_expires_at=when, expires_at=1
        )
        assert ledger.mark_withdrawn("id", at=when, via="api", proof_until=when) is None


def test_a_persons_entries_are_read_across_pages_of_both_indexes(dynamodb: Any) -> None:
    clock = FakeClock()
    ledger = RecordingLedger(table_name="t", client=lambda: dynamodb, clock=clock)
    first, second = a_recording(), a_recording(registered_at=clock() + timedelta(seconds=1))
    expired = a_recording(expires_at=int(clock().timestamp()) - 1)
    page_key = {"recording_id": {"S": first.recording_id}}
    with Stubber(dynamodb) as stub:
        stub.add_response("query", {"Items": [to_item(first)], "LastEvaluatedKey": page_key})
        stub.add_response("query", {"Items": [to_item(expired)]})
        stub.add_response("query", {"Items": [to_item(second), to_item(first)]})  # by_phone: seen already
        found = ledger.of_subject("k")
    assert [r.recording_id for r in found] == [first.recording_id, second.recording_id]


def test_every_audio_fault_is_service_unavailable(s3: Any) -> None:
    audio = AudioStore(bucket="b", client=lambda: s3, presigner=lambda: s3)
    with Stubber(s3) as stub:
        stub.add_client_error("list_object_versions", "SlowDown", http_status_code=503)
        with pytest.raises(ServiceUnavailable):
            audio.delete("quality/x.mp3")
        stub.add_response("list_object_versions", {"Versions": [{"Key": "quality/x.mp3", "VersionId": "v1"}]})
        stub.add_client_error("delete_object", "SlowDown", http_status_code=503)
        with pytest.raises(ServiceUnavailable):
            audio.delete("quality/x.mp3")


def test_a_presigning_fault_is_service_unavailable(s3: Any) -> None:
    class Broken:
        def generate_presigned_url(self, *_: Any, **__: Any) -> str:
            raise ParamValidationError(report="no credentials")

    audio = AudioStore(bucket="b", client=lambda: s3, presigner=Broken)  # type: ignore[arg-type]
    with pytest.raises(ServiceUnavailable):
        audio.download_url("quality/x.mp3", lifetime=timedelta(minutes=5))


def test_deletion_pages_through_versions_and_leaves_longer_keys_alone(s3: Any) -> None:
    audio = AudioStore(bucket="b", client=lambda: s3, presigner=lambda: s3)
    with Stubber(s3) as stub:
        stub.add_response(
            "list_object_versions",
            {
                "IsTruncated": True,
                "NextKeyMarker": "quality/x.mp3",
                "NextVersionIdMarker": "v2",
                "Versions": [
                    {"Key": "quality/x.mp3", "VersionId": "v1"},
                    {"Key": "quality/x.mp3", "VersionId": "v2"},
                ],
            },
            {"Bucket": "b", "Prefix": "quality/x.mp3"},
        )
        stub.add_response(
            "list_object_versions",
            {
                "IsTruncated": False,
                "Versions": [{"Key": "quality/x.mp3.bak", "VersionId": "v9"}],
                "DeleteMarkers": [{"Key": "quality/x.mp3", "VersionId": "m1"}],
            },
            {"Bucket": "b", "Prefix": "quality/x.mp3", "KeyMarker": "quality/x.mp3", "VersionIdMarker": "v2"},
        )
        for version in ("v1", "v2", "m1"):
            stub.add_response(
                "delete_object", {}, {"Bucket": "b", "Key": "quality/x.mp3", "VersionId": version}
            )
        assert audio.delete("quality/x.mp3") == 3


# ---------------------------------------------------------------- races, with in-memory fakes


class FakeLedger:
    """The ledger's interface over a dict; ``stale`` makes the next read return an old snapshot."""

    def __init__(self, clock: FakeClock) -> None:
        self.items: dict[str, Recording] = {}
        self.clock = clock
        self.stale: list[Recording | None] = []

    def get(self, recording_id: str, *, now: datetime | None = None) -> Recording | None:
        if self.stale:
            return self.stale.pop(0)
        found = self.items.get(recording_id)
        moment = now or self.clock()
        return found if found is not None and found.expires_at > int(moment.timestamp()) else None

    def mark_stored(self, recording_id: str, *, audio_key: str, **_: Any) -> bool:
        current = self.items.get(recording_id)
        if current is None or current.status is not RecordingStatus.PENDING_UPLOAD:
            return False
        self.items[recording_id] = replace(current, status=RecordingStatus.STORED)
        return True

    def mark_withdrawn(self, recording_id: str, **_: Any) -> Recording | None:
        current = self.items.get(recording_id)
        if current is None or current.status is RecordingStatus.WITHDRAWN:
            return None
        self.items[recording_id] = replace(current, status=RecordingStatus.WITHDRAWN)
        return self.items[recording_id]

    def of_subject(self, key: str) -> list[Recording]:
        return [r for r in self.items.values() if key in (r.subject_key, r.phone_key)]


class FakeAudio:
    bucket = "b"

    def __init__(self) -> None:
        self.deleted: list[str] = []

    def delete(self, key: str) -> int:
        self.deleted.append(key)
        return 1

    def download_url(self, key: str, *, lifetime: timedelta) -> str:
        return f"https://b.example/{key}"


def test_two_confirmations_of_one_upload_store_it_once() -> None:
    clock = FakeClock()
    ledger, audio = FakeLedger(clock), FakeAudio()
    recording = a_recording(registered_at=clock(), expires_at=int(clock().timestamp()) + 1800)
    ledger.items[recording.recording_id] = replace(recording, status=RecordingStatus.STORED)
    ledger.stale = [recording]  # this run read the entry before the other run stored it
    confirmer = UploadConfirmer(ledger=ledger, audio=audio, retention=RETENTION, max_bytes=10**6, clock=clock)  # type: ignore[arg-type]
    outcome = confirmer.confirm(bucket="b", key=recording.audio_key, size=10, created_at=clock())
    assert outcome is UploadOutcome.ALREADY_STORED
    assert audio.deleted == []


def test_a_withdrawal_of_an_entry_that_vanished_still_deletes_the_audio() -> None:
    clock = FakeClock()
    ledger, audio = FakeLedger(clock), FakeAudio()
    recording = a_recording(subject_key="k" * 64, expires_at=int(clock().timestamp()) + 60)
    ledger.items[recording.recording_id] = recording
    rights = RecordingsRights(ledger=ledger, audio=audio, retention=RETENTION, clock=clock)  # type: ignore[arg-type]
    assert rights.withdraw_consent("k" * 64) == 1
    del ledger.items[recording.recording_id]
    ledger.items["other"] = replace(recording, recording_id="other")
    ledger.items["other"] = replace(ledger.items["other"], status=RecordingStatus.WITHDRAWN)
    assert rights.erase_recordings("k" * 64) == 0  # already withdrawn: nothing new, the audio deleted again
    assert audio.deleted == [recording.audio_key, recording.audio_key]
