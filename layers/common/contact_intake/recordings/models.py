"""Call recordings: the registration contract, the ledger entry, and the retention per purpose.

docs/architecture.md §7 "Call recordings" (a contract): POST /recordings ``{"call_id", "customer_number"?,
"phone"?,
"consent": {"given": true, "at": ISO-8601, "purposes": [...]}}``, purposes from ``training``, ``quality``
and ``agreement_documentation`` only. Two optional fields describe the audio, so the upload URL can bind it:
``content_type`` (``audio/mpeg`` when absent) and ``size_bytes`` (when given, the exact size is signed).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
)

from contact_intake.core.subject import keyed_digest
from contact_intake.intake.models import CustomerNumber, iso_text_only, reject_control_characters


class Purpose(StrEnum):
    """What a recording may be used for (the privacy statement's three, nothing else). Declaration order is
    the tie-break when two purposes keep the audio equally long: the later one names the prefix."""

    TRAINING = "training"
    QUALITY = "quality"
    AGREEMENT_DOCUMENTATION = "agreement_documentation"


class RecordingStatus(StrEnum):
    PENDING_UPLOAD = "pending_upload"  # registered, the upload URL handed out, no audio yet
    STORED = "stored"  # the audio arrived
    WITHDRAWN = "withdrawn"  # consent withdrawn (or the person erased): no audio, the entry kept as proof
    EXPIRED = "expired"  # never stored: a stored recording whose retention has passed (lifecycle deleted it)


class LinkedBy(StrEnum):
    """How a recording is tied to a person (docs/telephony.md)."""

    CUSTOMER = "customer"  # the account's subject key: the HMAC of the account's e-mail address
    PHONE = "phone"  # the HMAC of the phone number the call came from


# The audio formats accepted, and each one's file extension in the object key.
AUDIO_TYPES: Mapping[str, str] = {"audio/mpeg": "mp3", "audio/wav": "wav", "audio/ogg": "ogg"}
AudioType = Literal["audio/mpeg", "audio/wav", "audio/ogg"]
DEFAULT_AUDIO_TYPE: AudioType = "audio/mpeg"

_PHONE_SEPARATORS = re.compile(r"[\s\-./()\u00a0]")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
PHONE_KEY_PURPOSE = "phone"  # the HMAC domain of phone numbers (subject.keyed_digest)


def normalise_phone(raw: str) -> str:
    """The E.164 form of an international number: separators (spaces, dashes, dots, slashes, brackets) and
    a bracketed trunk zero dropped, a leading ``00`` read as ``+``. Raises ValueError for anything else, a
    national number (``06 1234 5678``) included: without the country code the digits name different lines."""
    # "+31 (0)6 ...": the bracketed trunk zero is dialled only inside the country
    text = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw).replace("(0)", ""))
    if text.startswith("00"):
        text = "+" + text[2:]
    if not _E164.match(text):
        raise ValueError("must be an international number: + (or 00), country code, number")
    return text


def phone_key(phone: str, pepper: bytes) -> str:
    """The key of a phone number in the ledger: HMAC-SHA256 of its E.164 form under the pepper, in its own
    domain (never equal to an e-mail's subject key). A DPO request that supplies a phone number finds the
    recordings of calls from it with this key. Raises ValueError for a number ``normalise_phone`` refuses."""
    return keyed_digest(pepper, PHONE_KEY_PURPOSE, normalise_phone(phone))


# ---------------------------------------------------------------- the registration (request body)


def _was_given(value: bool) -> bool:
    if value is not True:
        raise ValueError("no recording without consent: given must be true")
    return value


def _unique(purposes: list[Purpose]) -> list[Purpose]:
    if len(set(purposes)) != len(purposes):
        raise ValueError("each purpose once")
    return purposes


def _phone(value: str) -> str:
    return normalise_phone(value)


class RecordingConsent(BaseModel):
    model_config = ConfigDict(extra="forbid", title="RecordingConsent")

    given: Annotated[StrictBool, AfterValidator(_was_given)] = Field(description="Must be true (JSON true).")
    at: Annotated[AwareDatetime, BeforeValidator(iso_text_only)] = Field(
        description="When the caller consented: ISO-8601 with a time zone, not in the future."
    )
    purposes: Annotated[list[Purpose], AfterValidator(_unique)] = Field(
        min_length=1, max_length=len(Purpose), description="What the caller consented to, each once."
    )


CallId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$"),
    Field(description="The telephony system's id of the call (printable ASCII, no spaces)."),
]
Phone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=40),
    BeforeValidator(reject_control_characters),
    AfterValidator(_phone),
    Field(description="The caller's number, international (+31 6 ...); only its HMAC is kept."),
]


class RecordingRegistration(BaseModel):
    """POST /recordings. At least one of ``customer_number`` (an open account) and ``phone``."""

    model_config = ConfigDict(extra="forbid", title="RecordingRegistration")

    call_id: CallId
    customer_number: CustomerNumber | None = Field(
        default=None, description="The caller's customer number, when the call was about their account."
    )
    phone: Phone | None = None
    consent: RecordingConsent
    content_type: AudioType = Field(
        default=DEFAULT_AUDIO_TYPE, description="The audio's media type; the upload must send exactly it."
    )
    size_bytes: int | None = Field(
        default=None,
        ge=1,
        description="The audio's size in bytes. When given, the upload URL binds it (S3 refuses any other "
        "size); when not, an upload over the maximum is deleted on arrival.",
    )


# ---------------------------------------------------------------- retention


@dataclass(frozen=True)
class RetentionPolicy:
    """How long audio is kept per purpose (the bucket's lifecycle rules use the same template parameters),
    and how long a ledger entry outlives its audio as proof of the consent and of its withdrawal."""

    days: Mapping[Purpose, int]
    proof: timedelta

    def audio_class(self, purposes: tuple[Purpose, ...] | list[Purpose]) -> Purpose:
        """The purpose whose retention applies: the longest one (its prefix's lifecycle rule deletes it)."""
        order = list(Purpose)
        return max(purposes, key=lambda p: (self.days[p], order.index(p)))

    def audio_retention(self, purposes: tuple[Purpose, ...] | list[Purpose]) -> timedelta:
        return timedelta(days=self.days[self.audio_class(purposes)])


def audio_key(purpose: Purpose, recording_id: str, content_type: str) -> str:
    """``<purpose>/<recording id>.<ext>``: the prefix is the retention class (a lifecycle rule per prefix)."""
    return f"{purpose}/{recording_id}.{AUDIO_TYPES[content_type]}"


AUDIO_KEY = re.compile(
    r"^(?P<purpose>training|quality|agreement_documentation)/"
    r"(?P<recording_id>[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\.(?:mp3|wav|ogg)$"
)


# ---------------------------------------------------------------- the ledger entry


@dataclass(frozen=True)
class Recording:
    """One entry of the consent ledger. No direct personal data: keys are HMACs."""

    recording_id: str
    call_id: str
    subject_key: str  # the person: the account's subject key, or the phone's key
    phone_key: str | None  # the phone's key whenever a phone was given (GSI by_phone)
    linked_by: str  # LinkedBy
    consent_at: datetime
    purposes: tuple[Purpose, ...]
    status: RecordingStatus  # as stored: pending_upload, stored or withdrawn
    audio_key: str
    content_type: str
    registered_at: datetime
    expires_at: int  # the entry's own TTL (epoch seconds)
    size_bytes: int | None = None  # as declared at registration (then signed into the upload URL)
    upload_deadline: datetime | None = None  # pending only: an upload must have arrived by then
    stored_at: datetime | None = None
    audio_expires_at: datetime | None = None
    withdrawn_at: datetime | None = None
    withdrawn_via: str | None = None

    def status_at(self, now: datetime) -> RecordingStatus:
        """The status as the DPO and the person see it: a stored recording past its retention is expired."""
        if self.status is RecordingStatus.STORED and self.audio_expires_at and self.audio_expires_at <= now:
            return RecordingStatus.EXPIRED
        return self.status

    def with_status(self, status: RecordingStatus) -> Recording:
        return replace(self, status=status)
