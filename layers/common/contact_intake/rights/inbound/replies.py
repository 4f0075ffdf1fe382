"""Replies and forwards: which a mail is (by its subject and the forward headers in its text), and the part
of a body that states the request (a reply's quoted history and the signature cut)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from contact_intake.rights.inbound.folding import fold

# Reply attributions and forward headers are short lines: only a line's start is looked at for them.
_MARKER_SPAN: Final = 500

REPLY_SUBJECT: Final = re.compile(r"^\s*(?:re|aw|antw|antwort|rep|rép)\s*(?:\[\d+\])?\s*:", re.I)
FORWARD_SUBJECT: Final = re.compile(
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


def has_forward_marker(text: str) -> bool:
    return any(_FORWARD_MARKER.match(_start(line)) for line in text.splitlines())
