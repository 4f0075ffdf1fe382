"""`python -m tools.build_mail_corpus`: writes the classifier corpus, tests/data/mail/corpus/.

Each mail is what a person types (``own``) wrapped the way a real mail client wraps it: Gmail (plain +
HTML with ``gmail_quote``, "On … wrote:"), Outlook desktop ("-----Original Message-----", the
Von:/Gesendet: block, HTML with a ``border-top`` separator), Outlook on the web and mobile
(``divRplyFwdMsg``, "Get Outlook for Android"), Apple Mail / iPhone ("Sent from my iPhone", ``blockquote
type=cite``, "Begin forwarded message:") and Thunderbird (``moz-cite-prefix``), in the clients' own
wording per language, with quoted-printable or base64 in UTF-8, ISO-8859-1 or windows-1252. The quoted
history deliberately names rights (a shop's answer, our own acknowledgement): only the person's own new
text may count.

``manifest.json`` holds each mail's expected reading: ``right`` (the ideal reading) and ``accept`` (other
harmless readings that are fine, e.g. ``unclassified`` for a request the DPO would classify). The files
are committed; this script documents how they were written and rewrites them when run.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr
from html import escape
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "mail" / "corpus"
TEXTS = Path(__file__).resolve().with_name("mail_corpus_texts.toml")  # the mails' texts (long: kept apart)
SHOP = ("Petshop Service", "service@shop.example")
DATE = "Mon, 3 Feb 2025 10:12:44 +0100"

ATTRIBUTION = {  # Gmail's reply attribution per language
    "en": "On Fri, 31 Jan 2025 at 16:40, {name} <{addr}> wrote:",
    "nl": "Op vr 31 jan 2025 om 16:40 schreef {name} <{addr}>:",
    "de": "Am Fr., 31. Jan. 2025 um 16:40 Uhr schrieb {name} <{addr}>:",
    "fr": "Le ven. 31 janv. 2025 à 16:40, {name} <{addr}> a écrit :",
}
APPLE_ATTRIBUTION = {
    "en": "On 31 Jan 2025, at 16:40, {name} <{addr}> wrote:",
    "nl": "Op 31 jan. 2025 om 16:40 heeft {name} <{addr}> het volgende geschreven:",
    "de": "Am 31.01.2025 um 16:40 schrieb {name} <{addr}>:",
    "fr": "Le 31 janv. 2025 à 16:40, {name} <{addr}> a écrit :",
}
THUNDERBIRD_ATTRIBUTION = {
    "en": "On 31/01/2025 16:40, {name} wrote:",
    "nl": "Op 31-01-2025 om 16:40 schreef {name}:",
    "de": "Am 31.01.25 um 16:40 schrieb {name}:",
    "fr": "Le 31/01/2025 à 16:40, {name} a écrit :",
}
IPHONE = {
    "en": "Sent from my iPhone",
    "nl": "Verzonden vanaf mijn iPhone",
    "de": "Von meinem iPhone gesendet",
    "fr": "Envoyé de mon iPhone",
}
OUTLOOK_MOBILE = {
    "en": "Get Outlook for Android<https://aka.ms/AAb9ysg>",
    "nl": "Outlook voor Android downloaden<https://aka.ms/AAb9ysg>",
    "de": "Outlook für Android herunterladen<https://aka.ms/AAb9ysg>",
    "fr": "Télécharger Outlook pour Android<https://aka.ms/AAb9ysg>",
}
OUTLOOK_FIELDS = {  # From, Sent, To, Subject
    "en": ("From", "Sent", "To", "Subject"),
    "nl": ("Van", "Verzonden", "Aan", "Onderwerp"),
    "de": ("Von", "Gesendet", "An", "Betreff"),
    "fr": ("De ", "Envoyé ", "À ", "Objet "),
}
OUTLOOK_SENT = {
    "en": "Friday, January 31, 2025 4:40 PM",
    "nl": "vrijdag 31 januari 2025 16:40",
    "de": "Freitag, 31. Januar 2025 16:40",
    "fr": "vendredi 31 janvier 2025 16:40",
}
GMAIL_FORWARD = {
    "en": ("---------- Forwarded message ---------", "From", "Date", "Subject", "To"),
    "nl": ("---------- Doorgestuurd bericht ---------", "Van", "Date", "Subject", "To"),
    "de": ("---------- Weitergeleitete Nachricht ---------", "Von", "Date", "Subject", "To"),
    "fr": ("---------- Message transféré ---------", "De", "Date", "Subject", "To"),
}
APPLE_FORWARD = {
    "en": "Begin forwarded message:",
    "nl": "Begin doorgestuurd bericht:",
    "de": "Anfang der weitergeleiteten Nachricht:",
    "fr": "Début du message réexpédié :",
}


@dataclass
class Mail:
    name: str
    lang: str
    right: str  # the ideal reading
    shape: str
    subject: str
    own: str
    sender: tuple[str, str]
    quoted: str = ""  # the history below (a reply's quote or a forward's body)
    quoted_from: tuple[str, str] = SHOP  # who wrote the quoted / forwarded text
    charset: str = "utf-8"
    cte: str = "quoted-printable"
    accept: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    note: str = ""


# ---------------------------------------------------------------- the texts

_REQUIRED = {"name", "lang", "right", "shape", "subject", "sender", "own"}
_STRINGS = {"quoted", "quoted_from", "headers", "charset", "cte", "note"}  # optional, like the two below
_FLAGS = {"quotes_shop_answer", "footer"}


def load_mails(path: Path = TEXTS) -> list[Mail]:
    """The ``[[mail]]`` entries of ``path`` (its opening comment describes them) with the named senders, shop
    answers, footers and headers filled in; a ValueError names the first entry that is not as described."""
    texts = tomllib.loads(path.read_text("utf-8"))
    senders = {key: (name, addr) for key, (name, addr) in texts["senders"].items()}
    mails = []
    for number, entry in enumerate(texts["mail"], start=1):
        if problems := _problems(entry, texts):
            raise ValueError(
                f"{path.name}: mail {number} ({entry.get('name', 'no name')}): {'; '.join(problems)}"
            )
        lang = entry["lang"]
        extra = {key: entry[key] for key in ("charset", "cte", "accept", "note") if key in entry}
        if "quoted_from" in entry:
            extra["quoted_from"] = senders[entry["quoted_from"]]
        if "headers" in entry:
            extra["headers"] = texts["headers"][entry["headers"]]
        own = entry["own"] + (f"\n\n{texts['footer'][lang]}" if entry.get("footer") else "")
        quoted = texts["shop_answer"][lang] if entry.get("quotes_shop_answer") else entry.get("quoted", "")
        sender = senders[entry["sender"]]
        fields = {key: entry[key] for key in ("name", "lang", "right", "shape", "subject")}
        mails.append(Mail(**fields, own=own, quoted=quoted, sender=sender, **extra))
    if len({mail.name for mail in mails}) != len(mails):
        raise ValueError(f"{path.name}: two mails of one name")
    return mails


def _problems(entry: dict[str, Any], texts: dict[str, Any]) -> list[str]:
    """What is wrong with one ``[[mail]]`` entry (nothing: an empty list)."""
    keys = set(entry)
    problems = [f"{key} is missing" for key in sorted(_REQUIRED - keys)]
    problems += [f"{key} is unknown" for key in sorted(keys - _REQUIRED - _STRINGS - _FLAGS - {"accept"})]
    problems += [
        f"{key} is no string" for key in sorted(keys & (_REQUIRED | _STRINGS)) if type(entry[key]) is not str
    ]
    problems += [
        f"{key} is not true or false" for key in sorted(keys & _FLAGS) if type(entry[key]) is not bool
    ]
    if not isinstance(entry.get("accept", []), list) or not all(
        type(x) is str for x in entry.get("accept", [])
    ):
        problems.append("accept is no list of readings")
    if entry.get("lang") not in ATTRIBUTION:
        problems.append(f"lang is not one of {sorted(ATTRIBUTION)}")
    if "quoted" in entry and entry.get("quotes_shop_answer"):
        problems.append("quoted and quotes_shop_answer both")
    problems += [
        f"{key} {entry[key]!r} is not in [{table}]"
        for key, table in (("sender", "senders"), ("quoted_from", "senders"), ("headers", "headers"))
        if type(entry.get(key)) is str and entry[key] not in texts[table]
    ]
    return problems


# ---------------------------------------------------------------- client shapes


def _quote_lines(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def _html_paragraphs(text: str) -> str:
    return "".join(f"<div>{escape(line) if line else '<br>'}</div>" for line in text.splitlines())


def _outlook_block(mail: Mail) -> tuple[list[str], str]:
    f_from, f_sent, f_to, f_subject = OUTLOOK_FIELDS[mail.lang]
    name, addr = mail.quoted_from
    lines = [
        f"{f_from}: {name} <{addr}>",
        f"{f_sent}: {OUTLOOK_SENT[mail.lang]}",
        f"{f_to}: {mail.sender[0]} <{mail.sender[1]}>",
        f"{f_subject}: {mail.subject.split(':', 1)[-1].strip()}",
    ]
    return lines, mail.quoted


def _bold_fields(lines: list[str]) -> str:
    """Outlook's HTML header block: each ``Field: value`` line with the field in bold."""
    return "<br>".join(
        f"<b>{escape(line.split(':', 1)[0])}:</b>{escape(line.split(':', 1)[1])}" for line in lines
    )


def plain_and_html(mail: Mail) -> tuple[str | None, str | None]:  # noqa: PLR0911
    """The plain-text and HTML bodies of ``mail`` in its client's shape (None: the client sends none)."""
    name, addr = mail.quoted_from
    own, quoted, lang = mail.own, mail.quoted, mail.lang
    if mail.shape == "plain":  # Thunderbird or any client, a fresh mail
        return own, None
    if mail.shape in {"gmail_reply", "gmail_html_only"}:
        attribution = ATTRIBUTION[lang].format(name=name, addr=addr)
        plain = f"{own}\n\n{attribution}\n\n{_quote_lines(quoted)}\n"
        html = (
            f'<div dir="ltr">{_html_paragraphs(own)}</div><br><div class="gmail_quote">'
            f'<div dir="ltr" class="gmail_attr">{escape(attribution)}<br></div>'
            '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid '
            f'rgb(204,204,204);padding-left:1ex">{_html_paragraphs(quoted)}</blockquote></div>'
        )
        return (None if mail.shape == "gmail_html_only" else plain), html
    if mail.shape == "gmail_forward":
        marker, f_from, f_date, f_subject, f_to = GMAIL_FORWARD[lang]
        header = [
            marker,
            f"{f_from}: {name} <{addr}>",
            f"{f_date}: Fri, 31 Jan 2025 at 16:40",
            f"{f_subject}: {mail.subject.split(':', 1)[-1].strip()}",
            f"{f_to}: <info@shop.example>",
        ]
        plain = f"{own}\n\n" + "\n".join(header) + f"\n\n\n{quoted}\n"
        html = (
            f'<div dir="ltr">{_html_paragraphs(own)}<br><div class="gmail_quote">'
            f'<div dir="ltr" class="gmail_attr">{"<br>".join(escape(h) for h in header)}<br></div><br><br>'
            f'<div dir="ltr">{_html_paragraphs(quoted)}</div></div></div>'
        )
        return plain, html
    if mail.shape == "outlook_original":  # Outlook 2010-era plain reply
        lines, body = _outlook_block(mail)
        return f"{own}\n\n-----Original Message-----\n" + "\n".join(lines) + f"\n\n{body}\n", None
    if mail.shape in {"outlook_desktop", "outlook_desktop_html_only"}:
        lines, body = _outlook_block(mail)
        plain = f"{own}\n\n" + "\n".join(lines) + f"\n\n{body}\n"
        bold = _bold_fields(lines)
        html = (
            '<html><head><style>p.MsoNormal{margin:0cm;font-family:"Calibri",sans-serif}</style></head>'
            f'<body lang="{lang.upper()}"><div class="WordSection1">'
            + "".join(f'<p class="MsoNormal">{escape(line) or "&nbsp;"}</p>' for line in own.splitlines())
            + '<div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
            f'<p class="MsoNormal">{bold}</p></div></div>'
            + "".join(f'<p class="MsoNormal">{escape(line) or "&nbsp;"}</p>' for line in body.splitlines())
            + "</div></body></html>"
        )
        return (None if mail.shape.endswith("html_only") else plain), html
    if mail.shape in {"outlook_web", "outlook_mobile"}:
        lines, body = _outlook_block(mail)
        footer = f"\n\n{OUTLOOK_MOBILE[lang]}" if mail.shape == "outlook_mobile" else ""
        plain = f"{own}{footer}\n________________________________\n" + "\n".join(lines) + f"\n\n{body}\n"
        bold = _bold_fields(lines)
        html = (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>'
            f'<div dir="ltr">{_html_paragraphs(own)}</div>'
            + (f'<div dir="auto">{escape(OUTLOOK_MOBILE[lang])}</div>' if footer else "")
            + '<hr style="display:inline-block;width:98%" tabindex="-1">'
            f'<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt">'
            f"{bold}</font><div>&nbsp;</div></div><div>{_html_paragraphs(body)}</div></body></html>"
        )
        return plain, html
    if mail.shape in {"apple_reply", "iphone_reply"}:
        attribution = APPLE_ATTRIBUTION[lang].format(name=name, addr=addr)
        signature = f"\n\n{IPHONE[lang]}" if mail.shape == "iphone_reply" else ""
        plain = f"{own}{signature}\n\n> {attribution}\n> \n{_quote_lines(quoted)}\n"
        html = (
            '<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
            f'<body dir="auto">{_html_paragraphs(own)}'
            + (f'<div dir="ltr">{escape(IPHONE[lang])}</div>' if signature else "")
            + f'<div dir="ltr"><br><blockquote type="cite">{escape(attribution)}<br></blockquote></div>'
            f'<blockquote type="cite"><div dir="ltr">{_html_paragraphs(quoted)}</div></blockquote>'
            "</body></html>"
        )
        return plain, html
    if mail.shape == "apple_forward":
        header = [
            f"From: {name} <{addr}>",
            f"Subject: {mail.subject.split(':', 1)[-1].strip()}",
            "Date: 31 January 2025 at 16:40:12 CET",
            "To: info@shop.example",
        ]
        plain = f"{own}\n\n{APPLE_FORWARD[lang]}\n\n" + "\n".join(header) + f"\n\n{quoted}\n"
        html = (
            f'<html><body dir="auto">{_html_paragraphs(own)}<div dir="ltr"><br>'
            f'<blockquote type="cite">{escape(APPLE_FORWARD[lang])}<br><br></blockquote></div>'
            f'<blockquote type="cite">{"<br>".join(escape(h) for h in header)}<br><br>'
            f'<div dir="ltr">{_html_paragraphs(quoted)}</div></blockquote></body></html>'
        )
        return plain, html
    if mail.shape in {"thunderbird_reply", "thunderbird_html"}:
        attribution = THUNDERBIRD_ATTRIBUTION[lang].format(name=name)
        plain = f"{own}\n\n{attribution}\n{_quote_lines(quoted)}\n"
        html = (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"></head><body>'
            f"<p>{'<br>'.join(escape(line) for line in own.splitlines())}</p>"
            f'<div class="moz-cite-prefix">{escape(attribution)}<br></div>'
            f'<blockquote type="cite" cite="mid:x@shop.example">'
            f"{'<br>'.join(escape(line) for line in quoted.splitlines())}</blockquote></body></html>"
        )
        return (None if mail.shape == "thunderbird_html" else plain), html
    raise ValueError(mail.shape)


def render(mail: Mail, number: int) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["Return-Path"] = f"<{mail.sender[1]}>"
    message["Received"] = (
        f"from mail-out{number}.example.net (mail-out{number}.example.net [198.51.100.{number % 250}]) by "
        "inbound-smtp.eu-central-1.amazonaws.com with SMTP id corpus; " + DATE
    )
    message["X-SES-Spam-Verdict"] = "PASS"
    message["X-SES-Virus-Verdict"] = "PASS"
    message["Message-ID"] = f"<corpus2-{number:03d}@mail-out{number}.example.net>"
    message["Date"] = DATE
    message["From"] = formataddr(mail.sender)
    message["To"] = "privacy@shop.example"
    message["Subject"] = mail.subject
    for key, value in mail.headers.items():
        message[key] = value
    plain, html = plain_and_html(mail)
    if plain is not None:
        message.set_content(plain, charset=mail.charset, cte=mail.cte)
    if html is not None:
        if plain is None:
            message.set_content(html, subtype="html", charset=mail.charset, cte=mail.cte)
        else:
            message.add_alternative(html, subtype="html", charset=mail.charset, cte=mail.cte)
            message.set_boundary(f"=_corpus_{number:03d}_alt")  # the same bytes on every run
    return message.as_bytes()


def main() -> None:
    mails = load_mails()
    CORPUS.mkdir(parents=True, exist_ok=True)
    for old in CORPUS.glob("*.eml"):
        old.unlink()
    manifest: dict[str, dict[str, object]] = {}
    for number, mail in enumerate(mails, start=1):
        (CORPUS / f"{mail.name}.eml").write_bytes(render(mail, number))
        manifest[f"{mail.name}.eml"] = {
            "language": mail.lang,
            "right": mail.right,
            "accept": mail.accept,
            "shape": mail.shape,
            "encoding": f"{mail.charset} {mail.cte}",
            "note": mail.note,
        }
    (CORPUS / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"{len(mails)} mails written to {CORPUS}")


if __name__ == "__main__":
    main()
