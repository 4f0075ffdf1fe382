"""Rights requests by e-mail: read a raw MIME message (docs/inbound-mail.md).

A pure function, no I/O (the S3 read and the request store are the callers' business):
``parse_mail(raw)`` reads any MIME the internet sends (multipart, HTML-only, odd or wrong charsets,
quoted-printable, base64) with the standard library. Attachments are counted, never decoded; a forwarded
message (inline or attached as message/rfc822) counts as text; the quoted history of a reply is left out,
so a reply to our own acknowledgement is not classified by our wording. Which right the mail asks for is
read from the person's own text by ``inbound.classify`` (the text itself by ``inbound.own_text``).

The ``From`` address proves nothing: it is only where the verification link goes (docs/architecture.md §7).
Nothing here logs; the text is personal data and stays in the values returned.

Hostile mail is bounded (``inbound.limits``): a mail past any limit is read from its headers only and comes
back with ``too_complex`` naming the limit: a request for the DPO, never an exception. The structure is
parsed with the ``compat32`` policy (plain string headers, linear and non-recursive); the header registry
reads only the few headers used here (``inbound.headers``), after those checks.
"""

from __future__ import annotations

import email.policy
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser
from typing import Literal

from contact_intake.rights.inbound.body import Body
from contact_intake.rights.inbound.folding import one_line
from contact_intake.rights.inbound.headers import Headers, is_automatic, sender_address
from contact_intake.rights.inbound.language import Language, content_languages, detect_language
from contact_intake.rights.inbound.limits import (
    MAX_BODY_CHARS,
    MAX_HEADER_BLOCK,
    Limit,
    PartCounter,
    TooComplex,
    raw_limit,
)
from contact_intake.rights.inbound.replies import (
    FORWARD_SUBJECT,
    REPLY_SUBJECT,
    has_forward_marker,
    request_text,
)


@dataclass(frozen=True)
class InboundMail:
    """What a rights request mail says. ``sender`` is the From address (None when there is no usable
    one); ``text`` is what is classified: the body without a reply's quoted history."""

    sender: str | None
    subject: str
    text: str
    language: Language
    language_source: Literal["header", "text", "default"]
    body_kind: Literal["plain", "html", "none"]
    forwarded: bool = False
    reply: bool = False
    automatic: bool = False  # an auto-reply, bounce or list mail: never answered (mail loops)
    attachments: int = 0
    defects: int = 0
    # the limit this mail went past (a request for the DPO: "too complex to read"), None when read whole
    too_complex: Limit | None = None


def _parse(raw: bytes) -> tuple[Message, Limit | None]:
    """The message, whole, or (past a limit) its top headers only, with the limit."""
    limit = raw_limit(raw)
    if limit is None:
        try:
            return BytesParser(PartCounter(), policy=email.policy.compat32).parsebytes(raw), None
        except TooComplex as too_complex:
            limit = too_complex.limit
        except RecursionError:  # not expected within MAX_CONTAINERS; a limit rather than a crash
            limit = "containers"
    head = BytesParser(policy=email.policy.compat32).parsebytes(raw[:MAX_HEADER_BLOCK], headersonly=True)
    head.set_payload("")
    return head, limit


def parse_mail(raw: bytes) -> InboundMail:
    """Read a raw RFC 5322 message. Never raises: what cannot be read is left out, and a mail past a limit
    (``too_complex``) is read from its headers only."""
    try:
        return _read(raw)
    except Exception:  # a promise to the caller: a mail the limits did not foresee goes to the DPO
        head = BytesParser(policy=email.policy.compat32).parsebytes(raw[:MAX_HEADER_BLOCK], headersonly=True)
        return _headers_only(head, "unreadable")


def _read(raw: bytes) -> InboundMail:
    message, limit = _parse(raw)
    if limit is not None:
        return _headers_only(message, limit)
    headers = Headers()
    body = Body(headers)
    body.collect(message)
    subject = headers.text(message, "Subject")
    sender = sender_address(message, headers)
    automatic = is_automatic(message, headers)
    limit = body.limit or headers.limit
    if limit is not None:
        return _headers_only(message, limit, headers)
    whole = body.text()[:MAX_BODY_CHARS]
    forwarded = bool(FORWARD_SUBJECT.match(subject)) or body.forwarded or has_forward_marker(whole)
    reply = bool(REPLY_SUBJECT.match(subject)) and not forwarded
    text = request_text(whole, forwarded=forwarded)
    languages = content_languages(message, body.languages, headers)
    language, source = detect_language(languages, f"{subject}\n{text}")
    return InboundMail(
        sender=sender,
        subject=one_line(subject),
        text=text,
        language=language,
        language_source=source,
        body_kind=body.kind,
        forwarded=forwarded,
        reply=reply,
        automatic=automatic,
        attachments=body.attachments,
        defects=len(message.defects) + body.defects,
    )


def _headers_only(message: Message, limit: Limit, headers: Headers | None = None) -> InboundMail:
    """A mail past a limit: its sender, subject and language from the top headers, no text. Its own
    limit is kept when a header passes one too (the first one met is the one named)."""
    headers = headers or Headers()
    subject = headers.text(message, "Subject")
    language, source = detect_language(content_languages(message, (), headers), subject)
    return InboundMail(
        sender=sender_address(message, headers),
        subject=one_line(subject),
        text="",
        language=language,
        language_source=source,
        body_kind="none",
        automatic=is_automatic(message, headers),
        defects=len(message.defects),
        too_complex=limit,
    )
