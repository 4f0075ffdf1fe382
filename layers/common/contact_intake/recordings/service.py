"""Call recordings: no consent, no recording; each recording tied to its purposes, its expiry and a person;
a withdrawal deletes the audio at once and keeps the ledger entry as proof (docs/architecture.md §7 "Call
recordings").

Three services over the ledger (RecordingsTable) and the audio (RecordingsBucket):

- ``RecordingsService``: RecordingsFunction's routes. ``register`` checks the consent and who the recording
  belongs to *before* anything is written, then writes one ``pending_upload`` entry and hands out a presigned
  PUT for exactly its object; ``view`` and ``withdraw`` serve the DPO and the telephony integration.
- ``UploadConfirmer``: RecordingUploadedFunction. An object that arrives for a pending entry in time (and
  within the size limits) makes the entry ``stored``; any other object is deleted at once: no entry, a late
  upload, a withdrawn entry, a wrong size.
- ``RecordingsRights``: the rights worker's interface (consent withdrawal, erasure, access), by subject key::

      rights.withdraw_consent(subject_key) -> int      # recordings newly withdrawn; their audio deleted
      rights.erase_recordings(subject_key) -> int      # the same, recorded as an erasure
      rights.list_recordings(subject_key) -> list[dict]  # for the access export, with download links

  ``subject_key`` is the person's e-mail subject key (a customer's recordings are tied to the account's), or
  ``phone_key(phone, pepper)`` for a DPO request that supplies the number a phone-only call came from.

A withdrawal marks the entry first and deletes the audio second: an upload that lands in between finds the
entry withdrawn and is deleted by the confirmer, and a failed delete is repeated by the next withdrawal (every
withdrawal deletes the audio, also of an entry that is already withdrawn).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from contact_intake.core.errors import ContactIntakeError, FieldError, NotFound, ValidationFailed
from contact_intake.core.observability import MetricUnit, logger, metrics
from contact_intake.intake.accounts import AccountStatus
from contact_intake.recordings.models import (
    AUDIO_KEY,
    LinkedBy,
    Purpose,
    Recording,
    RecordingRegistration,
    RecordingStatus,
    RetentionPolicy,
    audio_key,
    phone_key,
)

if TYPE_CHECKING:
    from contact_intake.intake.accounts import Account
    from contact_intake.recordings.store import AudioStore, RecordingLedger

UPLOAD_WINDOW = timedelta(minutes=15)  # the upload URL's lifetime (docs/architecture.md §7, a contract)
# A PUT that started just before its URL expired may still be arriving; after this the entry is gone.
UPLOAD_GRACE = timedelta(minutes=15)
CLOCK_SKEW = timedelta(minutes=2)  # the telephony system's clock may run a little ahead of ours
DPO_LINK_LIFETIME = timedelta(minutes=5)
# The access export's links. A URL signed with a function role's temporary credentials stops working when
# they expire (hours at most), whatever it says: see docs/telephony.md.
EXPORT_LINK_LIFETIME = timedelta(hours=24)
LAWFUL_BASIS = "consent (Art. 6(1)(a) GDPR)"


class RecordingNotFound(NotFound, message="No such recording."): ...


class RecordingConflict(ContactIntakeError, code="recording_conflict"): ...


class AccountLookup(Protocol):
    def get(self, customer_number: str) -> Account | None: ...


@dataclass(frozen=True)
class UploadGrant:
    """What the telephony integration gets back: where and how to PUT the audio, until when."""

    recording: Recording
    upload_url: str
    upload_headers: dict[str, str]
    upload_expires_at: datetime


@dataclass(frozen=True)
class RecordingView:
    recording: Recording
    status: RecordingStatus  # as of now (a stored recording past its retention is expired)
    download_url: str | None = None
    download_expires_at: datetime | None = None


def _count(name: str) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)


class _OverTheLedger:
    """What the three services stand on: the ledger, the audio, the retention policy and the clock; and the
    one withdrawal (API, consent withdrawal, erasure): mark the entry, then delete the audio."""

    def __init__(
        self,
        *,
        ledger: RecordingLedger,
        audio: AudioStore,
        retention: RetentionPolicy,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._ledger = ledger
        self._audio = audio
        self._retention = retention
        self._clock = clock

    def _withdraw(self, recording: Recording, via: str) -> tuple[Recording, bool]:
        """(the entry as it is now, whether this call withdrew it). The audio is deleted in every case."""
        now = self._clock()
        changed = self._ledger.mark_withdrawn(
            recording.recording_id, at=now, via=via, proof_until=now + self._retention.proof
        )
        deleted = self._audio.delete(recording.audio_key)
        if changed is not None:
            _count("RecordingsWithdrawn")
            logger.info(
                "recording withdrawn",
                extra={"recording_id": recording.recording_id, "via": via, "audio_versions_deleted": deleted},
            )
            return changed, True
        current = self._ledger.get(recording.recording_id, now=now)
        return (current or recording.with_status(RecordingStatus.WITHDRAWN)), False


class RecordingsService(_OverTheLedger):
    """RecordingsFunction: register, view and withdraw one recording."""

    def __init__(
        self,
        *,
        ledger: RecordingLedger,
        audio: AudioStore,
        accounts: AccountLookup,
        pepper: Callable[[], bytes],
        retention: RetentionPolicy,
        max_bytes: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(ledger=ledger, audio=audio, retention=retention, clock=clock)
        self._accounts = accounts
        self._pepper = pepper
        self._max_bytes = max_bytes

    def register(self, registration: RecordingRegistration) -> UploadGrant:
        """Record the consent as ``pending_upload`` and grant one upload. Raises ValidationFailed (422) when
        the consent is dated in the future, the size is over the limit, or the recording cannot be tied to a
        person; nothing is written then. ServiceUnavailable (503) when storage fails."""
        now = self._clock()
        problems: list[FieldError] = []
        if registration.consent.at > now + CLOCK_SKEW:
            problems.append(FieldError("consent.at", "in_future", "consent cannot be given in the future"))
        if registration.size_bytes is not None and registration.size_bytes > self._max_bytes:
            problems.append(FieldError("size_bytes", "too_large", f"at most {self._max_bytes} bytes"))
        if problems:
            raise ValidationFailed(fields=problems)
        subject, phone, linked_by = self._person(registration)
        order = list(Purpose)
        purposes = tuple(sorted(registration.consent.purposes, key=order.index))
        recording_id = str(uuid.uuid4())
        deadline = now + UPLOAD_WINDOW + UPLOAD_GRACE
        recording = Recording(
            recording_id=recording_id,
            call_id=registration.call_id,
            subject_key=subject,
            phone_key=phone,
            linked_by=str(linked_by),
            consent_at=registration.consent.at,
            purposes=purposes,
            status=RecordingStatus.PENDING_UPLOAD,
            audio_key=audio_key(
                self._retention.audio_class(purposes), recording_id, registration.content_type
            ),
            content_type=registration.content_type,
            size_bytes=registration.size_bytes,
            registered_at=now,
            upload_deadline=deadline,
            expires_at=int(deadline.timestamp()),
        )
        url = self._audio.upload_url(
            recording.audio_key,
            content_type=recording.content_type,
            size_bytes=recording.size_bytes,
            lifetime=UPLOAD_WINDOW,
        )
        self._ledger.put_pending(recording)
        _count("RecordingsRegistered")
        logger.info(
            "recording registered",
            extra={
                "recording_id": recording_id,
                "purposes": [str(p) for p in purposes],
                "linked_by": str(linked_by),
                "size_bound": recording.size_bytes is not None,
            },
        )
        # If-None-Match is signed: the audio is written once (docs/decisions.md, D66)
        headers = {"Content-Type": recording.content_type, "If-None-Match": "*"}
        if recording.size_bytes is not None:
            headers["Content-Length"] = str(recording.size_bytes)
        return UploadGrant(recording, url, headers, now + UPLOAD_WINDOW)

    def view(self, recording_id: str) -> RecordingView:
        """The entry, with a short-lived download link when its audio is stored. Raises RecordingNotFound."""
        recording = self._ledger.get(recording_id)
        if recording is None:
            raise RecordingNotFound()
        now = self._clock()
        status = recording.status_at(now)
        if status is not RecordingStatus.STORED:
            return RecordingView(recording, status)
        url = self._audio.download_url(recording.audio_key, lifetime=DPO_LINK_LIFETIME)
        logger.info("recording download link issued", extra={"recording_id": recording_id})
        return RecordingView(recording, status, url, now + DPO_LINK_LIFETIME)

    def withdraw(self, recording_id: str, *, via: str = "api") -> RecordingView:
        """Withdraw the consent: the audio is deleted at once (every version) and the entry kept, withdrawn,
        as proof. Idempotent. Raises RecordingNotFound when there is no (live) entry."""
        recording = self._ledger.get(recording_id)
        if recording is None:
            raise RecordingNotFound()
        current, _ = self._withdraw(recording, via)
        return RecordingView(current, current.status_at(self._clock()))

    def _person(self, registration: RecordingRegistration) -> tuple[str, str | None, LinkedBy]:
        """(subject key, phone key, how linked). A customer's recording belongs to the account's subject key
        (the HMAC of its e-mail address), so a rights request by e-mail finds it; a phone-only one to the
        phone's key. Raises ValidationFailed when neither identifies anyone."""
        phone = phone_key(registration.phone, self._pepper()) if registration.phone else None
        if registration.customer_number:
            account = self._accounts.get(registration.customer_number)
            if account is not None and account.status is AccountStatus.OPEN and account.subject_key:
                return account.subject_key, phone, LinkedBy.CUSTOMER
            if phone is None:
                raise ValidationFailed(
                    fields=[
                        FieldError(
                            "customer_number",
                            "unknown",
                            "no open account has this customer number; send the caller's phone number",
                        )
                    ]
                )
        if phone is None:
            raise ValidationFailed(
                fields=[FieldError("phone", "required", "send the caller's phone number or customer number")]
            )
        return phone, phone, LinkedBy.PHONE


class UploadOutcome(StrEnum):
    STORED = "stored"
    ALREADY_STORED = "already_stored"
    DELETED_NO_ENTRY = "deleted_no_entry"  # no entry, or its upload deadline had passed
    DELETED_WITHDRAWN = "deleted_withdrawn"
    DELETED_WRONG_SIZE = "deleted_wrong_size"
    DELETED_UNEXPECTED_KEY = "deleted_unexpected_key"
    IGNORED_OTHER_BUCKET = "ignored_other_bucket"


class UploadConfirmer(_OverTheLedger):
    """RecordingUploadedFunction: every object that appears in the bucket either becomes a stored recording
    or is deleted."""

    def __init__(
        self,
        *,
        ledger: RecordingLedger,
        audio: AudioStore,
        retention: RetentionPolicy,
        max_bytes: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(ledger=ledger, audio=audio, retention=retention, clock=clock)
        self._max_bytes = max_bytes

    def confirm(self, *, bucket: str, key: str, size: int, created_at: datetime) -> UploadOutcome:
        """Decide about one new object (``created_at``: when S3 stored it, the event's time). Idempotent:
        a redelivered event finds the entry stored, or the object already gone."""
        if bucket != self._audio.bucket:
            logger.warning("object event for another bucket ignored")
            return UploadOutcome.IGNORED_OTHER_BUCKET
        match = AUDIO_KEY.match(key)
        if match is None:
            return self._reject(key, None, UploadOutcome.DELETED_UNEXPECTED_KEY)
        # the entry as it was when the object arrived: an upload in time counts even if this runs later
        recording = self._ledger.get(match["recording_id"], now=created_at)
        verdict = self._verdict(recording, key, size)
        if verdict is UploadOutcome.STORED and recording is not None:
            return self._store(recording, created_at)
        if verdict is UploadOutcome.ALREADY_STORED:
            return verdict
        return self._reject(key, match["recording_id"], verdict)

    def _verdict(self, recording: Recording | None, key: str, size: int) -> UploadOutcome:
        if recording is None or recording.audio_key != key:
            return UploadOutcome.DELETED_NO_ENTRY
        if recording.status is not RecordingStatus.PENDING_UPLOAD:
            stored = recording.status is RecordingStatus.STORED
            return UploadOutcome.ALREADY_STORED if stored else UploadOutcome.DELETED_WITHDRAWN
        # (a late upload found no entry: a pending entry expires at its upload deadline)
        wrong_size = size > self._max_bytes or (
            recording.size_bytes is not None and size != recording.size_bytes
        )
        return UploadOutcome.DELETED_WRONG_SIZE if wrong_size else UploadOutcome.STORED

    def _store(self, recording: Recording, created_at: datetime) -> UploadOutcome:
        audio_expires_at = created_at + self._retention.audio_retention(recording.purposes)
        stored = self._ledger.mark_stored(
            recording.recording_id,
            audio_key=recording.audio_key,
            stored_at=created_at,
            audio_expires_at=audio_expires_at,
            expires_at=int((audio_expires_at + self._retention.proof).timestamp()),
        )
        if not stored:
            # withdrawn (or gone) between the read and the write: decide again on the entry as it is now
            current = self._ledger.get(recording.recording_id, now=created_at)
            if current is not None and current.status is RecordingStatus.STORED:
                return UploadOutcome.ALREADY_STORED
            return self._reject(recording.audio_key, recording.recording_id, UploadOutcome.DELETED_WITHDRAWN)
        _count("RecordingsStored")
        logger.info("recording stored", extra={"recording_id": recording.recording_id})
        return UploadOutcome.STORED

    def _reject(self, key: str, recording_id: str | None, outcome: UploadOutcome) -> UploadOutcome:
        deleted = self._audio.delete(key)
        _count("RecordingUploadsDeleted")
        logger.warning(
            "uploaded object deleted",
            extra={"recording_id": recording_id, "outcome": str(outcome), "versions_deleted": deleted},
        )
        return outcome


class RecordingsRights(_OverTheLedger):
    """The rights worker's interface to recordings, by subject key (see the module docstring)."""

    def withdraw_consent(self, subject_key: str) -> int:
        """Art. 7(3): every recording of the person withdrawn, its audio deleted (all versions), its entry
        kept as proof. The number newly withdrawn (0 on a repeat, which still deletes any audio left)."""
        return self._withdraw_all(subject_key, "rights_request:consent_withdrawal")

    def erase_recordings(self, subject_key: str) -> int:
        """Art. 17: as ``withdraw_consent`` (the audio goes; the entry, hashes and times only, stays as proof
        of the consent and of its end, Art. 7(1) and 17(3)(e)), recorded as an erasure."""
        return self._withdraw_all(subject_key, "rights_request:erasure")

    def list_recordings(
        self,
        subject_key: str,
        *,
        download_links: bool = True,
        link_lifetime: timedelta = EXPORT_LINK_LIFETIME,
    ) -> list[dict[str, Any]]:
        """Art. 15: the person's recordings for the access export (JSON-ready dicts, oldest first): purposes,
        consent time, status, retention, and, while the audio is stored and ``download_links``, a presigned
        download link. Put it only in the export sent to the verified address."""
        now = self._clock()
        return [
            self._export(r, now, download_links, link_lifetime) for r in self._ledger.of_subject(subject_key)
        ]

    def _withdraw_all(self, subject_key: str, via: str) -> int:
        # entries are collected first: the withdrawals change the index being read
        newly = 0
        for recording in self._ledger.of_subject(subject_key):
            _, changed = self._withdraw(recording, via)
            newly += changed
        return newly

    def _export(
        self, recording: Recording, now: datetime, links: bool, lifetime: timedelta
    ) -> dict[str, Any]:
        status = recording.status_at(now)
        retention_days = self._retention.days[self._retention.audio_class(recording.purposes)]
        entry: dict[str, Any] = {
            "recording_id": recording.recording_id,
            "call_id": recording.call_id,
            "status": str(status),
            "consent": {
                "given": True,
                "at": _iso(recording.consent_at),
                "purposes": [str(p) for p in recording.purposes],
            },
            "lawful_basis": LAWFUL_BASIS,
            "registered_at": _iso(recording.registered_at),
            "stored_at": _iso(recording.stored_at),
            "audio_expires_at": _iso(recording.audio_expires_at),
            "withdrawn_at": _iso(recording.withdrawn_at),
            "retention": f"the audio is deleted {retention_days} days after it was stored, or at once when "
            "consent is withdrawn",
            "audio": None,
        }
        if status is RecordingStatus.STORED and links:
            entry["audio"] = {
                "content_type": recording.content_type,
                "download_url": self._audio.download_url(recording.audio_key, lifetime=lifetime),
                "link_expires_at": _iso(now + lifetime),
            }
        return entry


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
