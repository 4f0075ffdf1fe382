"""Every language's wording, by language code: the mails and pages (``PACKS``) and the confirmation page
(``CONFIRM``). A language is added here, in its own module and in ``LANGUAGES``."""

from __future__ import annotations

from typing import Final

from contact_intake.rights.templates import ConfirmTexts, Language, LanguagePack, de, en, fr, nl

PACKS: Final[dict[Language, LanguagePack]] = {"nl": nl.PACK, "de": de.PACK, "en": en.PACK, "fr": fr.PACK}

CONFIRM: Final[dict[Language, ConfirmTexts]] = {
    "en": en.CONFIRM_PAGE,
    "nl": nl.CONFIRM_PAGE,
    "de": de.CONFIRM_PAGE,
    "fr": fr.CONFIRM_PAGE,
}
