"""Rights requests by e-mail: read a raw MIME message and tell which right it asks for.

Pure functions, no I/O (the S3 read and the request store are the callers' business):

- ``parse_mail(raw)`` reads any MIME the internet sends (multipart, HTML-only, odd or wrong charsets,
  quoted-printable, base64) with the standard library. Attachments are counted, never decoded; a
  forwarded message (inline or attached as message/rfc822) counts as text; the quoted history of a
  reply is left out, so a reply to our own acknowledgement is not classified by our wording.
- ``classify(subject, text)`` scores Dutch, German, English and French wording per right. No evidence,
  or two rights scoring close, gives ``unclassified``: the DPO decides, nothing is dropped.

The ``From`` address proves nothing: it is only where the verification link goes (DESIGN §7).
Nothing here logs; the text is personal data and stays in the values returned.
"""

from __future__ import annotations

import email
import email.policy
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser
from typing import Final, Literal

from contact_intake.rights.models import RightType
from contact_intake.subject import InvalidAddress, normalise_email

# RightType's values, as the phrase table below spells them
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
# A text part is cut to this before it is read (HTML markup included): html.parser needs ~1 s per MB.
_MAX_PART_CHARS: Final = 1_000_000
# Reply attributions and forward headers are short lines: only a line's start is looked at for them.
_MARKER_SPAN: Final = 500
# One clear phrase scores 3, a hint 1 or 2. A right is named when it scores at least MIN_SCORE and
# beats the runner-up by CLEAR_MARGIN times; otherwise the mail is unclassified. The margin is wide on
# purpose: an access request taken for an erasure would destroy data; an unclassified one costs the DPO a
# minute.
MIN_SCORE: Final = 2.0
CLEAR_MARGIN: Final = 2.0
SUBJECT_WEIGHT: Final = 1.5  # a fresh mail's subject usually names the request
REPLY_SUBJECT_WEIGHT: Final = 0.5  # a reply's subject is inherited (often from our own acknowledgement)


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


def parse_mail(raw: bytes) -> InboundMail:
    """Read a raw RFC 5322 message. Never raises on malformed input: what cannot be read is left out."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    body = _Body()
    body.collect(message)
    subject = _header_text(message, "Subject")
    whole = body.text()[:_MAX_BODY_CHARS]
    forwarded = bool(_FORWARD_SUBJECT.match(subject)) or body.forwarded or _has_forward_marker(whole)
    reply = bool(_REPLY_SUBJECT.match(subject)) and not forwarded
    text = request_text(whole, forwarded=forwarded)
    language, source = detect_language(_content_languages(message, body.languages), f"{subject}\n{text}")
    return InboundMail(
        sender=sender_address(message),
        subject=_one_line(subject),
        text=text,
        language=language,
        language_source=source,
        body_kind=body.kind,
        forwarded=forwarded,
        reply=reply,
        automatic=is_automatic(message),
        attachments=body.attachments,
        defects=len(message.defects) + body.defects,
    )


# ---------------------------------------------------------------- headers

_MAX_ADDRESS: Final = 254  # RFC 5321's limit; checked before the pattern, which backtracks on long input
_ADDR_SPEC: Final = re.compile(r"^[^\s@<>()\[\],;:\"\\]+@[^\s@<>()\[\],;:\"\\]+\.[^\s@<>()\[\],;:\"\\.]{2,}$")


def sender_address(message: Message) -> str | None:
    """The From header's (first) address, or None when there is none that mail could be sent to.

    Parsed by the header registry; a display name that looks like an address is never taken for one.
    """
    try:
        header = message["From"]
        addresses = getattr(header, "addresses", ())
    except (ValueError, TypeError, IndexError, AttributeError):
        return None
    for address in addresses:
        spec = str(address.addr_spec).strip()
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


def _header_text(message: Message, name: str) -> str:
    try:
        value = message[name]
    except (ValueError, TypeError, IndexError, AttributeError):
        return ""
    return "" if value is None else str(value)


_AUTOMATIC_SENDERS: Final = re.compile(r"^(?:mailer-daemon|postmaster|no-?reply|do-?not-?reply)@", re.I)


def is_automatic(message: Message) -> bool:
    """RFC 3834: never auto-answer an auto-generated or auto-replied message, a bounce or a list mail
    (an acknowledgement to an out-of-office reply would start a mail loop)."""
    auto_submitted = _header_text(message, "Auto-Submitted").strip().lower()
    precedence = _header_text(message, "Precedence").strip().lower()
    sender = sender_address(message) or ""
    return (
        (auto_submitted not in {"", "no"})
        or precedence in {"bulk", "junk", "list", "auto_reply"}
        or any(_header_text(message, h) for h in ("X-Autoreply", "X-Autorespond", "List-Id"))
        or message.get_content_type() == "multipart/report"
        or bool(_AUTOMATIC_SENDERS.match(sender))
    )


# ---------------------------------------------------------------- body

_HTML: Final = "text/html"
_PLAIN: Final = "text/plain"
_MAX_DEPTH: Final = 10  # nested multiparts and forwards; deeper ones are left out


@dataclass
class _Body:
    """The readable text of a message, collected part by part."""

    parts: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    languages: list[str] = field(default_factory=list)
    attachments: int = 0
    defects: int = 0
    forwarded: bool = False

    @property
    def kind(self) -> Literal["plain", "html", "none"]:
        if _PLAIN in self.kinds:
            return "plain"
        return "html" if _HTML in self.kinds else "none"

    def text(self) -> str:
        return "\n\n".join(self.parts)

    def collect(self, part: Message, depth: int = 0) -> None:
        if depth > _MAX_DEPTH:
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
            subject = _header_text(inner, "Subject")
            if subject.strip():
                self.parts.append(f"Subject: {_one_line(subject)}")
            self.collect(inner, depth + 1)

    def _alternative(self, part: Message, depth: int) -> None:
        """The best of the alternatives: plain text when it says anything, else the HTML (or whatever a
        nested multipart holds)."""
        candidates = _subparts(part)
        for wanted in (_PLAIN, _HTML):
            for sub in candidates:
                if sub.get_content_type() == wanted and not _is_attachment(sub) and decode_text(sub).strip():
                    self._text_part(sub, wanted)
                    return
        for sub in candidates:
            if sub.is_multipart():
                self.collect(sub, depth + 1)
                return

    def _text_part(self, part: Message, content_type: str) -> None:
        decoded = decode_text(part)[:_MAX_PART_CHARS]
        text = html_to_text(decoded) if content_type == _HTML else decoded
        if text.strip():
            self.parts.append(text)
            self.kinds.add(content_type)
        language = _header_text(part, "Content-Language")
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


class _HtmlText(HTMLParser):
    """HTML to plain lines: scripts, styles and the head dropped, blocks on their own lines, and text
    inside <blockquote> prefixed with "> " like a quoted plain-text reply."""

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


def _content_languages(message: Message, part_languages: Sequence[str]) -> list[str]:
    top = _header_text(message, "Content-Language")
    return [top, *part_languages] if top else list(part_languages)


# ---------------------------------------------------------------- classification


@dataclass(frozen=True)
class Phrase:
    """One piece of evidence for a right: a pattern over folded text and its weight. ``negatable``
    phrases (verbs) do not count when a negation stands next to them ("niet verwijderen")."""

    right: RightName
    pattern: re.Pattern[str]
    weight: float
    negatable: bool = False


def _phrases(right: RightName, weight: float, *patterns: str, negatable: bool = False) -> list[Phrase]:
    return [Phrase(right, _pattern(p), weight, negatable) for p in patterns]


_ART = r"\bart(?:ikel|icle|\.|\s)?\s*"  # "Art. 15", "Artikel 15", "article 15", "art 15"

PHRASES: Final[tuple[Phrase, ...]] = (
    # --- access (Art. 15)
    *_phrases(
        "access",
        3,
        r"\binzage\w*",
        r"\brecht op inzage\b",
        r"\b(?:selbst|daten)?auskunfts\w*",
        r"\b(?:selbst|daten)auskunft\b",
        r"\brecht auf auskunft\b",
        r"\bauskunft (?:uber|zu) (?:die |alle |meine |der )?(?:(?:von )?ihnen )?"
        r"(?:gespeicherten |personenbezogenen )?daten\b",
        r"\bsubject access\b",
        r"\bright (?:of|to) access\b",
        r"\baccess (?:to )?(?:all )?(?:of )?(?:my|the) (?:personal )?(?:data|information|details)\b",
        r"\baccess request\b",
        r"\bdroit d'acces\b",
        r"\bdemande d'acces\b",
        r"\bacc(?:eder|es) a (?:toutes )?(?:mes|les) (?:donnees|informations)",
    ),
    *_phrases(
        "access",
        2,
        r"\bcopy of (?:all )?(?:the |my )?(?:personal )?(?:data|information)",
        r"\bkopie van (?:al )?(?:mijn|de) (?:persoons)?gegevens",
        r"\bkopie (?:meiner|der|aller|von meinen) (?:personenbezogenen |gespeicherten )?daten",
        r"\bcopie de (?:toutes )?(?:mes|les) (?:donnees|informations)",
        r"\bwhat (?:personal )?(?:data|information) (?:you|do you|have you|is)",
        r"\bwelke (?:persoons)?gegevens\b",
        r"\bwelche (?:personenbezogenen |gespeicherten )?daten\b",
        r"\bquelles (?:donnees|informations)\b",
        r"\b(?:dsar|sar)\b",
        _ART + r"15\b",
    ),
    *_phrases("access", 1, r"\binzien\b", r"\baccess\b", r"\bacces\b", r"\bauskunft\b"),
    # --- portability (Art. 20)
    *_phrases(
        "portability",
        3,
        r"\b(?:data|daten)?portabilit\w*",
        r"\b(?:data)?overdraagbaarheid\b",
        r"\b(?:daten)?ubertragbarkeit\b",
    ),
    *_phrases(
        "portability",
        2,
        r"\bmachine[- ]?readable\b",
        r"\bmachineleesba\w*",
        r"\bmaschinenlesba\w*",
        r"\blisible par (?:une )?machine\b",
        r"\b(?:transfer|transmit|move|port|export) (?:all )?(?:of )?my (?:personal )?data\b",
        r"\b(?:naar|aan) een andere (?:aanbieder|partij|dienst|verwerkingsverantwoordelijke)\b",
        r"\ban einen anderen (?:anbieter|verantwortlichen|dienst)\b",
        r"\ba un autre (?:responsable|prestataire|fournisseur)\b",
        _ART + r"20\b",
    ),
    # --- rectification (Art. 16)
    *_phrases(
        "rectification",
        3,
        r"\brectif\w*",
        r"\bberichtig\w*",
        r"\bcorrectie\b",
        r"\bcorrigeer\w*",
        r"\bcorrigeren\b",
        r"\bcorrect (?:my|the|this)\b",
        r"\bcorriger\b",
        r"\bkorrigier\w*",
        r"\bkorrektur\b",
        negatable=True,
    ),
    *_phrases(
        "rectification",
        2,
        r"\b(?:address|name|adres|naam|anschrift|adresse|nom|gegevens|daten|donnees|data) (?:is|are|ist|sind|"
        r"est|sont|klopt niet|klopt|kloppen) (?:niet )?(?:not )?(?:incorrect|wrong|verkeerd|onjuist|falsch|"
        r"inexact|errone|correct|juist|richtig)\w*",
        r"\bupdate my (?:address|name|details|data|e-?mail)",
        _ART + r"16\b",
    ),
    *_phrases(
        "rectification",
        1,
        r"\b(?:incorrect|inaccurate|outdated|wrong)\b",
        r"\bonjuist\w*",
        r"\bverkeerd\w*",
        r"\bunrichtig\w*",
        r"\bfalsch(?:e|en|er|es)?\b",
        r"\binexact\w*",
        r"\berrone\w*",
    ),
    # --- erasure (Art. 17)
    *_phrases(
        "erasure",
        3,
        r"\bverwijder\w*",
        r"\b(?:daten|konto|account|kunden)?losch\w*",
        r"\bdelet(?:e|ed|ion)\b",
        r"\berase\b",
        r"\berasure\b",
        r"\bremove (?:all )?(?:of )?my (?:personal )?(?:data|details|information|account)\b",
        r"\beffac\w*",
        r"\bsupprim\w*",
        r"\bsuppression\b",
        negatable=True,
    ),
    *_phrases(
        "erasure",
        3,
        r"\bvergeten (?:te )?worden\b",
        r"\brecht (?:om|op) (?:te worden )?vergeten\b",
        r"\bright to be forgotten\b",
        r"\brecht auf vergessen\w*",
        r"\bdroit a l'oubli\b",
    ),
    *_phrases("erasure", 2, r"\b(?:gegevens|data|account) (?:te )?wissen\b", _ART + r"17\b"),
    # --- restriction (Art. 18)
    *_phrases(
        "restriction",
        3,
        r"\bbeperking van (?:de )?verwerking\b",
        r"\beinschrankung der verarbeitung\b",
        r"\brestrict(?:ion of)? (?:the )?processing\b",
        r"\blimitation du traitement\b",
        r"\blimiter (?:le )?traitement\b",
        r"\brestrict\w* (?:the )?(?:use|usage|processing) of my\b",
        r"\bbeperk\w* (?:van )?(?:het gebruik|de verwerking)\b",
        r"\beinschrank\w* (?:der |die )?(?:nutzung|verarbeitung)\b",
        r"\blimit\w* (?:l'utilisation|le traitement|the processing|the use)\b",
    ),
    *_phrases("restriction", 2, r"\bsperr(?:ung|en)\b", _ART + r"18\b", negatable=True),
    *_phrases(
        "restriction",
        1,
        r"\bbeperk\w*",
        r"\beinschrank\w*",
        r"\brestrict\w*",
        r"\blimitation\b",
        negatable=True,
    ),
    # --- objection (Art. 21)
    *_phrases(
        "objection",
        3,
        r"\bbezwaar\w*",
        r"\bwiderspruch\w*",
        r"\bwidersprech\w*",
        r"\bwiderspreche\b",
        r"\bobject to\b",
        r"\bobjection\b",
        r"\bopposition\b",
        r"\bm'oppose\w*",
        r"\bs'opposer\b",
    ),
    *_phrases(
        "objection",
        2,
        r"\bstop (?:processing|using) my (?:personal )?data\b",
        r"\bstoppen met het (?:verwerken|gebruiken)\b",
        _ART + r"21\b",
    ),
    *_phrases("objection", 1, r"\bdirect[- ]?marketing\b", r"\bdirektwerbung\b", r"\bprospection\b"),
    # --- withdrawal of consent (Art. 7(3)); call recordings are the processing based on consent
    *_phrases(
        "consent_withdrawal",
        3,
        r"\btoestemming\b.{0,40}\bin(?:trekken|trek|getrokken)\b",
        r"\bintrek\w*.{0,40}\btoestemming\b",
        r"\btrek\w*\b.{0,40}\btoestemming\b.{0,20}\bin\b",
        r"\beinwilligung\b.{0,40}\bwiderr\w*",
        r"\bwiderr\w*.{0,40}\beinwilligung\b",
        r"\b(?:withdraw|revoke|retract)\w*.{0,30}\bconsent\b",
        r"\bconsent\b.{0,30}\b(?:withdraw|revoke)\w*",
        r"\b(?:retir|revoqu)\w*.{0,30}\bconsentement\b",
        r"\bretrait\b.{0,30}\bconsentement\b",
    ),
    *_phrases("consent_withdrawal", 2, _ART + r"7\s*(?:\(3\)|abs\.?\s*3|lid 3|para\w*\.? 3)"),
    *_phrases(
        "consent_withdrawal",
        1,
        r"\b(?:gespreks|telefoon)?opname\w*",
        r"\b(?:gesprachs|anruf|telefon)?aufzeichnung\w*",
        r"\b(?:call |phone )?recording\w*",
        r"\benregistrement\w*",
        r"\btoestemming\b",
        r"\beinwilligung\b",
        r"\bconsent\b",
        r"\bconsentement\b",
    ),
)

# Wording that looks like a request but is not one: mail disclaimers ("if you received this in error,
# please delete it") drop their whole sentence; "delete this message" drops itself. Applied before scoring.
_DISCLAIMER_CUE: Final = _pattern(
    r"\b(?:in error|by mistake|ten onrechte|per abuis|per vergissing|irrtumlich|falschlicherweise|"
    r"par erreur|confidential|vertrouwelijk|vertraulich|confidentiel)"
)
_SENTENCE: Final = re.compile(r"[^.!?\n]+[.!?\n]*|[.!?\n]+")  # linear: no nested quantifier
_NOT_A_REQUEST: Final = tuple(
    _pattern(p)
    for p in (
        r"\b(?:delete|destroy|remove) (?:this|the) (?:e-?mail|message|mail|communication)\b",
        r"\b(?:verwijder|vernietig)\w* (?:dit|het|deze) (?:e-?mail|bericht|mail)\w*",
        r"\b(?:losch|vernicht)\w* (?:sie )?(?:diese|die) (?:e-?mail|nachricht|mail)\b",
        r"\b(?:supprim|detrui)\w* (?:ce|le) (?:message|courriel|e-?mail|mail)\b",
    )
)


def _without_disclaimers(folded: str) -> str:
    kept = [sentence for sentence in _SENTENCE.findall(folded) if not _DISCLAIMER_CUE.search(sentence)]
    text = " ".join(kept)
    for pattern in _NOT_A_REQUEST:
        text = pattern.sub(" ", text)
    return text


_NEGATION_BEFORE: Final = re.compile(
    r"\b(?:not|don't|dont|never|no|niet|geen|nooit|nicht|kein\w*|nie|ne|n'|pas|jamais|sans)"
    r"(?!\s+(?:only|alleen|nur|seulement)\b)\s*(?:[^\s.!?;,]+\s+){0,2}$"
)
_NEGATION_AFTER: Final = re.compile(
    r"^\s*(?:[^\s.!?;,]+\s+){0,4}?(?:niet|nicht|pas)\b(?!\s+(?:alleen|nur|seulement)\b)"
)

# A request for the broader right includes the narrower one: portability is an access in a
# machine-readable form (the same export), and an objection restricts processing at once.
_INCLUDES: Final[dict[RightName, RightName]] = {"portability": "access", "objection": "restriction"}


@dataclass(frozen=True)
class Classification:
    """The right a mail asks for, with the evidence scores (ids of rights only: safe to log)."""

    right: RightType
    reason: Literal["clear", "ambiguous", "no_evidence"]
    scores: dict[str, float]


def score_text(text: str) -> dict[RightName, float]:
    """Evidence per right in ``text``: each phrase counts once; negated verbs do not count."""
    folded = _one_line(_without_disclaimers(fold(text[:MAX_CLASSIFIED_CHARS])))
    scores: dict[RightName, float] = {}
    for phrase in PHRASES:
        if any(not (phrase.negatable and _negated(folded, m)) for m in phrase.pattern.finditer(folded)):
            scores[phrase.right] = scores.get(phrase.right, 0.0) + phrase.weight
    return scores


def _negated(text: str, match: re.Match[str]) -> bool:
    before = text[max(0, match.start() - 40) : match.start()]
    after = text[match.end() : match.end() + 40]
    return bool(_NEGATION_BEFORE.search(before) or _NEGATION_AFTER.match(after))


def classify(subject: str, text: str, *, reply: bool = False) -> Classification:
    """The right asked for, or ``unclassified`` when nothing says so or two rights score close.

    The subject counts SUBJECT_WEIGHT times as much as the body (REPLY_SUBJECT_WEIGHT for a reply,
    whose subject is inherited). Never raises.
    """
    subject_weight = REPLY_SUBJECT_WEIGHT if reply else SUBJECT_WEIGHT
    scores: dict[RightName, float] = dict(score_text(text))
    for right, value in score_text(_strip_subject_prefixes(subject)).items():
        scores[right] = scores.get(right, 0.0) + subject_weight * value
    rounded: dict[str, float] = {right: round(value, 2) for right, value in sorted(scores.items())}
    right, reason = decide(scores)
    return Classification(right=RightType(right), reason=reason, scores=rounded)


def decide(
    scores: dict[RightName, float],
) -> tuple[RightName, Literal["clear", "ambiguous", "no_evidence"]]:
    """The winning right of a score table, by MIN_SCORE and CLEAR_MARGIN (see the module's constants)."""
    contenders = dict(scores)
    for broader, narrower in _INCLUDES.items():
        if contenders.get(broader, 0.0) >= MIN_SCORE:
            contenders.pop(narrower, None)
    ranked = sorted(contenders.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1] < MIN_SCORE:
        return "unclassified", "no_evidence"
    best_right, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if best < CLEAR_MARGIN * runner_up:
        return "unclassified", "ambiguous"
    return best_right, "clear"


def _strip_subject_prefixes(subject: str) -> str:
    previous = None
    while previous != subject:
        previous = subject
        subject = _FORWARD_SUBJECT.sub("", _REPLY_SUBJECT.sub("", subject))
    return subject


def classify_mail(mail: InboundMail) -> Classification:
    """``classify`` for a parsed mail: its subject and the text that states the request."""
    return classify(mail.subject, mail.text, reply=mail.reply)
