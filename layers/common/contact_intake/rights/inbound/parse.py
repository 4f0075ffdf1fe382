"""Rights requests by e-mail: read a raw MIME message and tell which right it asks for.

Pure functions, no I/O (the S3 read and the request store are the callers' business):

- ``parse_mail(raw)`` reads any MIME the internet sends (multipart, HTML-only, odd or wrong charsets,
  quoted-printable, base64) with the standard library. Attachments are counted, never decoded; a
  forwarded message (inline or attached as message/rfc822) counts as text; the quoted history of a
  reply is left out, so a reply to our own acknowledgement is not classified by our wording.
- which right the mail asks for is read from the person's own text by ``rights.classify`` (the text
  itself by ``rights.own_text``).

The ``From`` address proves nothing: it is only where the verification link goes (docs/architecture.md §7).
Nothing here logs; the text is personal data and stays in the values returned.

Hostile mail is bounded (docs/inbound-mail.md, "Hostile mail"): the raw bytes are measured before the
``email`` package sees them (size, line breaks, multipart and message containers, which bound its
recursion), the parser stops after ``MAX_PARTS`` parts, a header is read only when it is short and its
comments shallow, and at most ``MAX_DECODED_CHARS`` of text are decoded. A mail past any limit is read
from its headers only and comes back with ``too_complex`` naming the limit: a request for the DPO, never
an exception. The structure is parsed with the ``compat32`` policy (plain string headers, linear and
non-recursive); the header registry reads only the few headers used here, after those checks.
"""

from __future__ import annotations

import email.policy
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from functools import cached_property
from html.parser import HTMLParser
from itertools import islice
from typing import Final, Literal, get_args

from contact_intake.core.subject import InvalidAddress, normalise_email

# RightType's values, as the classifier (rights.classify) spells them
RightName = Literal[
    "access",
    "portability",
    "rectification",
    "erasure",
    "restriction",
    "objection",
    "consent_withdrawal",
    "unclassified",
]
Language = Literal["nl", "de", "en", "fr"]
LANGUAGES: Final[tuple[Language, ...]] = ("nl", "de", "en", "fr")
DEFAULT_LANGUAGE: Final[Language] = "en"

# Classification reads at most this much text: a request is said in the first lines, and a forwarded
# thread of megabytes must not cost seconds of regular expressions.
MAX_CLASSIFIED_CHARS: Final = 50_000
# Only the start of a body is read at all (a 40 MB mail must not cost seconds): enough for the request
# above a reply's quoted history or a forward's headers.
_MAX_BODY_CHARS: Final = 4 * MAX_CLASSIFIED_CHARS
# Reply attributions and forward headers are short lines: only a line's start is looked at for them.
_MARKER_SPAN: Final = 500


# ---------------------------------------------------------------- text normalisation


def fold(text: str) -> str:
    """Accent- and case-insensitive form for matching: NFKD without combining marks, casefolded,
    typographic apostrophes made plain ("Löschung" -> "loschung", "accès" -> "acces")."""
    return _without_accents(text).casefold().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _pattern(source: str) -> re.Pattern[str]:
    """A pattern over folded text. Written in lower case (accents allowed): casefolding the pattern itself
    would turn escapes such as \\S into \\s."""
    return re.compile(_without_accents(source))


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------- the parsed mail


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


# ---------------------------------------------------------------- limits (D55)

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


class _TooComplex(Exception):
    def __init__(self, limit: Limit) -> None:
        super().__init__(limit)
        self.limit = limit


class _PartCounter:
    """The parser's message factory: counts the parts it creates and stops it past MAX_PARTS."""

    def __init__(self) -> None:
        self.parts = 0

    def __call__(self, policy: email.policy.Policy = email.policy.compat32) -> Message:
        self.parts += 1
        if self.parts > MAX_PARTS + 1:  # +1: the parser makes one to try the factory
            raise _TooComplex("parts")
        return Message(policy=policy)


def _raw_limit(raw: bytes) -> Limit | None:
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


def _parse(raw: bytes) -> tuple[Message, Limit | None]:
    """The message, whole, or (past a limit) its top headers only, with the limit."""
    limit = _raw_limit(raw)
    if limit is None:
        try:
            return BytesParser(_PartCounter(), policy=email.policy.compat32).parsebytes(raw), None
        except _TooComplex as too_complex:
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
    headers = _Headers()
    body = _Body(headers)
    body.collect(message)
    subject = headers.text(message, "Subject")
    sender = sender_address(message, headers)
    automatic = is_automatic(message, headers)
    limit = body.limit or headers.limit
    if limit is not None:
        return _headers_only(message, limit, headers)
    whole = body.text()[:_MAX_BODY_CHARS]
    forwarded = bool(_FORWARD_SUBJECT.match(subject)) or body.forwarded or _has_forward_marker(whole)
    reply = bool(_REPLY_SUBJECT.match(subject)) and not forwarded
    text = request_text(whole, forwarded=forwarded)
    languages = _content_languages(message, body.languages, headers)
    language, source = detect_language(languages, f"{subject}\n{text}")
    return InboundMail(
        sender=sender,
        subject=_one_line(subject),
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


def _headers_only(message: Message, limit: Limit, headers: _Headers | None = None) -> InboundMail:
    """A mail past a limit: its sender, subject and language from the top headers, no text. Its own
    limit is kept when a header passes one too (the first one met is the one named)."""
    headers = headers or _Headers()
    subject = headers.text(message, "Subject")
    language, source = detect_language(_content_languages(message, (), headers), subject)
    return InboundMail(
        sender=sender_address(message, headers),
        subject=_one_line(subject),
        text="",
        language=language,
        language_source=source,
        body_kind="none",
        automatic=is_automatic(message, headers),
        defects=len(message.defects),
        too_complex=limit,
    )


# ---------------------------------------------------------------- headers

_MAX_ADDRESS: Final = 254  # RFC 5321's limit; checked before the pattern, which backtracks on long input
_ADDR_SPEC: Final = re.compile(r"^[^\s@<>()\[\],;:\"\\]+@[^\s@<>()\[\],;:\"\\]+\.[^\s@<>()\[\],;:\"\\.]{2,}$")


class _Headers:
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


def sender_address(message: Message, headers: _Headers | None = None) -> str | None:
    """The From header's (first) address, or None when there is none that mail could be sent to.

    Parsed by the header registry; a display name that looks like an address is never taken for one.
    """
    for address in (headers or _Headers()).addresses(message, "From"):
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


def is_automatic(message: Message, headers: _Headers | None = None) -> bool:
    """RFC 3834: never auto-answer an auto-generated or auto-replied message, a bounce or a list mail
    (an acknowledgement to an out-of-office reply would start a mail loop)."""
    headers = headers or _Headers()
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


# ---------------------------------------------------------------- body

_HTML: Final = "text/html"
_ATTACHED_FORWARD: Final = "---------- Forwarded message ---------"  # above an attached message's text
_PLAIN: Final = "text/plain"


@dataclass
class _Body:
    """The readable text of a message, collected part by part, within MAX_DEPTH and MAX_DECODED_CHARS
    (``limit`` says which was passed)."""

    headers: _Headers
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
                self.parts.append((None, f"Subject: {_one_line(subject)}"))
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


# ---------------------------------------------------------------- HTML


# The line html_to_text puts where a mail client's quoted or forwarded block starts (own_text reads it)
QUOTE_MARK: Final = "\ue000quote\ue000"  # private-use characters: never in a mail's text
_QUOTE_CLASSES: Final = (
    "gmail_quote",
    "moz-cite-prefix",
    "yahoo_quoted",
    "protonmail_quote",
    "outlookmessageheader",
)
_QUOTE_IDS: Final = ("divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container")


def _starts_quote(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    """A client's quoted block: Gmail's gmail_quote, Thunderbird's moz-cite-prefix, Apple's and
    Thunderbird's <blockquote type="cite">, Outlook's divRplyFwdMsg and the border-top rule of Outlook
    desktop's header block."""
    values = {name: (value or "").lower() for name, value in attrs}
    if tag == "blockquote" and values.get("type") == "cite":
        return True
    style = values.get("style", "").replace(" ", "")
    return (
        any(name in values.get("class", "") for name in _QUOTE_CLASSES)
        or values.get("id", "") in _QUOTE_IDS
        or (tag == "div" and "border-top:solid" in style)
    )


class _HtmlText(HTMLParser):
    """HTML to plain lines: scripts, styles and the head dropped, blocks on their own lines, text
    inside <blockquote> prefixed with "> " like a quoted plain-text reply, and a QUOTE_MARK line where
    a client's quoted block starts."""

    _SKIP: Final = frozenset({"script", "style", "head", "title", "noscript", "template", "svg", "xml"})
    _BLOCK: Final = frozenset(
        {
            "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
            "hr", "pre", "section", "article", "header", "footer", "address", "dd", "dt", "center",
        }
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._skipping = 0
        self._quote_depth = 0
        self._lines: list[tuple[int, list[str]]] = [(0, [])]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._skipping and _starts_quote(tag, attrs):
            self._new_line()
            self._lines[-1][1].append(QUOTE_MARK)
            self._new_line()
        if tag == "body":
            self._skipping = 0  # an unclosed <head> must not hide the body
        elif tag in self._SKIP:
            self._skipping += 1
        elif tag == "blockquote":
            self._quote_depth += 1
            self._new_line()
        elif tag in self._BLOCK:
            self._new_line()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag == "blockquote":
            self._quote_depth = max(0, self._quote_depth - 1)
            self._new_line()
        elif tag in self._BLOCK:
            self._new_line()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._lines[-1][1].append(data)

    def _new_line(self) -> None:
        self._lines.append((self._quote_depth, []))

    def text(self) -> str:
        lines = []
        for depth, chunks in self._lines:
            line = _one_line("".join(chunks))
            if line:
                lines.append("> " * depth + line)
        return "\n".join(lines)


def html_to_text(html: str) -> str:
    """The readable text of an HTML body (html.parser: no external parser, nothing executed)."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return parser.text()


# ---------------------------------------------------------------- replies and forwards

_REPLY_SUBJECT: Final = re.compile(r"^\s*(?:re|aw|antw|antwort|rep|rép)\s*(?:\[\d+\])?\s*:", re.I)
_FORWARD_SUBJECT: Final = re.compile(
    r"^\s*(?:(?:re|aw|antw)\s*:\s*)*\[?(?:fwd?|wg|tr|trans|doorst)\s*(?:\[\d+\])?\s*:", re.I
)
# Forward headers of Gmail, Apple Mail, Thunderbird and Outlook in the four languages (folded text)
_FORWARD_MARKER: Final = re.compile(
    r"^[\s>*_-]*(?:begin |anfang der |debut du )?"
    r"(?:forwarded message|doorgestuurd bericht|weitergeleitete(?:n)? (?:nachricht|e-?mail)|"
    r"message transfere|message reexpedie|doorgestuurde e-?mail)\b"
)
# Where a reply's quoted history starts (folded text, possibly joined from two wrapped lines)
_HISTORY_START: Final = (
    re.compile(r"^on\b.{0,200}\bwrote\s*:\s*$"),
    re.compile(r"^op\b.{0,200}\bschreef\b.{0,200}:\s*$"),
    re.compile(r"^am\b.{0,200}\bschrieb\b.{0,200}:\s*$"),
    re.compile(r"^le\b.{0,200}\ba ecrit\s*:\s*$"),
    re.compile(
        r"^-{2,}\s*(?:original message|ursprungliche nachricht|oorspronkelijk bericht|message d'origine)"
    ),
    re.compile(r"^_{10,}\s*$"),  # Outlook's rule above the quoted header block
)
_OUTLOOK_FROM: Final = re.compile(r"^\*?(?:from|von|van|de)\s*:\*?\s")
_OUTLOOK_SENT: Final = re.compile(r"^\*?(?:sent|gesendet|verzonden|envoye|date|datum)\s*:\*?\s")
_SIGNATURE: Final = re.compile(r"^--\s?$")


def request_text(body: str, *, forwarded: bool) -> str:
    """The part of a body that states the request.

    A forward: everything, quote marks removed (the forwarded text is the request). Otherwise the
    reply's quoted history (``>`` lines, "On ... wrote:" / "Op ... schreef" / "Am ... schrieb" /
    "Le ... a écrit" and what follows, Outlook's original-message block) and the signature are cut.
    """
    lines = body.splitlines()
    if forwarded:
        return "\n".join(_unquoted(line) for line in lines).strip()
    kept: list[str] = []
    for index, line in enumerate(lines):
        if _history_starts(lines, index) or _SIGNATURE.match(line):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return "\n".join(kept).strip()


def _unquoted(line: str) -> str:
    return re.sub(r"^(?:\s*>)+\s?", "", line)


def _start(line: str) -> str:
    return fold(line[:_MARKER_SPAN]).strip()


def _history_starts(lines: Sequence[str], index: int) -> bool:
    line = _start(lines[index])
    following = _start(lines[index + 1]) if index + 1 < len(lines) else ""
    for candidate in (line, f"{line} {following}"):
        if any(pattern.match(candidate) for pattern in _HISTORY_START):
            return True
    if _OUTLOOK_FROM.match(line):
        window = [_start(lines[i]) for i in range(index + 1, min(index + 4, len(lines)))]
        return any(_OUTLOOK_SENT.match(other) for other in window)
    return False


def _has_forward_marker(text: str) -> bool:
    return any(_FORWARD_MARKER.match(_start(line)) for line in text.splitlines())


# ---------------------------------------------------------------- language


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS: Final[dict[Language, frozenset[str]]] = {
    "nl": _words(
        "ik het een mijn niet graag wil gegevens alstublieft bedankt geachte vriendelijke groet "
        "groeten met van dat zijn uw verzoek heb kunt wilt hierbij verwijderen inzage"
    ),
    "de": _words(
        "ich und nicht mit meine meiner meinen bitte sehr geehrte geehrter ihre ihnen sie daten der "
        "das ist freundlichen grussen gruss mochte hiermit uber loschen auskunft"
    ),
    "en": _words(
        "the and my please you your is to of data dear would like regards thank with that this "
        "request delete access all"
    ),
    "fr": _words(
        "je le la les et mes vous votre donnees madame monsieur bonjour cordialement merci pour est "
        "une des du souhaite demande supprimer"
    ),
}
_WORD: Final = re.compile(r"[a-z]+")
_LANGUAGE_TAGS: Final[dict[str, Language]] = {language: language for language in LANGUAGES}


def detect_language(
    content_languages: Iterable[str], text: str
) -> tuple[Language, Literal["header", "text", "default"]]:
    """The request's language: a supported Content-Language, else the language whose common words the
    text uses most (clearly), else English."""
    for header in content_languages:
        for tag in header.split(","):
            primary = _LANGUAGE_TAGS.get(tag.strip().split("-")[0].split("_")[0].lower())
            if primary is not None:
                return primary, "header"
    words = _WORD.findall(fold(text[:MAX_CLASSIFIED_CHARS]))
    counts = {language: sum(word in _STOPWORDS[language] for word in words) for language in LANGUAGES}
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    (best, best_count), (_, second_count) = ranked[0], ranked[1]
    if best_count >= 2 and best_count > second_count:
        return best, "text"
    return DEFAULT_LANGUAGE, "default"


def _content_languages(message: Message, part_languages: Sequence[str], headers: _Headers) -> list[str]:
    top = headers.text(message, "Content-Language")
    return [top, *part_languages] if top else list(part_languages)
