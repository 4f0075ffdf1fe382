"""A message's readable text: the MIME walk over its parts (within MAX_DEPTH and MAX_DECODED_CHARS), the
text parts decoded (transfer encoding and charset), HTML converted, attachments counted, never decoded; a
message attached as message/rfc822 counts as a forward."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message
from functools import cached_property
from typing import Final, Literal

from contact_intake.rights.inbound.folding import one_line
from contact_intake.rights.inbound.headers import Headers, sender_address
from contact_intake.rights.inbound.html_text import html_to_text
from contact_intake.rights.inbound.limits import MAX_DECODED_CHARS, MAX_DEPTH, Limit

_HTML: Final = "text/html"
_ATTACHED_FORWARD: Final = "---------- Forwarded message ---------"  # above an attached message's text
_PLAIN: Final = "text/plain"


@dataclass
class Body:
    """The readable text of a message, collected part by part, within MAX_DEPTH and MAX_DECODED_CHARS
    (``limit`` says which was passed)."""

    headers: Headers
    # (content type, decoded text), or (None, a forward's subject line): HTML is converted only when the
    # whole mail is read (a mail past a limit never pays html.parser for text nobody reads)
    parts: list[tuple[str | None, str]] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    attachments: int = 0
    defects: int = 0
    forwarded: bool = False
    decoded: int = 0
    limit: Limit | None = None

    @cached_property
    def _readable(self) -> list[tuple[str | None, str]]:
        converted = [(kind, html_to_text(text) if kind == _HTML else text) for kind, text in self.parts]
        return [(kind, text) for kind, text in converted if text.strip()]

    @property
    def kind(self) -> Literal["plain", "html", "none"]:
        kinds = {kind for kind, _ in self._readable}
        if _PLAIN in kinds:
            return "plain"
        return "html" if _HTML in kinds else "none"

    def text(self) -> str:
        return "\n\n".join(text for _, text in self._readable)

    def collect(self, part: Message, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            self.limit = self.limit or "depth"
            return
        self.defects += len(getattr(part, "defects", ()))
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            self._forwarded_message(part, depth)
        elif content_type == "multipart/alternative":
            self._alternative(part, depth)
        elif part.is_multipart():
            for sub in _subparts(part):
                self.collect(sub, depth + 1)
        elif _is_attachment(part) or content_type not in {_PLAIN, _HTML}:
            self.attachments += 1  # counted, never decoded
        else:
            self._text_part(part, content_type)

    def _forwarded_message(self, part: Message, depth: int) -> None:
        """A message attached to a message: a forward. Its text counts, headed by its subject."""
        self.forwarded = True
        for inner in _subparts(part):
            sender = sender_address(inner, self.headers) or ""
            self.parts.append((None, f"{_ATTACHED_FORWARD}\nFrom: {sender}"))
            subject = self.headers.text(inner, "Subject")
            if subject.strip():
                self.parts.append((None, f"Subject: {one_line(subject)}"))
            self.collect(inner, depth + 1)

    def _alternative(self, part: Message, depth: int) -> None:
        """The best of the alternatives: plain text when it says anything, else the HTML (or whatever a
        nested multipart holds)."""
        candidates = _subparts(part)
        for wanted in (_PLAIN, _HTML):
            for sub in candidates:
                if sub.get_content_type() == wanted and not _is_attachment(sub):
                    decoded = self._decode(sub)
                    if decoded.strip():
                        self._add_text(sub, wanted, decoded)
                        return
        for sub in candidates:
            if sub.is_multipart():
                self.collect(sub, depth + 1)
                return

    def _text_part(self, part: Message, content_type: str) -> None:
        self._add_text(part, content_type, self._decode(part))

    def _decode(self, part: Message) -> str:
        """A text part's content within what is left of MAX_DECODED_CHARS (past it: the ``text`` limit)."""
        if self.limit is not None:
            return ""
        decoded = decode_text(part)
        left = MAX_DECODED_CHARS - self.decoded
        if len(decoded) > left:
            self.limit = "text"
            decoded = decoded[: max(left, 0)]
        self.decoded += len(decoded)
        return decoded

    def _add_text(self, part: Message, content_type: str, decoded: str) -> None:
        self.parts.append((content_type, decoded))
        language = self.headers.text(part, "Content-Language")
        if language:
            self.languages.append(language)


def _subparts(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [sub for sub in payload if isinstance(sub, Message)] if isinstance(payload, list) else []


def _is_attachment(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment" or (disposition == "inline" and bool(part.get_filename()))


# WHATWG: browsers (and most mailers) mean windows-1252 when they say latin-1 or ascii
_CHARSET_ALIASES: Final = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "utf8": "utf-8",
}


def decode_text(part: Message) -> str:
    """A text part's content, transfer encoding (quoted-printable, base64) undone, decoded with its
    declared charset; a mislabelled or unknown charset falls back to UTF-8, then windows-1252, and
    what still cannot be read becomes U+FFFD rather than an error."""
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError):
        return ""
    if not isinstance(payload, bytes):
        return ""
    declared = (part.get_content_charset() or "").strip().lower()
    return decode_bytes(payload, declared)


def decode_bytes(data: bytes, declared: str = "") -> str:
    """``data`` as text: the declared charset if it reads cleanly, else UTF-8, else windows-1252."""
    charset = _CHARSET_ALIASES.get(declared, declared)
    for candidate in (charset, "utf-8", "cp1252"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("cp1252", errors="replace")
