"""The corpus of real-looking rights request mails (tests/data/mail, expectations in manifest.json).

Four languages and every right; forwards (inline and attached), HTML-only mails, replies with quoted
history, attachments, quoted-printable and base64, windows-1252 / ISO-8859-1 / ISO-8859-15 / KOI8-R and
mislabelled charsets, spam-like text, an empty body, an auto-reply and an ambiguous request.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from contact_intake.rights.inbound.classify import classify_mail
from contact_intake.rights.inbound.language import LANGUAGES
from contact_intake.rights.inbound.parse import parse_mail
from contact_intake.rights.models import RightType
from tests.rights_mail_fakes import MAIL_CORPUS, corpus_mail, corpus_manifest

MANIFEST = corpus_manifest()
RIGHTS = {str(right) for right in RightType}


def test_every_mail_of_the_corpus_has_an_expectation_and_the_reverse() -> None:
    on_disk = {path.name for path in MAIL_CORPUS.glob("*.eml")}
    assert on_disk == set(MANIFEST)
    assert len(on_disk) >= 24


def test_the_corpus_covers_every_right_in_every_language() -> None:
    rights = Counter(expected["right"] for expected in MANIFEST.values())
    assert set(rights) == RIGHTS
    for language in LANGUAGES:
        in_language = [e for e in MANIFEST.values() if e["language"] == language]
        assert len({e["right"] for e in in_language}) >= 5, language
    assert any(e["forwarded"] for e in MANIFEST.values())
    assert any(e["body_kind"] == "html" for e in MANIFEST.values())
    assert any(e["attachments"] for e in MANIFEST.values())


@pytest.mark.parametrize(("name", "expected"), MANIFEST.items(), ids=list(MANIFEST))
def test_corpus_mail_is_parsed_and_classified(name: str, expected: dict[str, Any]) -> None:
    mail = parse_mail(corpus_mail(name))
    classification = classify_mail(mail)

    assert classification.right == expected["right"], (classification.reason, classification.scores)
    assert mail.language == expected["language"]
    assert mail.sender == expected["sender"]
    assert mail.body_kind == expected["body_kind"]
    assert mail.forwarded is expected["forwarded"]
    assert mail.automatic is expected["automatic"]
    assert mail.attachments == expected["attachments"]
    # whatever the charset, the text decoded to something readable
    assert "\ufffd" not in mail.text
