"""The person's own new text of a mail: what the classifier may read (docs/decisions.md D50).

A mail's body holds much that the person did not write as their request: the quoted history of a reply
(the shop's answer, our own acknowledgement, each naming rights), a forwarded mail from someone else,
a signature, a phone's "Sent from my iPhone", a confidentiality footer ("if you received this in error,
please delete it"). ``own_text`` keeps only the text above all of that:

- a line quoted with ``>`` is left out;
- a reply's history ends the own text at its attribution ("On … wrote:", "Op … schreef …:",
  "Am … schrieb …:", "Le … a écrit :", Apple's "Op … heeft … het volgende geschreven:"), at Outlook's
  "-----Original Message-----" / "____" separator or its From:/Sent: (Von:/Gesendet:, Van:/Verzonden:,
  De :/Envoyé :) header block, and where an HTML mail's quoted block starts (``gmail_quote``,
  ``blockquote type=cite``, ``moz-cite-prefix``, Outlook's ``divRplyFwdMsg`` or ``border-top``
  separator; ``inbound.html_text`` marks those with ``QUOTE_MARK``);
- a forward ("---------- Forwarded message ---------", "Begin forwarded message:", "Doorgestuurd
  bericht", "Weitergeleitete Nachricht", "Message transféré", an attached message/rfc822) ends it too,
  unless the forwarded mail's own From is the sender's address: a person forwarding their own earlier
  mail ("sent it to the wrong address, see below") is still speaking for themselves;
- a signature (after the "-- " delimiter) and a mobile client's line ("Sent from my iPhone", "Von
  meinem iPhone gesendet", "Verzonden vanaf mijn iPhone", "Envoyé de mon iPhone", "Get Outlook for
  Android") are left out;
- a paragraph with two kinds of confidentiality-footer wording (confidential / intended recipient /
  received in error, in four languages) is left out.

Pure functions over text; nothing logged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from contact_intake.rights.inbound.folding import fold
from contact_intake.rights.inbound.html_text import QUOTE_MARK
from contact_intake.rights.inbound.limits import MAX_CLASSIFIED_CHARS

_MARKER_SPAN: Final = 300  # markers are short lines: only a line's start is looked at
# Only the start of a body is looked at: the request is said at the top, and the classifier reads at most
# MAX_CLASSIFIED_CHARS of the own text anyway.
MAX_OWN_TEXT_SOURCE: Final = 2 * MAX_CLASSIFIED_CHARS
_QUOTE_PREFIX: Final = re.compile(r"^(?:[ \t]*>)+[ \t]?")
_FOLDED_MARK: Final = fold(QUOTE_MARK).strip()
_HEADER_LINES: Final = 10  # a forward's or Outlook's header block is at most this many lines

# A forward's marker line (folded text): Gmail, Apple Mail, Thunderbird, Outlook in four languages
_FORWARD_MARKER: Final = re.compile(
    r"^[\s>*_-]*(?:begin |anfang der |debut du )?"
    r"(?:forwarded message|doorgestuurd(?:e)? (?:bericht|e-?mail)|weitergeleitete(?:n)? (?:nachricht"
    r"|e-?mail)|"
    r"message (?:transfere|reexpedie)|original message|ursprungliche nachricht|oorspronkelijk bericht|"
    r"message d'origine)\b"
)
_RULE: Final = re.compile(r"^_{10,}\s*$")  # Outlook's rule above the header block
# Where a reply's quoted history starts (folded, possibly joined from two wrapped lines)
_ATTRIBUTION: Final = (
    re.compile(r"^on\b.{0,200}\bwrote\s*:\s*$"),
    re.compile(r"^op\b.{0,200}\b(?:schreef\b.{0,200}|het volgende geschreven\s*):\s*$"),
    re.compile(r"^am\b.{0,200}\bschrieb\b.{0,200}:\s*$"),
    re.compile(r"^le\b.{0,200}\ba ecrit\s*:\s*$"),
)
_HEADER_FROM: Final = re.compile(r"^\*?(?:from|von|van|de)\s*:\*?\s*(.*)$")
_HEADER_SENT: Final = re.compile(r"^\*?(?:sent|gesendet|verzonden|envoye|date|datum|subject|betreff)\s*:")
_ADDRESS: Final = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+\.[a-z]{2,}")
_SIGNATURE_DELIMITER: Final = re.compile(r"^--\s?$")
_MOBILE_SIGNATURE: Final = re.compile(
    r"^(?:sent from my|sent from |von meinem|gesendet von meinem|verzonden (?:vanaf|met) mijn|"
    r"verstuurd (?:vanaf|met) mijn|envoye (?:de|depuis) mon|get outlook for|"
    r"outlook (?:voor|fur) \w+ (?:downloaden|herunterladen)|telecharger outlook pour)"
)
# Confidentiality footers: a paragraph with wording of two of these kinds is a footer
_FOOTER_CUES: Final = tuple(
    re.compile(pattern)
    for pattern in (
        r"\b(?:confidential|privileged|vertraulich|vertrouwelijk|confidentiel|disclaimer|haftungsausschluss)",
        r"\b(?:intended (?:solely )?(?:only )?for|intended recipient|addressee|adressat|empfanger|"
        r"geadresseerde|bestemd voor|destinataire)",
        r"\b(?:in error|by mistake|irrtumlich|falschlich|abusievelijk|per abuis|per vergissing|ten onrechte|"
        r"par erreur)",
    )
)


def own_text(body: str, *, sender: str | None = None) -> str:
    """The text the person wrote as this mail's own new text (see the module's docstring)."""
    lines = body[:MAX_OWN_TEXT_SOURCE].splitlines()
    starts = [_start(_unquoted(line)) for line in lines]  # folded once: each line is looked at often
    kept: list[str] = []
    in_signature = False
    index = 0
    while index < len(lines):
        line = lines[index]
        block = _quoted_block(lines, starts, index)
        if block is not None:
            author, body_start = block
            if sender is None or author != sender.casefold():
                break  # someone else's text: the shop's answer, a forwarded third-party mail
            in_signature = False  # the person's own forwarded mail: read on
            index = body_start
            continue
        if _SIGNATURE_DELIMITER.match(line):
            in_signature = True
        elif not (in_signature or line.lstrip().startswith(">") or _MOBILE_SIGNATURE.match(starts[index])):
            kept.append(line)
        index += 1
    return _without_footers("\n".join(kept)).strip()


def _start(line: str) -> str:
    head = line[:_MARKER_SPAN]
    if head.isascii():  # most lines: fold's Unicode work is not needed
        return head.casefold().replace("`", "'").strip()
    return fold(head).strip()


def _unquoted(line: str) -> str:
    return _QUOTE_PREFIX.sub("", line)


def _quoted_block(lines: Sequence[str], starts: Sequence[str], index: int) -> tuple[str, int] | None:
    """When a quoted or forwarded block starts at ``index``: its author's address (casefolded, "" when
    it names none) and the index where its body starts; else None."""
    line = starts[index]
    if not line:
        return None  # a blank line starts nothing
    following = starts[index + 1] if index + 1 < len(lines) else ""
    if any(
        pattern.match(candidate) for pattern in _ATTRIBUTION for candidate in (line, f"{line} {following}")
    ):
        return "", len(lines)  # a reply's history: always the end
    if _outlook_header(starts, index):
        return _header_block(lines, starts, index)
    if line == _FOLDED_MARK or _FORWARD_MARKER.match(line) or _RULE.match(line):
        return _header_block(lines, starts, index + 1)
    return None


def _outlook_header(starts: Sequence[str], index: int) -> bool:
    if not _HEADER_FROM.match(starts[index]):
        return False
    return any(_HEADER_SENT.match(starts[i]) for i in range(index + 1, min(index + 4, len(starts))))


def _header_block(lines: Sequence[str], starts: Sequence[str], first: int) -> tuple[str, int]:
    """The header block below a marker: its From address and where its body starts. Without a From
    header (an HTML quote mark above a reply's history) it has no author and ends the own text."""
    index = first
    while index < len(lines) and _skippable(starts[index]):
        index += 1  # blank lines, quote marks and marker lines between the marker and the headers
    end = min(index + _HEADER_LINES, len(lines))
    author: str | None = None
    while index < end and starts[index]:
        found = _HEADER_FROM.match(starts[index])
        if found and author is None:
            address = _ADDRESS.search(found.group(1))
            author = address.group(0).casefold() if address else ""
        index += 1
    return (author, index) if author is not None else ("", len(lines))


def _skippable(start: str) -> bool:
    return not start or start == _FOLDED_MARK or bool(_FORWARD_MARKER.match(start) or _RULE.match(start))


def _without_footers(text: str) -> str:
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n\n".join(p for p in paragraphs if sum(bool(c.search(fold(p))) for c in _FOOTER_CUES) < 2)
