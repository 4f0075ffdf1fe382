"""``GET /_local/mail.json`` and ``GET /_local/mail``: every e-mail the functions sent (docs/architecture.md
§8, a contract;
devstack only, never deployed).

Functions send through SESv2 as in AWS; locally that is moto, whose SES keeps every sent message in memory.
These endpoints read that list (devstack runs moto in its own process), so what they show is exactly what
the code handed to SES: nothing is sent anywhere. At start-up the sender (the template's ``MailFrom``) is
verified in local SES, as it must be in AWS, so a send from any other address fails as it would there.

``mail.json``: ``{"messages": [{"id", "from", "to": [...], "subject", "text", "html", "attachments":
[{"filename", "content_type", "content"}]}]}``, oldest first; ``?to=<address>`` keeps one recipient's
(case-insensitive). An attachment's ``content`` is its text for text and JSON types, else base64.

This emulator also points the functions' links at the local API: ``PUBLIC_API_URL`` is devstack's URL, so the
verification link in a mail opens here.
"""

from __future__ import annotations

import base64
import email
import email.policy
import html
from collections.abc import Callable, Mapping, Sequence
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any, Final
from urllib.parse import parse_qsl

from devstack.console import Console
from devstack.emulators import Emulator, PointsNoFunction, no_local_endpoint
from devstack.http import HttpRequest, HttpResponse, json_response, text_response
from devstack.resources import AwsClients
from devstack.settings import ACCOUNT_ID

JSON_PATH: Final = "/_local/mail.json"
PAGE_PATH: Final = "/_local/mail"
_TEXT_TYPES: Final = ("text/", "application/json")


def describe_message(message: Any) -> dict[str, Any]:
    """One sent message as mail.json shows it: a moto RawMessage (``raw_data``) or a Simple one."""
    if hasattr(message, "raw_data"):
        return _describe_raw(str(message.id), str(message.raw_data))
    destinations = getattr(message, "destinations", {}) or {}
    body = str(getattr(message, "body", ""))
    is_html = body.lstrip().lower().startswith(("<!doctype", "<html", "<p", "<div"))
    return {
        "id": str(message.id),
        "from": str(getattr(message, "source", "")),
        "to": list(destinations.get("ToAddresses", [])),
        "subject": str(getattr(message, "subject", "")),
        "text": "" if is_html else body,
        "html": body if is_html else "",
        "attachments": [],
    }


def _describe_raw(message_id: str, raw: str) -> dict[str, Any]:
    parsed = email.message_from_string(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    text = parsed.get_body(("plain",))
    body_html = parsed.get_body(("html",))
    return {
        "id": message_id,
        "from": str(parsed.get("From", "")),
        "to": [address for _, address in getaddresses([str(v) for v in parsed.get_all("To", [])]) if address],
        "subject": str(parsed.get("Subject", "")),
        "text": _content(text),
        "html": _content(body_html),
        "attachments": [_attachment(part) for part in parsed.iter_attachments()],
    }


def _content(part: Any) -> str:
    if part is None:
        return ""
    return str(part.get_content()).replace("\r\n", "\n")


def _attachment(part: Any) -> dict[str, str]:
    content_type = part.get_content_type()
    payload = part.get_payload(decode=True) or b""
    described = {"filename": part.get_filename() or "", "content_type": content_type}
    if content_type.startswith(_TEXT_TYPES):
        try:
            return {**described, "content": payload.decode(part.get_content_charset() or "utf-8")}
        except (UnicodeDecodeError, LookupError):
            pass
    return {**described, "content": base64.b64encode(payload).decode("ascii"), "encoding": "base64"}


def moto_sent_messages(region: str, account_id: str = ACCOUNT_ID) -> Callable[[], Sequence[Any]]:
    """The sent-message list of moto's SES (which moto's SESv2 shares), in this process."""

    def sent() -> Sequence[Any]:
        from moto.ses.models import ses_backends

        return list(ses_backends[account_id][region].sent_messages)

    return sent


class SentMail:
    """The sent messages, described; filtered by recipient."""

    def __init__(self, sent: Callable[[], Sequence[Any]]) -> None:
        self._sent = sent

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        described = [describe_message(message) for message in self._sent()]
        if to:
            wanted = to.strip().lower()
            described = [m for m in described if wanted in (address.lower() for address in m["to"])]
        return described


class MailJsonEndpoint:
    prefix = JSON_PATH
    endpoints = ("GET /_local/mail.json",)

    def __init__(self, mail: SentMail, api_url_variable: bool = True) -> None:
        self._mail = mail
        self._api_url_variable = api_url_variable

    def environment(self, api_url: str) -> Mapping[str, str]:
        return {"PUBLIC_API_URL": api_url} if self._api_url_variable else {}

    def handle(self, request: HttpRequest, subpath: str) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            return json_response(405, {"message": "use GET"}, headers=[("Allow", "GET")])
        if subpath:
            return no_local_endpoint(request)
        to = dict(parse_qsl(request.query)).get("to")
        return json_response(200, {"messages": self._mail.messages(to)})


class MailPageEndpoint(PointsNoFunction):
    prefix = PAGE_PATH
    endpoints = ("GET /_local/mail",)

    def __init__(self, mail: SentMail) -> None:
        self._mail = mail

    def handle(self, request: HttpRequest, subpath: str) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            return json_response(405, {"message": "use GET"}, headers=[("Allow", "GET")])
        if subpath not in {"", "/"}:
            return no_local_endpoint(request)
        return text_response(200, mail_page(self._mail.messages()), "text/html; charset=utf-8")


def mail_page(messages: Sequence[Mapping[str, Any]]) -> str:
    """The sent mail, newest first, as one page. Every value is escaped; a mail's HTML is shown in a
    sandboxed frame (no scripts, no navigation of this page)."""
    items = []
    for message in reversed(messages):
        attachments = ", ".join(html.escape(a["filename"]) for a in message["attachments"]) or "none"
        frame = (
            f'<iframe sandbox="" srcdoc="{html.escape(message["html"], quote=True)}" '
            'style="width:100%;height:24em;border:1px solid #ccc"></iframe>'
            if message["html"]
            else ""
        )
        items.append(
            "<article>"
            f"<h2>{html.escape(message['subject'])}</h2>"
            f"<p>From {html.escape(message['from'])} to {html.escape(', '.join(message['to']))}; "
            f"attachments: {attachments}</p>"
            f"<pre style='white-space:pre-wrap'>{html.escape(message['text'])}</pre>{frame}"
            "</article><hr>"
        )
    body = "\n".join(items) or "<p>No mail sent yet.</p>"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>devstack: sent mail</title></head>'
        '<body style="font-family:sans-serif;max-width:60em;margin:auto">'
        f"<h1>Sent mail ({len(messages)})</h1><p>As JSON: <a href='{JSON_PATH}'>{JSON_PATH}</a></p>"
        f"{body}</body></html>"
    )


def verify_sender(aws: AwsClients, sender: str) -> None:
    """Verify ``sender`` in local SES (an identity must be verified before SES sends from it)."""
    aws.client("sesv2").create_email_identity(EmailIdentity=sender)


def mail_emulators(aws: AwsClients, parameters: Mapping[str, Any], console: Console) -> list[Emulator]:
    """The two endpoints, after verifying the template's MailFrom (when it has one) in local SES."""
    sender = parameters.get("MailFrom")
    if isinstance(sender, str) and "@" in sender:
        verify_sender(aws, sender)
        console.info(
            f"  mail: sender {sender} verified in local SES; sent mail at {PAGE_PATH} and {JSON_PATH}"
        )
    mail = SentMail(moto_sent_messages(aws.region))
    return [MailJsonEndpoint(mail), MailPageEndpoint(mail)]
