"""Outbound rights mail: every template in Dutch, German, English and French, as text and escaped HTML with
its subject; the language chosen from the locale; MIME as SES receives it; SES failures typed."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from markupsafe import escape

from contact_intake.rights.models import RightType
from contact_intake.rights.outbound import (
    Mailer,
    MailFailed,
    Months,
    build_message,
    format_date,
    language_of,
    render,
    render_confirm_page,
    render_page,
)
from contact_intake.rights.templates import LANGUAGES, Items, Link, MailTemplate, Quote
from contact_intake.rights.templates.languages import CONFIRM, PACKS
from tests.builders import NOW

HOSTILE = "<script>alert('x')</script> & \"quotes\""
FULL_CONTEXT: dict[str, Any] = {
    "reference": "0f8e0c55-0d4e-4a7b-9c43-2d5b0b3f4e11",
    "right": RightType.ERASURE,
    "received_date": datetime(2026, 1, 31, 9, 0, tzinfo=UTC),
    "due_date": datetime(2026, 2, 28, 9, 0, tzinfo=UTC),
    "extended_due_date": datetime(2026, 4, 30, 9, 0, tzinfo=UTC),
    "completed_date": NOW,
    "months": Months(2),
    "verify_url": "https://api.shop.example/v1/rights-requests/verify?token=abc&x=<y>",
    "valid_days": 7,
    "reason": f"Many records.\n{HOSTILE}",
    "grounds": f"Legal claim pending.\n{HOSTILE}",
    "reasons": ["Manifestly unfounded.", HOSTILE],
}
SUBJECT_WORDS = {"nl": "privacyverzoek", "de": "Datenschutzanfrage", "en": "privacy request", "fr": "demande"}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", list(MailTemplate))
def test_every_template_renders_in_every_language(template: MailTemplate, language: str) -> None:
    mail = render(template, language, FULL_CONTEXT)
    assert mail.language == language
    pack = PACKS[language]  # type: ignore[index]
    # subject: the language's own, with the reference, on one line
    assert mail.subject.startswith(pack.mails[template].subject.split("{")[0].strip()[:8])
    assert FULL_CONTEXT["reference"] in mail.subject
    assert "\n" not in mail.subject
    # text and HTML both carry the greeting, the reference and the closing; no placeholder is left over
    for body in (mail.text, mail.html):
        assert FULL_CONTEXT["reference"] in body
        assert not re.search(r"\{[a-z_]+\}", body), body
    assert mail.text.startswith(pack.greeting)
    assert pack.closing[-1] in mail.text
    assert f'<html lang="{language}">' in mail.html
    # the DPO's text (or the link) arrives escaped in HTML and unchanged in the text
    assert "<script>" not in mail.html
    if any(isinstance(b, Items | Quote) for b in pack.mails[template].blocks):
        assert HOSTILE in mail.text
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;quotes&#34;" in mail.html


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_acknowledgement_carries_the_link_the_deadline_and_no_verdict(language: str) -> None:
    mail = render(MailTemplate.ACKNOWLEDGEMENT, language, FULL_CONTEXT)
    url = FULL_CONTEXT["verify_url"]
    assert url in mail.text
    assert 'href="https://api.shop.example/v1/rights-requests/verify?token=abc&amp;x=&lt;y&gt;"' in mail.html
    assert format_date(FULL_CONTEXT["due_date"], language) in mail.text  # type: ignore[arg-type]
    assert "7" in mail.text
    assert PACKS[language].rights[RightType.ERASURE] in mail.text  # type: ignore[index]


def test_subjects_differ_by_language() -> None:
    subjects = {
        language: render(MailTemplate.ACKNOWLEDGEMENT, language, FULL_CONTEXT).subject
        for language in LANGUAGES
    }
    assert len(set(subjects.values())) == 4
    for language, word in SUBJECT_WORDS.items():
        assert word.lower() in subjects[language].lower(), (language, subjects[language])


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refusal_names_the_dutch_authority_and_the_persons_own(language: str) -> None:
    for template in (MailTemplate.REJECTION, MailTemplate.OBJECTION_NOT_UPHELD):
        text = render(template, language, FULL_CONTEXT).text
        assert "Autoriteit Persoonsgegevens" in text
        assert "https://autoriteitpersoonsgegevens.nl" in text
        own_country = {
            "nl": "van uw land",
            "de": "Ihres Landes",
            "en": "of your country",
            "fr": "de votre pays",
        }
        assert own_country[language] in text


def test_a_refusal_lists_every_reason() -> None:
    mail = render(MailTemplate.REJECTION, "en", FULL_CONTEXT)
    assert "- Manifestly unfounded.\n- <script>" in mail.text
    assert mail.html.count("<li>") == 2


def test_multi_line_texts_keep_their_lines() -> None:
    mail = render(MailTemplate.EXTENSION, "en", FULL_CONTEXT)
    assert "    Many records.\n    <script>" in mail.text
    assert "Many records.<br>\n&lt;script&gt;" in mail.html
    assert "two months" in mail.text
    assert "30 April 2026" in mail.text


@pytest.mark.parametrize(
    ("language", "months", "phrase"),
    [("nl", 1, "een maand"), ("nl", 2, "twee maanden"), ("de", 1, "einen Monat"), ("fr", 2, "deux mois")],
)
def test_extension_length_is_spelled_in_the_language(language: str, months: int, phrase: str) -> None:
    assert phrase in render(MailTemplate.EXTENSION, language, {**FULL_CONTEXT, "months": Months(months)}).text


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("nl", "nl"),
        ("nl-BE", "nl"),
        ("de-AT", "de"),
        ("de_CH", "de"),
        ("FR", "fr"),
        ("en-GB", "en"),
        ("es", "en"),
        ("", "en"),
        (None, "en"),
        ("xx-nl", "en"),
    ],
)
def test_the_language_comes_from_the_locale_with_english_as_fallback(
    locale: str | None, language: str
) -> None:
    assert language_of(locale) == language
    assert render(MailTemplate.COMPLETION, locale, FULL_CONTEXT).language == language


@pytest.mark.parametrize(
    ("language", "moment", "shown"),
    [
        ("nl", datetime(2026, 12, 25, tzinfo=UTC), "25 december 2026"),
        ("de", datetime(2026, 3, 5, tzinfo=UTC), "5. März 2026"),
        ("en", datetime(2026, 2, 28, tzinfo=UTC), "28 February 2026"),
        ("fr", datetime(2026, 8, 1, tzinfo=UTC), "1er août 2026"),
        ("fr", datetime(2026, 8, 2, tzinfo=UTC), "2 août 2026"),
        ("en", datetime(2026, 8, 1, 23, 30, tzinfo=UTC), "1 August 2026"),
    ],
)
def test_dates_are_written_as_people_write_them(language: str, moment: datetime, shown: str) -> None:
    assert format_date(moment, language) == shown  # type: ignore[arg-type]


@pytest.mark.parametrize("right", list(RightType))
def test_completion_says_what_was_done_for_each_right(right: RightType) -> None:
    for language in LANGUAGES:
        mail = render(MailTemplate.COMPLETION, language, {**FULL_CONTEXT, "right": right})
        detail = PACKS[language].completion_details[right]
        assert detail in mail.text
        assert bool(detail) == (right is not RightType.UNCLASSIFIED)


def test_an_empty_paragraph_is_left_out() -> None:
    mail = render(MailTemplate.COMPLETION, "en", {**FULL_CONTEXT, "right": RightType.UNCLASSIFIED})
    assert "\n\n\n" not in mail.text
    assert "<p></p>" not in mail.html


def test_a_missing_placeholder_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        render(MailTemplate.ACKNOWLEDGEMENT, "en", {"reference": "x"})


def test_every_template_block_kind_is_used() -> None:
    kinds = {type(block) for pack in PACKS.values() for mail in pack.mails.values() for block in mail.blocks}
    assert kinds == {str, Link, Items, Quote}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", ["confirmed", "gone", "missing", "unavailable"])
def test_verification_pages(page: str, language: str) -> None:
    html = render_page(page, language, {"due_date": datetime(2026, 2, 28, tzinfo=UTC)})
    title, _ = PACKS[language].pages[page]  # type: ignore[index]
    assert f"<h1>{title}" in html or f"<h1>{title.replace(chr(39), '&#39;')}" in html
    assert f'<html lang="{language}">' in html
    assert "<script" not in html
    assert not re.search(r"\{[a-z_]+\}", html)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("right", list(RightType))
def test_the_confirmation_page_preselects_the_right_read_and_describes_all_seven(
    right: RightType, language: str
) -> None:
    token = "A" * 43
    html = render_confirm_page(language, right=right, reference="ref-1", token=token)
    assert f'<html lang="{language}">' in html
    assert "<script" not in html
    assert not re.search(r"\{[a-z_]+\}", html)
    values = re.findall(r'name="right" value="([a-z_]+)"', html)
    assert values == [str(r) for r in RightType if r is not RightType.UNCLASSIFIED]
    checked = re.findall(r'value="([a-z_]+)" checked', html)
    assert checked == ([] if right is RightType.UNCLASSIFIED else [str(right)])
    texts = CONFIRM[language]  # type: ignore[index]
    for each in values:  # every right's effect, in the language (escaped as HTML)
        assert str(escape(texts.effects[RightType(each)])) in html
    assert f'<input type="hidden" name="token" value="{token}">' in html
    assert 'role="alert"' not in html
    assert 'role="alert"' in render_confirm_page(
        language, right=right, reference="r", token=token, error=True
    )


def test_the_confirmation_page_escapes_what_it_is_given() -> None:
    html = render_confirm_page("en", right=RightType.ACCESS, reference='<b>"x"</b>', token='"><script>')
    assert "<script>" not in html
    assert "&lt;b&gt;" in html


# ---------------------------------------------------------------- MIME


def _parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_the_message_is_7bit_multipart_alternative_marked_automatic() -> None:
    mail = render(MailTemplate.ACKNOWLEDGEMENT, "de", FULL_CONTEXT)
    raw = build_message(sender="privacy@shop.example", to="person@example.org", mail=mail, now=NOW)
    raw.decode("ascii")  # 7-bit clean: no transport can mangle it
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    (subject_line,) = [line for line in raw.split(b"\r\n") if line.startswith(b"Subject:")]
    assert subject_line.startswith(b"Subject: Bitte =?utf-8?q?best=C3=A4tigen?= Sie")  # one line, RFC 2047
    message = _parse(raw)
    assert message["From"] == "privacy@shop.example"
    assert message["To"] == "person@example.org"
    assert message["Subject"] == mail.subject  # the umlaut survives RFC 2047 encoding, no leading blank
    assert message["Content-Language"] == "de"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@shop.example>")
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    assert text.get_content().replace("\r\n", "\n") == mail.text
    assert html.get_content().replace("\r\n", "\n") == mail.html
    assert not list(message.iter_attachments())


def test_attachments_make_a_multipart_mixed_message() -> None:
    mail = render(MailTemplate.EXPORT, "nl", FULL_CONTEXT)
    export = '{"inquiries": [{"name": "Zoë"}]}'.encode()
    raw = build_message(
        sender="privacy@shop.example",
        to="person@example.org",
        mail=mail,
        attachments=[("personal-data.json", export, "application/json")],
        auto_submitted="auto-replied",
        now=NOW,
    )
    message = _parse(raw)
    assert message.get_content_type() == "multipart/mixed"
    assert message["Auto-Submitted"] == "auto-replied"
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == "personal-data.json"
    assert attachment.get_content_type() == "application/json"
    assert attachment.get_payload(decode=True) == export
    body = message.get_body(("plain",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n") == mail.text


def test_header_injection_is_refused() -> None:
    mail = render(MailTemplate.EXPORT, "en", FULL_CONTEXT)
    with pytest.raises(ValueError, match=r"linefeed|newline|carriage"):
        build_message(
            sender="privacy@shop.example", to="a@example.org\r\nBcc: x@evil.example", mail=mail, now=NOW
        )


# ---------------------------------------------------------------- sending through SESv2


@pytest.fixture
def ses() -> Any:
    return boto3.client("sesv2", region_name="eu-central-1", aws_access_key_id="x", aws_secret_access_key="x")


def test_mailer_sends_raw_content_from_the_sender(ses: Any) -> None:
    sent: dict[str, Any] = {}
    with Stubber(ses) as stub:
        stub.add_response("send_email", {"MessageId": "m-1"})
        stub.add_response("send_email", {"MessageId": "m-2"})

        def capture(params: dict[str, Any], **_: Any) -> None:
            sent.update(params)

        ses.meta.events.register("before-parameter-build.sesv2.SendEmail", capture)
        mailer = Mailer(sender="privacy@shop.example", client=lambda: ses, clock=lambda: NOW)
        assert mailer.send("person@example.org", MailTemplate.ACKNOWLEDGEMENT, "fr", FULL_CONTEXT) == "m-1"
        assert sent["FromEmailAddress"] == "privacy@shop.example"
        assert sent["Destination"] == {"ToAddresses": ["person@example.org"]}
        message = _parse(sent["Content"]["Raw"]["Data"])
        assert message["Auto-Submitted"] == "auto-replied"  # an answer to their mail
        assert message["Content-Language"] == "fr"
        mailer.send(
            "person@example.org",
            MailTemplate.COMPLETION,
            "fr",
            FULL_CONTEXT,
            [("a.json", b"{}", "application/json")],
        )
        assert _parse(sent["Content"]["Raw"]["Data"])["Auto-Submitted"] == "auto-generated"
        stub.assert_no_pending_responses()


@pytest.mark.parametrize("code", ["MessageRejected", "TooManyRequestsException", "AccountSuspendedException"])
def test_ses_refusals_become_mail_failed(ses: Any, code: str) -> None:
    with Stubber(ses) as stub:
        stub.add_client_error("send_email", service_error_code=code, http_status_code=400)
        mailer = Mailer(sender="privacy@shop.example", client=lambda: ses, clock=lambda: NOW)
        with pytest.raises(MailFailed) as failed:
            mailer.send("person@example.org", MailTemplate.EXPORT, "en", FULL_CONTEXT)
    assert str(failed.value) == code  # the error's type only: never SES's message, which may quote addresses


OPENS_A_PAGE = {
    "en": ("It opens a page that says what carrying out the request will do; you confirm there",
           "Opening the link changes nothing by itself."),
    "nl": ("Die opent een pagina die vermeldt wat het uitvoeren van het verzoek doet; daar bevestigt u",
           "Het openen van de link verandert op zich niets."),
    "de": ("Er öffnet eine Seite, die nennt, was die Ausführung der Anfrage bewirkt; dort bestätigen Sie",
           "Das Öffnen des Links allein ändert nichts."),
    "fr": ("Il ouvre une page qui indique ce que l'exécution de la demande entraîne ; vous y confirmez",
           "Ouvrir le lien ne change rien en soi."),
}  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_acknowledgement_says_the_link_opens_a_page_where_the_person_confirms(language: str) -> None:
    opens_a_page, changes_nothing = OPENS_A_PAGE[language]
    text = " ".join(render(MailTemplate.ACKNOWLEDGEMENT, language, FULL_CONTEXT).text.split())
    assert opens_a_page in text
    assert changes_nothing in text
