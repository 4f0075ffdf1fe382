"""The contact form's model (the public contract of POST /inquiries) and the stored inquiry record."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
)

from contact_intake.core.retention import LawfulBasis
from contact_intake.core.subject import InvalidAddress, normalise_email

_ALLOWED_IN_TEXT = {"\n", "\r", "\t"}
_LINE_BREAKS = {"\u2028", "\u2029", "\x85"}


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" or char in _LINE_BREAKS


def reject_control_characters(value: object) -> object:
    """One-line fields: no control character at all (CR/LF included: no header or log injection).

    Runs before whitespace is stripped, so a trailing CR/LF is rejected too, not silently dropped.
    """
    if isinstance(value, str) and any(_is_control(c) for c in value):
        raise ValueError("must be one line without control characters")
    return value


def reject_binary_characters(value: object) -> object:
    """Multi-line text: line breaks and tabs are fine, other control characters are not."""
    if isinstance(value, str) and any(_is_control(c) and c not in _ALLOWED_IN_TEXT for c in value):
        raise ValueError("must not contain control characters")
    return value


_ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}")


def iso_text_only(value: object) -> object:
    """A date-time field takes ISO-8601 text (RFC 3339), as the document says: pydantic's lax mode would
    also take a number, or a string of digits, as seconds since 1970."""
    if not isinstance(value, str) or not _ISO_DATE_TIME.match(value):
        raise ValueError("must be an ISO-8601 date-time with a time zone, e.g. 2025-02-03T10:12:44+01:00")
    return value


OneLine200 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    BeforeValidator(reject_control_characters),
]
MessageText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=5000),
    BeforeValidator(reject_binary_characters),
]
CustomerNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$"),
    BeforeValidator(reject_control_characters),
]
Locale = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[a-z]{2}(-[A-Za-z]{2})?$"),
    BeforeValidator(reject_control_characters),
]


def canonical_address(value: str) -> str:
    """The validated address in its one canonical form (contact_intake.core.subject.normalise_email): the
    validator hands back an internationalised domain in Unicode, the helpdesk and every table take the
    A-label. A domain that fails UTS #46 is a field error (422), never a 500."""
    try:
        return normalise_email(value)
    except InvalidAddress as invalid:
        raise ValueError(str(invalid)) from None


Email = Annotated[
    EmailStr,
    Field(max_length=254, description="The address the answer goes to."),
    BeforeValidator(reject_control_characters),
    AfterValidator(canonical_address),
]
SUPPORTED_LOCALES = ("nl", "de", "en", "fr")


class InquiryForm(BaseModel):
    """A question posted by the contact form. Unknown fields are rejected."""

    model_config = ConfigDict(extra="forbid", title="InquiryForm")

    name: OneLine200 = Field(description="The sender's name (1-200 characters, one line).")
    email: Email
    subject: OneLine200 = Field(description="Subject of the question (1-200 characters, one line).")
    message: MessageText = Field(description="The question (1-5000 characters).")
    customer_number: CustomerNumber | None = Field(
        default=None, description="Optional shop customer number; counts only when it matches the e-mail."
    )
    locale: Locale | None = Field(default=None, description="Preferred language, e.g. nl, de, en, fr.")
    captcha_token: Annotated[str, StringConstraints(min_length=1, max_length=4096)] = Field(
        description="The reCAPTCHA token (urlencoded posts may send it as g-recaptcha-response)."
    )
    website: Annotated[str, StringConstraints(max_length=2000)] = Field(
        default="", description="Honeypot: leave empty."
    )


class InquiryStatus(StrEnum):
    RECEIVED = "received"
    FORWARDED = "forwarded"
    RESOLVED = "resolved"


class Channel(StrEnum):
    WEB_FORM = "web_form"


@dataclass
class InquiryRecord:
    """One stored inquiry: the row of InquiriesTable (attribute names are a contract, docs/architecture.md
    §3)."""

    inquiry_id: str
    received_at: datetime
    name: str
    email: str
    subject: str
    message: str
    subject_key: str
    lawful_basis: LawfulBasis
    request_fingerprint: str
    locale: str = "en"
    channel: Channel = Channel.WEB_FORM
    status: InquiryStatus = InquiryStatus.RECEIVED
    restricted: bool = False
    customer_number: str | None = None
    helpdesk_ticket_id: int | None = None
    expires_at: int | None = None
    # forwarder bookkeeping: set just before a ticket create, so a redelivery knows a ticket may exist
    forward_attempted_at: datetime | None = None
    forward_attempts: int = 0
    forwarded_at: datetime | None = None
    extra: dict[str, object] = field(default_factory=dict)
