"""The few headers a rights mail is read by, bounded: the sender's address (where the verification link
goes; it proves nothing, docs/architecture.md §7), whether the mail was sent automatically (never
answered), and a header's decoded text."""

from __future__ import annotations

import email.policy
import re
from email.message import Message
from itertools import islice
from typing import Final

from contact_intake.core.subject import InvalidAddress, normalise_email
from contact_intake.rights.inbound.limits import (
    MAX_COMMENT_DEPTH,
    MAX_HEADER_CHARS,
    MAX_HEADER_SCAN,
    MAX_HEADERS,
    Limit,
)

_MAX_ADDRESS: Final = 254  # RFC 5321's limit; checked before the pattern, which backtracks on long input
_ADDR_SPEC: Final = re.compile(r"^[^\s@<>()\[\],;:\"\\]+@[^\s@<>()\[\],;:\"\\]+\.[^\s@<>()\[\],;:\"\\.]{2,}$")


class Headers:
    """Reads headers of a message parsed with compat32 through the header registry, bounded: a header
    longer than MAX_HEADER_CHARS is cut there, comments deeper than MAX_COMMENT_DEPTH are removed before
    the registry's recursive parser sees them; either passes the ``header`` limit."""

    def __init__(self) -> None:
        self.limit: Limit | None = None

    def raw(self, message: Message, name: str, limit: int = MAX_HEADER_CHARS) -> str | None:
        """The first ``name`` header as stored (folded lines joined), cut to ``limit`` characters."""
        wanted = name.lower()
        if len(message) > MAX_HEADERS:
            self.passed("header")
        for key, value in islice(message.raw_items(), MAX_HEADERS):
            if key.lower() == wanted:
                text = str(value)
                if len(text) > limit:
                    self.passed("header")
                    text = text[:limit]
                return text.replace("\r", "").replace("\n", "")
        return None

    def passed(self, limit: Limit) -> None:
        self.limit = self.limit or limit

    def text(self, message: Message, name: str) -> str:
        """An unstructured header's text (RFC 2047 encoded words decoded), or ""."""
        value = self.raw(message, name)
        if value is None:
            return ""
        try:
            return str(email.policy.default.header_fetch_parse(name, value))
        except (ValueError, TypeError, IndexError, AttributeError, LookupError):
            return ""

    def addresses(self, message: Message, name: str) -> tuple[object, ...]:
        """An address header's addresses (header registry), comments first removed when nested deep."""
        value = self.raw(message, name, MAX_HEADER_SCAN)
        if value is None:
            return ()
        without, depth = _without_comments(value)
        if depth > MAX_COMMENT_DEPTH or len(value) > MAX_HEADER_CHARS:
            self.passed("header")
            value = without[:MAX_HEADER_CHARS]
        try:
            header = email.policy.default.header_fetch_parse(name, value)
            return tuple(getattr(header, "addresses", ()))
        except (ValueError, TypeError, IndexError, AttributeError, LookupError):
            return ()


def _without_comments(value: str) -> tuple[str, int]:
    """``value`` without its RFC 5322 comments (which nest), quoted strings kept, and the deepest nesting:
    one linear pass, no recursion."""
    kept: list[str] = []
    depth = deepest = 0
    quoted = escaped = False
    for char in value:
        if escaped:
            escaped = False
            if not depth:
                kept.append(char)
        elif char == "\\":
            escaped = True
            if not depth:
                kept.append(char)
        elif quoted:
            quoted = char != '"'
            kept.append(char)
        elif char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")" and depth:
            depth -= 1
        elif not depth:
            quoted = char == '"'
            kept.append(char)
    return "".join(kept), deepest


def sender_address(message: Message, headers: Headers | None = None) -> str | None:
    """The From header's (first) address, or None when there is none that mail could be sent to.

    Parsed by the header registry; a display name that looks like an address is never taken for one.
    """
    for address in (headers or Headers()).addresses(message, "From"):
        spec = str(getattr(address, "addr_spec", "")).strip()
        if len(spec) <= _MAX_ADDRESS and _ADDR_SPEC.match(spec) and spec.isprintable() and _canonical(spec):
            return spec
    return None


def _canonical(spec: str) -> bool:
    """The address has a canonical form (its domain passes UTS #46, D60): a request can be keyed by it."""
    try:
        normalise_email(spec)
    except InvalidAddress:
        return False
    return True


_AUTOMATIC_SENDERS: Final = re.compile(r"^(?:mailer-daemon|postmaster|no-?reply|do-?not-?reply)@", re.I)


def is_automatic(message: Message, headers: Headers | None = None) -> bool:
    """RFC 3834: never auto-answer an auto-generated or auto-replied message, a bounce or a list mail
    (an acknowledgement to an out-of-office reply would start a mail loop)."""
    headers = headers or Headers()
    auto_submitted = headers.text(message, "Auto-Submitted").strip().lower()
    precedence = headers.text(message, "Precedence").strip().lower()
    sender = sender_address(message, headers) or ""
    return (
        (auto_submitted not in {"", "no"})
        or precedence in {"bulk", "junk", "list", "auto_reply"}
        or any(headers.text(message, h) for h in ("X-Autoreply", "X-Autorespond", "List-Id"))
        or message.get_content_type() == "multipart/report"
        or bool(_AUTOMATIC_SENDERS.match(sender))
    )
