"""Every language's wording, by language code: the mails and pages (``PACKS``) and the confirmation page
(``CONFIRM``), read from the language's TOML file beside this module (``nl.toml``, ``de.toml``,
``en.toml``, ``fr.toml``) the first time the language is asked for: a function's cold start reads only the
languages it uses (docs/decisions.md D122). A language is added as a file and in ``LANGUAGES``.

A file is checked as it is read, strictly: every key the shapes need (every right, every mail, every page,
every field of ``LanguagePack`` and ``ConfirmTexts``) and no other, texts where texts belong, and the same
``{placeholders}`` and special blocks in every text as the reference, ``en.toml``. Anything else raises
``LanguageFileError`` naming the file and the key, so a slip in a translation fails the tests (which read
every language) rather than leaving a hole in a mail.

The file format: a mail is ``[mails.<template>]`` with a ``subject`` and ``blocks``, a list of paragraphs
and of the blocks that are not text: ``{ link = "verify_url" }``, ``{ items = "reasons" }``,
``{ quote = "reason" }`` (``Link``, ``Items``, ``Quote``: the value names the context entry) and
``{ complaint = true }`` (the language's ``complaint``, which writes the authority's address as
``{authority_url}``). ``month_counts`` is keyed ``1`` and ``2``, the rest by the names in the code
(``RightType``, ``MailTemplate``, ``PAGES``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import fields
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Final, TypeVar

from contact_intake.rights.models import RIGHTS, RightType
from contact_intake.rights.templates import (
    DUTCH_AUTHORITY_URL,
    LANGUAGES,
    PAGES,
    Block,
    ConfirmTexts,
    Items,
    Language,
    LanguagePack,
    Link,
    MailTemplate,
    MailText,
    Quote,
)

FOLDER: Final = Path(__file__).parent
REFERENCE: Final[Path] = FOLDER / "en.toml"  # every other language has its keys and placeholders

# the keys of a file: every field of the shapes, the confirmation page's under [confirm]
_TOP: Final = (*(field.name for field in fields(LanguagePack)), "confirm")
_CONFIRM: Final = tuple(field.name for field in fields(ConfirmTexts) if field.name != "effects")
_MONTH_COUNTS: Final = ("1", "2")  # an extension's length: by one or two months (Art. 12(3))
_NAMED_BLOCKS: Final[dict[str, type[Link | Items | Quote]]] = {"link": Link, "items": Items, "quote": Quote}
_AUTHORITY: Final = frozenset({"authority_url"})

_Key = TypeVar("_Key", bound=str)
_Value = TypeVar("_Value")
_Wording = tuple[LanguagePack, ConfirmTexts]
_Placeholders = dict[str, str]  # key -> its placeholders (a list's: those of its texts, and its blocks)


class LanguageFileError(ValueError):
    """A language file that is not complete or not well formed; the message names the file and the key."""


class _File:
    """One file's data, read with its name in every error."""

    def __init__(self, path: Path) -> None:
        import tomllib  # on the first language asked for (D122)

        self.path = path
        self.name = path.name
        try:
            with path.open("rb") as file:
                self.data: dict[str, object] = tomllib.load(file)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise LanguageFileError(f"{self.name}: cannot be read: {exc}") from None

    def error(self, key: str, problem: str) -> LanguageFileError:
        return LanguageFileError(f"{self.name}: {key or 'the top level'}: {problem}")

    def table(self, value: object, key: str, keys: Collection[str]) -> dict[str, object]:
        """``value`` as a table that has exactly ``keys``."""
        if not isinstance(value, dict):
            raise self.error(key, "should be a table")
        missing = [name for name in keys if name not in value]
        unknown = [name for name in value if name not in keys]
        if missing:
            raise self.error(key, "lacks key(s) " + ", ".join(missing))
        if unknown:
            raise self.error(key, "has unknown key(s) " + ", ".join(unknown))
        return value

    def text(self, value: object, key: str) -> str:
        if not isinstance(value, str):
            raise self.error(key, "should be a text")
        return value

    def texts(self, value: object, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.error(key, "should be a list of texts")
        return tuple(self.text(item, f"{key}[{index}]") for index, item in enumerate(value))

    def texts_by(self, value: object, key: str, names: Collection[_Key]) -> dict[_Key, str]:
        """A table with a text for each of ``names`` (and nothing else), in the order of ``names``."""
        table = self.table(value, key, names)
        return {name: self.text(table[name], f"{key}.{name}") for name in names}

    def tables_by(
        self, value: object, key: str, names: Collection[_Key], keys: Collection[str]
    ) -> Iterator[tuple[_Key, dict[str, object]]]:
        """For each of ``names``, its table with exactly ``keys``."""
        table = self.table(value, key, names)
        for name in names:
            yield name, self.table(table[name], f"{key}.{name}", keys)

    def blocks(self, value: object, key: str, complaint: str) -> tuple[Block, ...]:
        if not isinstance(value, list):
            raise self.error(key, "should be a list of blocks")
        return tuple(self._block(item, f"{key}[{index}]", complaint) for index, item in enumerate(value))

    def _block(self, item: object, key: str, complaint: str) -> Block:
        if isinstance(item, str):
            return item
        if isinstance(item, dict) and len(item) == 1:
            ((kind, name),) = item.items()
            if kind == "complaint" and name is True:
                return complaint
            if kind in _NAMED_BLOCKS and isinstance(name, str):
                return _NAMED_BLOCKS[kind](name)
        raise self.error(
            key,
            "should be a text, { link = ... }, { items = ... }, { quote = ... } or { complaint = true }",
        )

    def placeholders(self, value: object, key: str = "") -> _Placeholders:
        """Every text's placeholders by key; a list's texts together, with its blocks that are not text."""
        if isinstance(value, dict):
            found: _Placeholders = {}
            for name, item in value.items():
                found.update(self.placeholders(item, f"{key}.{name}" if key else name))
            return found
        if isinstance(value, list):
            names = set[str]()
            for index, item in enumerate(value):
                if isinstance(item, str):
                    names |= self.names(item, f"{key}[{index}]")
            return {key: _describe(names, [item for item in value if not isinstance(item, str)])}
        if isinstance(value, str):
            return {key: _describe(self.names(value, key))}
        return {}

    def names(self, text: str, key: str) -> set[str]:
        try:
            return {name for _, name, _, _ in Formatter().parse(text) if name is not None}
        except ValueError as exc:  # a lone { or }
            raise self.error(key, f"is not a valid text with placeholders ({exc})") from None


def read(path: Path) -> tuple[LanguagePack, ConfirmTexts]:
    """The wording in the language file ``path``, checked (this module's docstring); raises
    LanguageFileError naming the file and the key."""
    return _read(_File(path))


def _read(file: _File) -> _Wording:
    top = file.table(file.data, "", _TOP)
    complaint = file.text(top["complaint"], "complaint")
    if file.names(complaint, "complaint") != _AUTHORITY:
        raise file.error("complaint", "should name the authority as {authority_url}, and nothing else")
    complaint = complaint.replace("{authority_url}", DUTCH_AUTHORITY_URL)
    months = file.texts(top["months"], "months")
    if len(months) != 12:
        raise file.error("months", f"should name 12 months, not {len(months)}")
    pack = LanguagePack(
        greeting=file.text(top["greeting"], "greeting"),
        closing=file.texts(top["closing"], "closing"),
        complaint=complaint,
        rights=file.texts_by(top["rights"], "rights", tuple(RightType)),
        completion_details=file.texts_by(top["completion_details"], "completion_details", tuple(RightType)),
        months=months,
        date_format=file.text(top["date_format"], "date_format"),
        month_counts={
            int(count): text
            for count, text in file.texts_by(top["month_counts"], "month_counts", _MONTH_COUNTS).items()
        },
        mails={
            template: MailText(
                file.text(mail["subject"], f"mails.{template}.subject"),
                file.blocks(mail["blocks"], f"mails.{template}.blocks", complaint),
            )
            for template, mail in file.tables_by(
                top["mails"], "mails", tuple(MailTemplate), ("subject", "blocks")
            )
        },
        pages={
            page: (
                file.text(texts["title"], f"pages.{page}.title"),
                file.text(texts["text"], f"pages.{page}.text"),
            )
            for page, texts in file.tables_by(top["pages"], "pages", PAGES, ("title", "text"))
        },
        first_day=file.text(top["first_day"], "first_day"),
    )
    confirm = file.table(top["confirm"], "confirm", (*_CONFIRM, "effects"))
    confirm_texts = ConfirmTexts(
        **{name: file.text(confirm[name], f"confirm.{name}") for name in _CONFIRM},
        effects=file.texts_by(confirm["effects"], "confirm.effects", RIGHTS),
    )
    found = file.placeholders(file.data)  # the reference's own too: checks that its texts are well formed
    if file.path != REFERENCE:
        _check_placeholders(file, found, _reference_placeholders())
    return pack, confirm_texts


def _describe(names: set[str], blocks: Collection[object] = ()) -> str:
    """``{due_date}, {reference}``; a list's blocks that are not text follow, in order, as written."""
    shown = [f"{{{name}}}" for name in sorted(names)]
    for block in blocks:
        items = block.items() if isinstance(block, dict) else ()
        shown.append("{ " + ", ".join(f"{kind} = {_literal(value)}" for kind, value in items) + " }")
    return ", ".join(shown) or "no placeholders"


def _literal(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else f'"{value}"'


def _check_placeholders(file: _File, found: _Placeholders, expected: _Placeholders) -> None:
    for key, want in expected.items():
        if found.get(key) != want:
            raise file.error(key, f"has {found.get(key)}; {REFERENCE.name} has {want}")
    # a list's items, place by place: a paragraph left out of a translation is refused, not sent short
    reference = _reference_lists()
    for key, items in _lists(file.data).items():
        if items != reference.get(key, items):
            raise file.error(
                key, f"has the items {', '.join(items)}; {REFERENCE.name} has {', '.join(reference[key])}"
            )


def _lists(value: object, key: str = "") -> dict[str, tuple[str, ...]]:
    """Every list by key, as the kinds of its items: ``text``, or the block's kind (``link``, ``items``…)."""
    if isinstance(value, dict):
        found: dict[str, tuple[str, ...]] = {}
        for name, item in value.items():
            found.update(_lists(item, f"{key}.{name}" if key else name))
        return found
    if isinstance(value, list):
        return {key: tuple("text" if isinstance(item, str) else ",".join(map(str, item)) for item in value)}
    return {}


@cache
def _parsed(path: Path) -> _File:
    """A file of this package, parsed once (the reference serves every language's check and its own)."""
    return _File(path)


@cache
def _reference_placeholders() -> _Placeholders:
    reference = _parsed(REFERENCE)
    return reference.placeholders(reference.data)


@cache
def _reference_lists() -> dict[str, tuple[str, ...]]:
    return _lists(_parsed(REFERENCE).data)


@cache
def _wording(language: Language) -> _Wording:
    return _read(_parsed(FOLDER / f"{language}.toml"))


class _ByLanguage(Mapping[Language, _Value]):
    """One thing of each language's wording, read on first use; the keys are ``LANGUAGES``."""

    def __init__(self, pick: Callable[[_Wording], _Value]) -> None:
        self._pick = pick

    def __getitem__(self, language: Language) -> _Value:
        if language not in LANGUAGES:
            raise KeyError(language)
        return self._pick(_wording(language))

    def __contains__(self, language: object) -> bool:
        return language in LANGUAGES

    def __iter__(self) -> Iterator[Language]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)


PACKS: Final[Mapping[Language, LanguagePack]] = _ByLanguage(lambda wording: wording[0])
CONFIRM: Final[Mapping[Language, ConfirmTexts]] = _ByLanguage(lambda wording: wording[1])
