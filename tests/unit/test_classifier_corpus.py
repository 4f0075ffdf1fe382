"""The classifier's figures on the corpus (tests/data/mail/corpus, written by tools/build_mail_corpus.py):
no mail that does not ask for a harmful right gets one, and ≥ 90 % of the genuine requests are recognised.

Every mail goes through the rights-mail function's own path (``parse_mail`` → ``own_text`` →
``classify``); one test runs the corpus through ``RightsMailIntake`` itself. ``python -m
tools.classifier_report`` prints the same figures; this test prints them too (``pytest -s``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest

from contact_intake.api.ses_event import SesNotification, parse_ses_event
from contact_intake.rights.inbound.classify import HARMFUL, classify
from contact_intake.rights.inbound.html_text import html_to_text
from contact_intake.rights.inbound.own_text import MAX_OWN_TEXT_SOURCE, own_text
from contact_intake.rights.inbound.parse import parse_mail
from contact_intake.rights.mail_intake import RightsMailIntake
from contact_intake.rights.models import RIGHTS
from tests.builders import EVENTS
from tests.rights_mail_fakes import FakeRawMail, FakeRights
from tools.classifier_report import CORPUS, GENUINE_TARGET, STDLIB, measure, report

MANIFEST: dict[str, dict[str, Any]] = json.loads((CORPUS / "manifest.json").read_text("utf-8"))
SEVEN = {str(right) for right in RIGHTS}
FIGURES = measure()


def test_the_corpus_has_at_least_60_mails_in_four_languages_and_real_client_shapes() -> None:
    assert {path.name for path in CORPUS.glob("*.eml")} == set(MANIFEST)
    assert len(MANIFEST) >= 60
    languages = Counter(entry["language"] for entry in MANIFEST.values())
    assert set(languages) == {"nl", "de", "en", "fr"}
    assert min(languages.values()) >= 15, languages
    for language in languages:  # a genuine request for every right in every language
        asked = {e["right"] for e in MANIFEST.values() if e["language"] == language}
        assert asked >= SEVEN, (language, SEVEN - asked)
    shapes = {entry["shape"] for entry in MANIFEST.values()}
    assert {
        "gmail_reply",
        "gmail_html_only",
        "gmail_forward",
        "outlook_original",
        "outlook_desktop",
    } <= shapes
    assert {
        "outlook_desktop_html_only",
        "outlook_web",
        "outlook_mobile",
        "iphone_reply",
        "apple_forward",
    } <= shapes
    assert {"thunderbird_reply", "thunderbird_html", "plain"} <= shapes
    encodings = " ".join(entry["encoding"] for entry in MANIFEST.values())
    for wanted in ("utf-8", "iso-8859-1", "windows-1252", "quoted-printable", "base64", "8bit"):
        assert wanted in encodings
    assert len(list(STDLIB.glob("msg_*.txt"))) >= 40  # the standard library's test mails: controls


def test_no_mail_gets_a_harmful_right_it_does_not_ask_for_and_90_percent_of_requests_are_read() -> None:
    print("\n" + report(FIGURES))
    harmful = [(r.name, r.expected, r.got) for r in FIGURES.harmful]
    recognised, total = FIGURES.genuine_share()

    assert harmful == []
    assert total >= 28  # seven rights in four languages at least
    assert recognised / total >= GENUINE_TARGET, f"{recognised}/{total}"
    older, older_total = FIGURES.genuine_share("older")  # the earlier corpus, written before this rework
    assert older / older_total >= GENUINE_TARGET, f"{older}/{older_total}"


def test_every_trap_is_left_unclassified_or_given_a_harmless_reading() -> None:
    traps = [r for r in FIGURES.of("corpus") if r.expected == "unclassified"]
    assert len(traps) >= 30
    assert all(r.got not in HARMFUL for r in traps)
    assert sum(r.got == "unclassified" for r in traps) >= len(traps) - 2


def an_ses_notification() -> SesNotification:
    event: dict[str, Any] = json.loads((EVENTS / "rights_mail_ses_receipt.json").read_text())
    (notification,) = parse_ses_event(event)
    return notification


def test_the_rights_mail_intake_reads_the_corpus_as_the_report_does() -> None:
    """The corpus through RightsMailIntake.receive, the rights-mail function's domain object."""
    notification = an_ses_notification()
    readings = {r.name.removeprefix("corpus/"): r.got for r in FIGURES.of("corpus")}
    for name, entry in MANIFEST.items():
        raw_mail, rights = FakeRawMail(), FakeRights()
        raw_mail.put(notification.mail.message_id, (CORPUS / name).read_bytes())

        outcome = RightsMailIntake(raw_mail=raw_mail, rights=rights).receive(notification)  # type: ignore[arg-type]

        if outcome.outcome == "automatic":  # an auto-reply: never answered, no request at all
            assert rights.calls == [], name
            assert "out_of_office" in name, name
            continue
        (call,) = rights.calls
        assert call["right"] == readings[name], name
        assert call["right"] not in HARMFUL or call["right"] == entry["right"], name
        rule_keys = [key for key in call["counts"] if key.startswith("rule:")]
        assert all(re.fullmatch(r"rule:[a-z_]+\.[a-z0-9_]+", key) for key in rule_keys), rule_keys
        if call["right"] != "unclassified":  # explainable: the rule that read it is in the audit entry
            assert any(key.startswith(f"rule:{call['right']}.") for key in rule_keys), (name, rule_keys)


def test_the_own_text_of_a_reply_or_a_third_party_forward_holds_nothing_of_the_quote() -> None:
    for name, entry in MANIFEST.items():
        mail = parse_mail((CORPUS / name).read_bytes())
        own = own_text(mail.text, sender=mail.sender)
        if entry["shape"] != "plain" and "forward" not in entry["note"]:
            assert "Petshop" not in own, name  # the shop's quoted answer ends "Petshop Service"
        for clients_line in ("iPhone", "Outlook", "confidenti", "vertraulich", "vertrouwelijk", "par erreur"):
            assert clients_line not in own, name


def test_a_persons_own_forwarded_mail_counts_but_not_someone_elses() -> None:
    forward = "See below.\n\n---------- Forwarded message ---------\nFrom: Ann <{who}>\nDate: today\n\n{body}"
    body = "Please delete my account and all my data."
    mine = forward.format(who="ann@example.org", body=body)
    theirs = forward.format(who="someone@example.net", body=body)

    assert "delete my account" in own_text(mine, sender="Ann@Example.org")
    assert own_text(theirs, sender="ann@example.org") == "See below."


# ---------------------------------------------------------------- the guards, on wording not in the corpus


@pytest.mark.parametrize(
    "text",
    [
        "How long do you keep my data before you delete my account?",
        "Wie lange speichern Sie meine Daten, bevor Sie mein Konto löschen?",
        "Wanneer verwijderen jullie mijn gegevens?",
        "Combien de temps avant de supprimer mon compte ?",
        "Don't delete my account please, I still use it.",
        "Ich möchte nicht, dass Sie meine Daten löschen.",
        "Verwijder mijn account alsjeblieft niet.",
        "Je ne veux pas que vous supprimiez mon compte.",
        "Please remove the extra item from my order.",
        "Ich widerspreche der Mahnung, ich habe bezahlt.",
        "Wij maken bezwaar tegen de factuur van maart.",
        "J'ai fait opposition sur ma carte, merci de me renvoyer le lien de paiement.",
        "I consent to the recording of the call.",
        "Ich willige in die Aufzeichnung ein.",
        "Ik ga akkoord met de opname van het gesprek.",
        "Je consens à l'enregistrement de l'appel.",
        "Can I withdraw from my purchase within 14 days?",
        "Could you tell me when you delete my data?",
        "Kunt u mij laten weten of u mijn gegevens verwijdert?",
        "Wann löschen Sie meine Daten",
        "Ich widerrufe meine Bestellung 1234.",
    ],
)
def test_questions_negations_consent_given_and_commercial_wording_get_no_harmful_right(text: str) -> None:
    assert classify("", text).right not in HARMFUL, classify("", text)


@pytest.mark.parametrize(
    ("text", "right"),
    [
        ("Please erase all my personal data.", "erasure"),
        ("Bitte löschen Sie mein Kundenkonto.", "erasure"),
        ("Verwijder al mijn gegevens a.u.b.", "erasure"),
        ("Merci d'effacer toutes mes données.", "erasure"),
        ("Would you delete my profile, please?", "erasure"),
        ("I no longer want to receive your newsletter.", "objection"),
        ("Ich möchte keine Werbemails mehr bekommen.", "objection"),
        ("Ik wil geen nieuwsbrief meer.", "objection"),
        ("Je ne veux plus recevoir vos offres.", "objection"),
        ("I hereby revoke my consent to call recordings.", "consent_withdrawal"),
    ],
)
def test_explicit_asks_in_new_wording_are_read(text: str, right: str) -> None:
    assert classify("", text).right == right


def test_an_auto_reply_gets_no_harmful_right_even_when_it_asks_for_one() -> None:
    text = "I am out of the office. Please delete my data."
    assert classify("", text).right == "unclassified"
    assert "guard.auto_reply" in classify("", text).rules
    assert classify("", "Please delete my data.", automatic=True).right == "unclassified"


def test_the_rules_explain_a_reading_by_id_only() -> None:
    result = classify("", "When do you delete data? Anyway, please delete my account.")
    assert result.right == "erasure"
    assert result.rules[0] == "erasure.verb_data"
    assert "guard.question" not in result.rules  # the ask counted, in its own sentence
    assert set(classify("", "Wann löschen Sie meine Daten?").rules) == {"erasure.word", "guard.question"}


def test_own_text_reads_only_the_start_of_a_body() -> None:
    body = "x\n" * (MAX_OWN_TEXT_SOURCE // 2) + "Please delete my account."
    assert "delete" not in own_text(body)
    assert own_text("Quote\nPlease quote me a price.") == "Quote\nPlease quote me a price."  # no quote mark


def test_html_quote_blocks_of_every_client_end_the_own_text() -> None:
    quoted = "<p>You can delete your data.</p>"
    for opening in (
        '<div class="gmail_quote">',
        '<blockquote type="cite">',
        '<div class="moz-cite-prefix">',
        '<div id="divRplyFwdMsg">',
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt">',
    ):
        text = html_to_text(f"<div>Thanks!</div>{opening}{quoted}</div>")
        assert own_text(text) == "Thanks!", opening


# Written after the corpus and the rules, as a held-out probe: its first run read 29 of the 36 requests
# and gave 2 of the 24 ordinary sentences a harmful right (compound words: "Mahnbescheid",
# "betalingsherinnering"); the rules were widened in general terms, and the probe stays as a regression.
PROBE_REQUESTS = [
    ("I want you to erase everything you have on me.", "erasure"),
    ("Please close my account and remove all my personal information.", "erasure"),
    ("GDPR request: delete all data relating to me.", "erasure"),
    ("Kindly delete my customer profile.", "erasure"),
    ("Löschen Sie bitte sämtliche Daten über mich.", "erasure"),
    ("Ich verlange die Löschung meines Kontos.", "erasure"),
    ("Wilt u mijn klantgegevens wissen?", "erasure"),
    ("Ik verzoek u mijn account te verwijderen.", "erasure"),
    ("Je souhaite la suppression de mon compte.", "erasure"),
    ("Veuillez supprimer toutes les informations me concernant.", "erasure"),
    ("Stop sending me promotional emails.", "objection"),
    ("Remove me from your mailing list please.", "objection"),
    ("Bitte keine Newsletter mehr.", "objection"),
    ("Ik wil me afmelden voor de nieuwsbrief.", "objection"),
    ("Merci de ne plus m'envoyer de publicité.", "objection"),
    ("I object to you processing my data for profiling.", "objection"),
    ("Ich widerspreche der Verarbeitung meiner Daten.", "objection"),
    ("Ik maak bezwaar tegen het gebruik van mijn gegevens.", "objection"),
    ("Je m'oppose au traitement de mes données.", "objection"),
    ("Please restrict processing of my data until my complaint is resolved.", "restriction"),
    ("Bitte schränken Sie die Verarbeitung meiner Daten ein.", "restriction"),
    ("Ik vraag om beperking van de verwerking.", "restriction"),
    ("Je demande la limitation du traitement de mes données.", "restriction"),
    ("I'm withdrawing my consent for call recordings.", "consent_withdrawal"),
    ("Ich ziehe meine Einwilligung zurück.", "consent_withdrawal"),
    ("Ik trek mijn toestemming in voor de opnames.", "consent_withdrawal"),
    ("Je retire mon consentement.", "consent_withdrawal"),
    ("What personal data do you hold about me? Please send me a copy.", "access"),
    ("Welche Daten haben Sie über mich gespeichert?", "access"),
    ("Welke gegevens hebben jullie van mij?", "access"),
    ("Quelles données avez-vous sur moi ?", "access"),
    ("My surname is misspelled, please fix it to Jansen.", "rectification"),
    ("Meine Adresse ist falsch.", "rectification"),
    ("Mijn naam is verkeerd gespeld.", "rectification"),
    ("Mon nom est mal orthographié, merci de le corriger.", "rectification"),
    ("Please export my data in JSON so I can take it elsewhere.", "portability"),
]
PROBE_ORDINARY = [
    "Can you delete the duplicate order I placed by mistake?",
    "Please remove the second item from order 4412.",
    "I'd like to cancel my subscription box delivery for March.",
    "Bitte stornieren Sie meine Bestellung.",
    "Ich widerspreche der Lastschrift über 49 Euro.",
    "Wir legen Widerspruch gegen den Mahnbescheid ein.",
    "Ik maak bezwaar tegen de betalingsherinnering.",
    "Je m'oppose à ces frais de port.",
    "You can delete my earlier email, the issue is solved.",
    "Löschen Sie bitte meine vorige Mail, sie war ein Versehen.",
    "Verwijder mijn vorige mail maar, het is opgelost.",
    "Vous pouvez supprimer mon message précédent.",
    "Do you delete inactive accounts automatically?",
    "Werden meine Daten nach der Bestellung gelöscht?",
    "Worden mijn gegevens na een jaar verwijderd?",
    "Est-ce que mes données sont supprimées après la commande ?",
    "I consent to receiving the newsletter.",
    "Ich stimme der Aufzeichnung zu.",
    "Ik wil graag de nieuwsbrief ontvangen.",
    "Je souhaite recevoir la newsletter.",
    "Please don't remove my account, I just changed my email.",
    "I'd like to restrict my order to one bag only.",
    "Mein Hund verweigert das Futter, ich möchte es zurückgeben.",
    "Le lien pour supprimer mon panier ne marche pas.",
]


@pytest.mark.parametrize(("text", "right"), PROBE_REQUESTS)
def test_probe_requests_are_read(text: str, right: str) -> None:
    assert classify("", text).right == right


@pytest.mark.parametrize("text", PROBE_ORDINARY)
def test_probe_ordinary_sentences_get_no_harmful_right(text: str) -> None:
    assert classify("", text).right not in HARMFUL


def test_a_subject_does_not_make_a_harmful_request_of_a_mail_about_an_order() -> None:
    result = classify("Widerspruch", "Gegen die Rechnung 4711: die Versandkosten sind doppelt berechnet.")
    assert result.right == "unclassified"
    assert "guard.commercial" in result.rules
    assert (
        classify("Löschung meiner Daten", "Bitte bis Freitag.").right == "erasure"
    )  # a subject alone may ask
