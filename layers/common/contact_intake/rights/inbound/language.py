"""The language a rights mail is answered in: a supported Content-Language, else the one whose common
words the text uses most, else English."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from email.message import Message
from typing import Final, Literal

from contact_intake.rights.inbound.folding import fold
from contact_intake.rights.inbound.headers import Headers
from contact_intake.rights.inbound.limits import MAX_CLASSIFIED_CHARS

Language = Literal["nl", "de", "en", "fr"]
LANGUAGES: Final[tuple[Language, ...]] = ("nl", "de", "en", "fr")
DEFAULT_LANGUAGE: Final[Language] = "en"


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


def content_languages(message: Message, part_languages: Sequence[str], headers: Headers) -> list[str]:
    top = headers.text(message, "Content-Language")
    return [top, *part_languages] if top else list(part_languages)
