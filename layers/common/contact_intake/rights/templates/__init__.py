"""The wording of every rights mail and of the verification page, in Dutch, German, English and French.

This module holds the shapes: which mails there are (``MailTemplate``), what a mail is made of, what a
language provides (``LanguagePack``, ``ConfirmTexts``). The words themselves are data, one TOML file per
language (``nl.toml``, ``de.toml``, ``en.toml``, ``fr.toml``: a translator edits one file), read and checked
by ``languages`` (``PACKS``, ``CONFIRM``), whose docstring describes the files.

Each mail is a subject and a sequence of blocks between the language's greeting and closing: a paragraph
(``{name}`` placeholders), a link on its own line, a list, or a quoted text the DPO wrote. outbound.py
renders the same blocks as plain text and as HTML (values escaped), so the two versions cannot drift.

Placeholders: ``reference`` (the request id), ``right`` (the right's name in the language), dates
(``received_date``, ``due_date``, ``extended_due_date``, ``completed_date``), ``months`` (an extension's
length), ``verify_url``, ``valid_days``, ``reason`` / ``grounds`` (the DPO's text, quoted), ``reasons``
(a list) and ``completion_detail`` (per right, in each language).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

from contact_intake.rights.models import RightType

Language = Literal["nl", "de", "en", "fr"]
LANGUAGES: Final[tuple[Language, ...]] = ("nl", "de", "en", "fr")
FALLBACK_LANGUAGE: Final[Language] = "en"

# The Dutch supervisory authority (the shop's lead authority), named in every refusal (Art. 12(4)).
DUTCH_AUTHORITY_URL: Final = "https://autoriteitpersoonsgegevens.nl"


class MailTemplate(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"  # the neutral acknowledgement with the verification link
    EXPORT = "export"  # access / portability: the delivery note of the JSON attachment
    COMPLETION = "completion"
    EXTENSION = "extension"
    REJECTION = "rejection"
    OBJECTION_UPHELD = "objection_upheld"
    OBJECTION_NOT_UPHELD = "objection_not_upheld"
    RESTRICTION_LIFTED = "restriction_lifted"


# The pages after the link (``render_page``): confirmed, or why the link did not work.
PAGES: Final = ("confirmed", "gone", "missing", "unavailable")


@dataclass(frozen=True)
class Link:
    """A URL from the context, on its own line (text) or as a link (HTML)."""

    name: str


@dataclass(frozen=True)
class Items:
    """A list of texts from the context (e.g. the reasons for a refusal)."""

    name: str


@dataclass(frozen=True)
class Quote:
    """A text from the context that someone wrote (e.g. the reason for an extension), set apart."""

    name: str


Block = str | Link | Items | Quote


@dataclass(frozen=True)
class MailText:
    subject: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class LanguagePack:
    """Everything a language needs: the mails, the frame around them, names, dates and the page texts."""

    greeting: str
    closing: tuple[str, ...]
    complaint: str
    rights: dict[RightType, str]
    completion_details: dict[RightType, str]
    months: tuple[str, ...]  # month names, January first
    date_format: str  # {day}, {month}, {year}
    month_counts: dict[int, str]  # an extension's length: 1 and 2 months
    mails: dict[MailTemplate, MailText]
    pages: dict[str, tuple[str, str]]  # page -> (title, text)
    first_day: str = "1"  # how the first day of a month is written: French writes "1er"


@dataclass(frozen=True)
class ConfirmTexts:
    """The confirmation page: what was read from the mail, what carrying out each right does, the form."""

    title: str
    read: str  # {right}: the right read from the mail
    unclassified: str  # the mail did not say which right: the person picks one
    legend: str
    effects: dict[RightType, str]  # what carrying out each right does
    submit: str
    not_you: str
    reference: str  # {reference}
    choose_error: str  # the form came back without one of the seven rights (422; nothing was consumed)
