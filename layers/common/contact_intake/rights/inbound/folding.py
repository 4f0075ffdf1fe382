"""Text made comparable: the folded form every matcher of a rights mail reads (language, replies, own
text, classification), and a header's text on one line."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Accent- and case-insensitive form for matching: NFKD without combining marks, casefolded,
    typographic apostrophes made plain ("Löschung" -> "loschung", "accès" -> "acces")."""
    return _without_accents(text).casefold().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def one_line(text: str) -> str:
    return " ".join(text.split())
