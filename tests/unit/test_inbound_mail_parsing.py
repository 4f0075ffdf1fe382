"""Edge cases of reading a rights request mail (contact_intake.rights.inbound): MIME, charsets, HTML,
quoted history, forwards, the sender, automatic mail, language and the classification rules."""

from __future__ import annotations

import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contact_intake.rights.inbound.body import decode_bytes
from contact_intake.rights.inbound.classify import CLEAR_MARGIN, MIN_SCORE, classify, decide, score_text
from contact_intake.rights.inbound.folding import fold
from contact_intake.rights.inbound.html_text import html_to_text
from contact_intake.rights.inbound.language import detect_language
from contact_intake.rights.inbound.limits import MAX_CLASSIFIED_CHARS
from contact_intake.rights.inbound.own_text import own_text
from contact_intake.rights.inbound.parse import parse_mail
from contact_intake.rights.inbound.replies import request_text
from contact_intake.rights.models import RightType


def a_mail(
    body: bytes | str = "Please delete my data.",
    *,
    headers: dict[str, str] | None = None,
    content_type: str = 'text/plain; charset="utf-8"',
) -> bytes:
    fields = {
        "From": "Ann Example <ann@example.org>",
        "To": "privacy@shop.example",
        "Subject": "Request",
        "MIME-Version": "1.0",
        "Content-Type": content_type,
        **(headers or {}),
    }
    head = "".join(f"{name}: {value}\r\n" for name, value in fields.items() if value is not None)
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return head.encode("ascii") + b"\r\n" + raw


def multipart(subtype: str, *parts: bytes, boundary: str = "BOUNDARY") -> tuple[bytes, str]:
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + part + b"\r\n" for part in parts)
    return body + b"--" + boundary.encode() + b"--\r\n", f'multipart/{subtype}; boundary="{boundary}"'


def a_part(content_type: str, body: bytes, *extra: str) -> bytes:
    head = "".join(f"{line}\r\n" for line in (f"Content-Type: {content_type}", *extra))
    return head.encode() + b"\r\n" + body


# ---------------------------------------------------------------- charsets


@pytest.mark.parametrize(
    ("data", "declared", "expected"),
    [
        ("Löschung".encode(), "utf-8", "Löschung"),
        ("Löschung".encode("latin-1"), "iso-8859-1", "Löschung"),
        # latin-1 labelled, windows-1252 meant: the 0x84/0x93 quotes are read as quotes
        ("„Löschung“".encode("cp1252"), "iso-8859-1", "„Löschung“"),
        ("l\u2019accès".encode("cp1252"), "windows-1252", "l\u2019accès"),
        ("5 € frais".encode("iso-8859-15"), "iso-8859-15", "5 € frais"),
        ("данные".encode("koi8-r"), "koi8-r", "данные"),
        # mislabelled: says UTF-8, is Latin-1
        ("Straße".encode("latin-1"), "utf-8", "Straße"),
        # unknown label, or none
        ("Löschung".encode(), "x-unknown-8bit", "Löschung"),
        ("Löschung".encode(), "", "Löschung"),
        ("Löschung".encode("cp1252"), "us-ascii", "Löschung"),
    ],
)
def test_text_is_decoded_whatever_the_charset_says(data: bytes, declared: str, expected: str) -> None:
    assert decode_bytes(data, declared) == expected


def test_bytes_no_charset_can_read_become_replacement_characters_not_an_error() -> None:
    # 0x81 is undefined in windows-1252 and invalid UTF-8
    assert decode_bytes(b"abc\x81def", "utf-8") == "abc\ufffddef"


def test_quoted_printable_and_base64_are_undone() -> None:
    qp = a_mail(
        b"Bitte l=C3=B6schen Sie meine Daten, danke f=C3=BCr Ihre Hi=\r\nlfe.",
        headers={"Content-Transfer-Encoding": "quoted-printable"},
    )
    b64 = a_mail(
        base64.encodebytes("Je veux l'accès à mes données.".encode()),
        headers={"Content-Transfer-Encoding": "base64"},
    )
    assert parse_mail(qp).text == "Bitte löschen Sie meine Daten, danke für Ihre Hilfe."
    assert parse_mail(b64).text == "Je veux l'accès à mes données."


def test_a_broken_base64_body_does_not_raise() -> None:
    mail = parse_mail(a_mail(b"%%% not base64 ***", headers={"Content-Transfer-Encoding": "base64"}))
    assert mail.sender == "ann@example.org"
    assert mail.defects >= 0


def test_raw_8bit_bytes_in_headers_do_not_raise() -> None:
    raw = b"From: J\xfcrgen <j@example.org>\r\nSubject: L\xf6schung\r\n\r\nbitte l\xf6schen Sie meine Daten"
    mail = parse_mail(raw)
    assert mail.sender == "j@example.org"
    assert classify(mail.subject, mail.text).right == "erasure"


# ---------------------------------------------------------------- structure


def test_alternative_prefers_plain_text_and_falls_back_to_html() -> None:
    body, content_type = multipart(
        "alternative",
        a_part('text/plain; charset="utf-8"', b"   \r\n"),
        a_part('text/html; charset="utf-8"', b"<p>I want <b>access</b> to my data</p>"),
    )
    mail = parse_mail(a_mail(body, content_type=content_type))
    assert mail.body_kind == "html"
    assert mail.text == "I want access to my data"


def test_alternative_with_a_related_html_part_reads_the_nested_multipart() -> None:
    related, related_type = multipart(
        "related",
        a_part('text/html; charset="utf-8"', b"<p>Please erase my data.</p>"),
        a_part("image/png", b"\x89PNG", "Content-ID: <logo>", "Content-Disposition: inline"),
        boundary="REL",
    )
    body, content_type = multipart(
        "alternative", a_part("application/rtf", b"{\\rtf1 x}"), a_part(related_type, related)
    )
    mail = parse_mail(a_mail(body, content_type=content_type))
    assert mail.text == "Please erase my data."
    assert mail.attachments == 1  # the inline image


def test_attachments_are_counted_and_never_read() -> None:
    body, content_type = multipart(
        "mixed",
        a_part('text/plain; charset="utf-8"', b"See the attached letter."),
        a_part(
            'text/plain; charset="utf-8"',
            b"I object to everything and want all my data deleted.",
            'Content-Disposition: inline; filename="letter.txt"',
        ),
        a_part("application/octet-stream", b"\x00\x01", 'Content-Disposition: attachment; filename="x.bin"'),
    )
    mail = parse_mail(a_mail(body, content_type=content_type))
    assert mail.attachments == 2
    assert mail.text == "See the attached letter."
    assert classify(mail.subject, mail.text).right == "unclassified"


def test_a_single_non_text_body_is_an_attachment() -> None:
    mail = parse_mail(a_mail(b"%PDF-1.4", content_type="application/pdf"))
    assert (mail.body_kind, mail.attachments, mail.text) == ("none", 1, "")


def test_a_forward_attached_as_message_rfc822_counts_with_its_subject() -> None:
    inner = (
        b"From: Ann <ann@example.org>\r\nSubject: Auskunft\r\nContent-Type: text/plain\r\n\r\n"
        b"Ich bitte um Auskunft nach Art. 15 DSGVO.\r\n"
    )
    body, content_type = multipart(
        "mixed",
        a_part('text/plain; charset="utf-8"', b"FYI"),
        a_part("message/rfc822", inner, 'Content-Disposition: attachment; filename="fw.eml"'),
    )
    mail = parse_mail(a_mail(body, content_type=content_type, headers={"Subject": "Privacy"}))
    assert mail.forwarded
    assert "Subject: Auskunft" in mail.text
    assert classify(mail.subject, mail.text).right == "access"


def test_nesting_deeper_than_the_limit_is_left_out() -> None:
    part = a_part('text/plain; charset="utf-8"', b"Please delete my data.")
    content_type = ""
    for depth in range(14):
        part, content_type = multipart("mixed", part, boundary=f"B{depth}")
        part = f"Content-Type: {content_type}\r\n\r\n".encode() + part
    mail = parse_mail(a_mail(part.split(b"\r\n\r\n", 1)[1], content_type=content_type))
    assert mail.text == ""


# ---------------------------------------------------------------- HTML


def test_html_drops_scripts_styles_and_the_head() -> None:
    html = (
        "<html><head><title>delete me</title><style>p{}</style></head><body>"
        "<script>var x = 'withdraw my consent';</script><p>Hello&nbsp;there</p>"
        "<div>second<br>third</div><noscript>erase</noscript></body></html>"
    )
    assert html_to_text(html) == "Hello there\nsecond\nthird"


def test_html_with_an_unclosed_head_still_shows_the_body() -> None:
    assert html_to_text("<head><title>x</title><body><p>Inzage graag</p>") == "Inzage graag"


def test_html_blockquotes_become_quoted_lines() -> None:
    html = "<p>New text</p><blockquote><p>old</p><blockquote>older</blockquote></blockquote><p>after</p>"
    assert html_to_text(html) == "New text\n> old\n> > older\nafter"


# ---------------------------------------------------------------- replies and forwards


@pytest.mark.parametrize(
    "attribution",
    [
        "On Mon, 3 Feb 2025 at 10:12, Privacy <privacy@shop.example> wrote:",
        "Op ma 3 feb 2025 om 10:12 schreef Privacy <privacy@shop.example>:",
        "Am Mo., 3. Feb. 2025 um 10:12 Uhr schrieb Privacy <privacy@shop.example>:",
        "Le lun. 3 févr. 2025 à 10:12, Privacy <privacy@shop.example> a écrit :",
        "-----Original Message-----",
        "-----Ursprüngliche Nachricht-----",
        "-----Oorspronkelijk bericht-----",
        "-----Message d'origine-----",
    ],
)
def test_a_replys_quoted_history_is_cut(attribution: str) -> None:
    body = f"Please correct my name.\n\n{attribution}\nWe received your request to delete your data.\n"
    assert request_text(body, forwarded=False) == "Please correct my name."


def test_an_attribution_wrapped_over_two_lines_is_found() -> None:
    body = "Bitte berichtigen.\n\nAm Mo., 3. Feb. 2025 um 10:12 Uhr schrieb Privacy\n<p@shop.example>:\n> x"
    assert request_text(body, forwarded=False) == "Bitte berichtigen."


def test_outlook_header_blocks_start_the_history() -> None:
    body = "Bitte Auskunft.\n\nVon: Privacy <p@shop.example>\nGesendet: Montag\nBetreff: x\n\nLöschung ..."
    assert request_text(body, forwarded=False) == "Bitte Auskunft."
    # a line that merely starts with "From:" is kept
    assert request_text("From: my old address\nplease update it", forwarded=False) == (
        "From: my old address\nplease update it"
    )


def test_quoted_lines_and_the_signature_are_cut_from_a_reply() -> None:
    body = "> old request\nNew: delete my data\n-- \nAnn\nDelete nothing else"
    assert request_text(body, forwarded=False) == "New: delete my data"


def test_a_forward_keeps_its_quoted_text_without_the_quote_marks() -> None:
    body = "see below\n-- \nBob\n> > Ik wil inzage\n>Graag"
    assert request_text(body, forwarded=True) == "see below\n-- \nBob\nIk wil inzage\nGraag"


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Fwd: Privacy", "Ik wil inzage."),
        ("WG: Datenschutz", "Auskunft bitte."),
        ("TR: Donnees", "Accès svp."),
        ("Doorst: privacy", "Ik wil inzage."),
        ("Privacy", "Begin forwarded message:\n\nI want access to my data"),
        ("Privacy", "-------- Weitergeleitete Nachricht --------\nAuskunft bitte"),
        ("Privacy", "Début du message réexpédié :\nAccès svp."),
    ],
)
def test_forwards_are_recognised_by_subject_or_marker(subject: str, body: str) -> None:
    mail = parse_mail(a_mail(body, headers={"Subject": subject}))
    assert mail.forwarded
    assert not mail.reply


def test_a_reply_is_recognised_by_its_subject() -> None:
    for subject in ("Re: x", "AW: x", "Antw: x", "RE[2]: x"):
        assert parse_mail(a_mail(headers={"Subject": subject})).reply, subject
    assert not parse_mail(a_mail(headers={"Subject": "Regarding my data"})).reply


# ---------------------------------------------------------------- the sender


@pytest.mark.parametrize(
    ("from_header", "expected"),
    [
        ("Ann Example <ann@example.org>", "ann@example.org"),
        ("ann@example.org", "ann@example.org"),
        ('"privacy@shop.example" <mallory@example.net>', "mallory@example.net"),
        ("=?utf-8?q?Zo=C3=AB?= <zoe@example.org>", "zoe@example.org"),
        ("Ann <ann@example.org>, Bob <bob@example.org>", "ann@example.org"),
        ("undisclosed-recipients:;", None),
        ("not an address", None),
        ("Ann <ann@localhost>", None),
        ("<>", None),
        (None, None),
        ("Ann <ann@xn--bcher-kva.example>", "ann@xn--bcher-kva.example"),
        ("Ann <ann@xn--zz.example>", None),  # no valid IDNA A-label: no address to answer (D60)
    ],
)
def test_the_sender_is_the_from_address_or_none(from_header: str | None, expected: str | None) -> None:
    assert parse_mail(a_mail(headers={"From": from_header})).sender == expected  # type: ignore[dict-item]


# ---------------------------------------------------------------- automatic mail (RFC 3834)


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated"},
        {"Precedence": "bulk"},
        {"Precedence": "list"},
        {"X-Autoreply": "yes"},
        {"List-Id": "<news.shop.example>"},
        {"From": "MAILER-DAEMON@mail.example.net"},
        {"From": "no-reply@example.net"},
    ],
)
def test_automatic_mail_is_recognised(headers: dict[str, str]) -> None:
    assert parse_mail(a_mail(headers=headers)).automatic


def test_bounces_are_automatic() -> None:
    body, content_type = multipart("report", a_part("text/plain", b"Delivery failed"))
    assert parse_mail(a_mail(body, content_type=content_type + "; report-type=delivery-status")).automatic


def test_a_person_writing_is_not_automatic() -> None:
    assert not parse_mail(a_mail(headers={"Auto-Submitted": "no", "Precedence": "normal"})).automatic


# ---------------------------------------------------------------- language


def test_language_comes_from_content_language_first() -> None:
    assert detect_language(["de-CH, en"], "the and my please") == ("de", "header")
    assert detect_language(["es", "fr_FR"], "") == ("fr", "header")


def test_language_comes_from_the_words_else_english() -> None:
    assert detect_language([], "Ik wil graag inzage in mijn gegevens") == ("nl", "text")
    assert detect_language(["es"], "Je souhaite supprimer mes données") == ("fr", "text")
    assert detect_language([], "Hola, quiero mis datos") == ("en", "default")
    # a tie is no evidence
    assert detect_language([], "ich je") == ("en", "default")


def test_a_content_language_on_the_text_part_counts() -> None:
    body, content_type = multipart("mixed", a_part("text/plain", b"x", "Content-Language: nl"))
    assert parse_mail(a_mail(body, content_type=content_type)).language_source == "header"


# ---------------------------------------------------------------- classification


def test_folding_removes_accents_case_and_typographic_apostrophes() -> None:
    assert fold("Löschung ACCÈS l\u2019oubli Straße") == "loschung acces l'oubli strasse"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Verwijder mijn gegevens alstublieft niet. Ik wil inzage.", "access"),
        ("Bitte löschen Sie meine Daten nicht! Ich möchte Auskunft über meine Daten.", "access"),
        ("Please do not delete my account; I want a copy of my data.", "access"),
        ("Ne supprimez pas mon compte, je veux l'accès à mes données.", "access"),
        ("Please delete my data, not only my account.", "erasure"),
        ("Delete my data, not my newsletter subscription.", "erasure"),
    ],
)
def test_negated_requests_do_not_count(text: str, expected: str) -> None:
    assert classify("", text).right == expected


def test_disclaimers_are_not_requests() -> None:
    disclaimer = (
        "This message is confidential. If you received this e-mail in error, please delete it. "
        "Dit bericht is vertrouwelijk; verwijder het bericht als het u per abuis bereikte."
    )
    assert own_text(f"Where is my parcel?\n\n{disclaimer}") == "Where is my parcel?"
    assert score_text(disclaimer).get("erasure", 0.0) < MIN_SCORE  # a hint at most, never an ask
    assert classify("Hello", f"Where is my parcel?\n{disclaimer}").right == "unclassified"


def test_two_rights_scoring_close_are_unclassified() -> None:
    result = classify("", "I want a copy of my data and then please erase everything.")
    assert (result.right, result.reason) == ("unclassified", "ambiguous")


def test_the_broader_right_includes_the_narrower() -> None:
    assert classify("", "Ich möchte Auskunft, als maschinenlesbare Datei (Datenübertragbarkeit).").right == (
        "portability"
    )
    assert classify("", "Ik maak bezwaar en wil beperking van de verwerking.").right == "objection"


def test_the_subject_weighs_more_than_the_body_unless_it_is_a_reply() -> None:
    assert classify("Löschung", "Und bitte Auskunft.").right == "erasure"
    subject, body = "Re: Ihr Auskunftsersuchen", "Bitte jetzt alles löschen."
    assert classify(subject, body, reply=True).right == "erasure"
    assert classify(subject, body, reply=False).right == "unclassified"


def test_weak_evidence_alone_is_not_enough() -> None:
    result = classify("Question", "Can I access the sale early?")
    assert (result.right, result.reason) == ("unclassified", "no_evidence")
    assert result.scores == {"access": 1.0}


def test_decision_rule_thresholds() -> None:
    assert decide({}) == ("unclassified", "no_evidence")
    assert decide({"erasure": MIN_SCORE - 0.5}) == ("unclassified", "no_evidence")
    assert decide({"erasure": MIN_SCORE}) == ("erasure", "clear")
    assert decide({"erasure": 3 * CLEAR_MARGIN, "access": 3}) == ("erasure", "clear")
    assert decide({"erasure": 3 * CLEAR_MARGIN - 0.5, "access": 3}) == ("unclassified", "ambiguous")
    # the narrower right is dropped only when the broader one is evidenced on its own
    assert decide({"portability": 1, "access": 3}) == ("access", "clear")


def test_recordings_alone_are_no_consent_withdrawal_but_with_consent_they_are() -> None:
    assert classify("", "About the call recording of yesterday").right == "unclassified"
    assert classify("", "Ik wil mijn toestemming voor de gespreksopname intrekken.").right == (
        "consent_withdrawal"
    )
    assert classify("", "Widerruf meiner Bestellung 4711").right == "unclassified"  # a purchase, not consent


def test_only_the_first_characters_are_classified() -> None:
    text = "x " * MAX_CLASSIFIED_CHARS + "please delete my data"
    assert classify("", text).right == "unclassified"


def test_every_right_is_recognised_in_every_language() -> None:
    requests = {
        "access": (
            "Ik wil inzage.",
            "Ich bitte um Auskunft nach Art. 15.",
            "Right of access.",
            "Droit d'accès.",
        ),
        "portability": ("Dataportabiliteit.", "Datenübertragbarkeit.", "Data portability.", "Portabilité."),
        "rectification": ("Graag correctie.", "Bitte Berichtigung.", "Please rectify.", "Rectification svp."),
        "erasure": ("Verwijder alles.", "Löschen Sie alles.", "Erase my data.", "Effacement svp."),
        "restriction": (
            "Beperking van de verwerking.",
            "Einschränkung der Verarbeitung.",
            "Restriction of processing.",
            "Limitation du traitement.",
        ),
        "objection": ("Ik maak bezwaar.", "Ich widerspreche.", "I object to this.", "Je m'oppose."),
        "consent_withdrawal": (
            "Ik trek mijn toestemming in.",
            "Ich widerrufe meine Einwilligung.",
            "I withdraw my consent.",
            "Je retire mon consentement.",
        ),
    }
    for right, texts in requests.items():
        for text in texts:
            assert classify("", text).right == right, text


# ---------------------------------------------------------------- properties: no input makes it fail

_MIME_PIECES = st.sampled_from(
    [
        b"From: Ann <ann@example.org>\r\n",
        b"From: \xff\xfe<@>\r\n",
        b"Subject: =?utf-8?q?L=C3=B6schung?=\r\n",
        b"Subject: =?x-unknown?b?!!!?=\r\n",
        b'Content-Type: multipart/mixed; boundary="b"\r\n',
        b'Content-Type: text/html; charset="koi8-r"\r\n',
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Transfer-Encoding: quoted-printable\r\n",
        b"\r\n",
        b"--b\r\n",
        b"--b--\r\n",
        b"<blockquote><script>x</script>delete</blockquote>\r\n",
        b"> On Mon wrote:\r\n",
        b"=C3=28=\r\n",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_MIME_PIECES | st.binary(max_size=40), max_size=30).map(b"".join))
def test_any_bytes_parse_and_classify_without_raising(raw: bytes) -> None:
    mail = parse_mail(raw)
    result = classify(mail.subject, mail.text, reply=mail.reply)
    assert isinstance(result.right, RightType)
    assert mail.language in {"nl", "de", "en", "fr"}
    assert mail.sender is None or "@" in mail.sender


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_folding_is_idempotent_and_classification_total(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert classify(text[:40], text).reason in {"clear", "ambiguous", "no_evidence"}
