"""The bounds on the work one rights mail may cost (docs/inbound-mail.md, "Hostile mail"; D55).

The raw bytes are measured before the ``email`` package sees them (size, line breaks, header fields,
multipart and message containers, which bound its recursion); the parser stops after ``MAX_PARTS`` parts;
a header is read only when it is short and its comments shallow; at most ``MAX_DECODED_CHARS`` of text
are decoded, and only the start of that is read for the request. A mail past a limit is read from its
headers only and comes back with ``too_complex`` naming the limit (``Limit``).
"""

from __future__ import annotations

import email.policy
import re
from email.message import Message
from typing import Final, Literal, get_args

# Classification reads at most this much text: a request is said in the first lines, and a forwarded
# thread of megabytes must not cost seconds of regular expressions.
MAX_CLASSIFIED_CHARS: Final = 50_000
# Only the start of a body is read at all (a 40 MB mail must not cost seconds): enough for the request
# above a reply's quoted history or a forward's headers.
MAX_BODY_CHARS: Final = 4 * MAX_CLASSIFIED_CHARS

Limit = Literal["size", "lines", "containers", "parts", "depth", "header", "text", "unreadable"]
LIMITS: Final[tuple[Limit, ...]] = get_args(Limit)

# More than SES stores (40 MB): not parsed at all, only the headers at its start are read.
MAX_RAW_BYTES: Final = 41 * 1024 * 1024
# Line breaks (CR and LF counted apart): the parser's work grows with lines, whatever they hold. The
# largest mail SES accepts, a 40 MB base64 attachment, has ~1.08 million (76-character lines, CRLF);
# 13 million one-character lines would cost the parser seconds and ~800 MB of line objects.
MAX_LINE_BREAKS: Final = 1_200_000
# multipart/* and message/* parts: the parser recurses once or twice per nested container, so their
# number bounds its recursion. A real mail has a handful; a forward of a forward a few more.
MAX_CONTAINERS: Final = 50
# Parts the parser creates (the message itself included): a real mail has a few, a long thread of
# forwards with attachments a few dozen.
MAX_PARTS: Final = 500
# Nested containers walked for text; deeper ones are a limit passed.
MAX_DEPTH: Final = 10
# One header as read (folded lines joined): RFC 5322 allows 998 characters a line; a From or Subject
# folded over a few lines stays far below this.
MAX_HEADER_CHARS: Final = 4_000
# Header fields in the whole message, every part's together: the parser spends ~5 µs on a header line,
# ~16 times what a body line costs. Counted only when the message has more colons than this (a header
# field needs one; base64 has none, so almost every mail is let through by a count in C).
MAX_HEADER_FIELDS: Final = 20_000
_FIELD_START: Final = re.compile(rb"[\r\n][!-9;-~]+:")
# Header fields of one part looked through for the few read here (a real mail has a few dozen; a long
# relay path a hundred or two).
MAX_HEADERS: Final = 1_000
# Nested comments in a structured header: the header registry parses them recursively. An address header
# past a limit is read without its comments (one linear pass over at most MAX_HEADER_SCAN characters), so
# the address still gets its acknowledgement.
MAX_COMMENT_DEPTH: Final = 10
MAX_HEADER_SCAN: Final = 64 * 1024
# The top header block read when the body is not parsed (a mail past a limit).
MAX_HEADER_BLOCK: Final = 256 * 1024
# Text decoded from all text parts together (HTML markup included): html.parser needs ~1 s per MB.
MAX_DECODED_CHARS: Final = 1_000_000

# A Content-Type header naming a container, in lower-cased bytes (a literal start: the regex engine finds
# it with a fast search). Counted only at a line's start; folded values (continuation lines) included.
_CONTAINER: Final = re.compile(rb"content-type:[ \t]*(?:(?:\r\n|\r|\n)[ \t]+)*(?:multipart|message)/")


class TooComplex(Exception):
    def __init__(self, limit: Limit) -> None:
        super().__init__(limit)
        self.limit = limit


class PartCounter:
    """The parser's message factory: counts the parts it creates and stops it past MAX_PARTS."""

    def __init__(self) -> None:
        self.parts = 0

    def __call__(self, policy: email.policy.Policy = email.policy.compat32) -> Message:
        self.parts += 1
        if self.parts > MAX_PARTS + 1:  # +1: the parser makes one to try the factory
            raise TooComplex("parts")
        return Message(policy=policy)


def raw_limit(raw: bytes) -> Limit | None:
    """The limit the raw bytes pass before any parsing, or None: all checks run in C over the bytes."""
    if len(raw) > MAX_RAW_BYTES:
        return "size"
    if raw.count(b"\n") + raw.count(b"\r") > MAX_LINE_BREAKS:
        return "lines"
    if raw.count(b":") > MAX_HEADER_FIELDS:
        for fields, _ in enumerate(_FIELD_START.finditer(raw), start=1):
            if fields > MAX_HEADER_FIELDS:
                return "header"
    lowered = raw.lower()
    containers = 0
    for match in _CONTAINER.finditer(lowered):
        if match.start() == 0 or lowered[match.start() - 1] in b"\r\n":
            containers += 1
            if containers > MAX_CONTAINERS:
                return "containers"
    return None
