"""The rights wording's language files (rights/templates/<language>.toml): one per language, each with the
reference's keys and placeholders, and a broken file refused with an error naming the file and the key."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from contact_intake.rights.models import RightType
from contact_intake.rights.templates import LANGUAGES, PAGES, MailTemplate
from contact_intake.rights.templates.languages import FOLDER, PACKS, REFERENCE, LanguageFileError, read


def _keys_and_placeholders(value: Any, key: str = "") -> dict[str, tuple[list[str], list[Any]]]:
    """Every key of a file, with the placeholders of its texts (a list's together) and the blocks of a list
    that are not text, in order. Written apart from the loader's check, so the two check each other."""
    if isinstance(value, dict):
        found: dict[str, tuple[list[str], list[Any]]] = {}
        for name, item in value.items():
            found.update(_keys_and_placeholders(item, f"{key}.{name}"))
        return found
    items = value if isinstance(value, list) else [value]
    texts = " ".join(item for item in items if isinstance(item, str))
    return {key: (sorted(set(re.findall(r"\{(\w+)\}", texts))), [i for i in items if not isinstance(i, str)])}


def _load(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def test_there_is_one_file_per_language() -> None:
    assert sorted(path.stem for path in FOLDER.glob("*.toml")) == sorted(LANGUAGES)


def test_the_reference_names_every_right_mail_and_page() -> None:
    reference = _load(REFERENCE)
    assert list(reference["rights"]) == list(RightType)
    assert list(reference["mails"]) == list(MailTemplate)
    assert tuple(reference["pages"]) == PAGES
    assert len(reference["months"]) == 12


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_file_has_the_references_keys_and_placeholders(language: str) -> None:
    expected = _keys_and_placeholders(_load(REFERENCE))
    assert _keys_and_placeholders(_load(FOLDER / f"{language}.toml")) == expected
    pack, _ = read(FOLDER / f"{language}.toml")  # and the loader, which checks the same, agrees
    assert pack == PACKS[language]  # type: ignore[index]


BROKEN = {
    "a right left out": (
        "erasure = 'verwijdering van uw persoonsgegevens, art. 17 AVG'\n",
        "",
        "nl.toml: rights: lacks key(s) erasure",
    ),
    "a misspelt key": (
        "[rights]\n",
        "[rights]\nacces = 'inzage'\n",
        "nl.toml: rights: has unknown key(s) acces",
    ),
    "a renamed placeholder": (
        "{due_date}",
        "{deadline}",
        "nl.toml: mails.acknowledgement.blocks: has {deadline}, {reference}, {right}, {valid_days}, "
        '{ link = "verify_url" }; en.toml has {due_date}, {reference}, {right}, {valid_days}, '
        '{ link = "verify_url" }',
    ),
    "a lost placeholder": (
        "subject = 'Bevestig uw privacyverzoek ({reference})'",
        "subject = 'Bevestig uw privacyverzoek'",
        "nl.toml: mails.acknowledgement.subject: has no placeholders; en.toml has {reference}",
    ),
    "a lone brace": (
        "Bevestig uw privacyverzoek ({reference})",
        "Bevestig uw privacyverzoek ({reference)",
        "nl.toml: mails.acknowledgement.subject: is not a valid text with placeholders",
    ),
    "a block of an unknown kind": (
        '{ link = "verify_url" }',
        '{ button = "verify_url" }',
        "nl.toml: mails.acknowledgement.blocks[2]: should be a text, { link = ... }",
    ),
    "a number for a text": (
        "greeting = 'Geachte heer, mevrouw,'",
        "greeting = 1",
        "nl.toml: greeting: should be a text",
    ),
    "a paragraph left out": (
        "    'Het openen van de link verandert op zich niets. Hebt u dit verzoek niet verstuurd, dan hoeft u "
        "niets te doen: zonder uw bevestiging op die pagina gebeurt er niets.',\n",
        "",
        "nl.toml: mails.acknowledgement.blocks: has the items text, text, link, text; "
        "en.toml has text, text, link, text, text",
    ),
    "a month left out": ("    'december',\n", "", "nl.toml: months: should name 12 months, not 11"),
    "the authority's address written out": (
        "({authority_url})",
        "(https://autoriteitpersoonsgegevens.nl)",
        "nl.toml: complaint: should name the authority as {authority_url}",
    ),
    "not TOML": ("[rights]", "[rights", "nl.toml: cannot be read: "),
}


@pytest.mark.parametrize(("text", "broken", "error"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_file_is_refused_naming_the_file_and_the_key(
    tmp_path: Path, text: str, broken: str, error: str
) -> None:
    original = (FOLDER / "nl.toml").read_text(encoding="utf-8")
    assert original.count(text) >= 1
    path = tmp_path / "nl.toml"
    path.write_text(original.replace(text, broken, 1), encoding="utf-8")
    with pytest.raises(LanguageFileError) as refused:
        read(path)
    assert str(refused.value).startswith(error)
