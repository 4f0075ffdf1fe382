"""devstack's mail capture: /_local/mail.json and /_local/mail show what the functions handed to (moto's)
SES, raw MIME and simple messages alike; the sender is verified at start-up; links point at the local API."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from contact_intake.rights.models import RightType
from contact_intake.rights.outbound import Mailer, MailFailed, build_message, render
from contact_intake.rights.templates import MailTemplate
from devstack.console import Console
from devstack.emulators.mail import (
    MailJsonEndpoint,
    MailPageEndpoint,
    SentMail,
    describe_message,
    mail_emulators,
    mail_page,
    moto_sent_messages,
)
from devstack.http import HttpRequest
from devstack.resources import AwsClients
from tests.builders import NOW

CONTEXT: dict[str, Any] = {
    "reference": "r-1",
    "right": RightType.ACCESS,
    "due_date": NOW,
    "verify_url": "http://127.0.0.1:3000/rights-requests/verify?token=abc",
    "valid_days": 7,
}


def raw_message(to: str = "ann@example.org", attachments: list[tuple[str, bytes, str]] | None = None) -> Any:
    mail = render(MailTemplate.ACKNOWLEDGEMENT, "nl", CONTEXT)
    raw = build_message(
        sender="privacy@shop.localhost", to=to, mail=mail, attachments=attachments or [], now=NOW
    )
    return SimpleNamespace(
        id="m-1", source="privacy@shop.localhost", destinations=[to], raw_data=raw.decode()
    )


def test_a_raw_message_is_described_with_both_bodies_and_its_attachments() -> None:
    export = json.dumps({"inquiries": [{"name": "Zoë"}]}).encode()
    described = describe_message(
        raw_message(
            attachments=[
                ("personal-data.json", export, "application/json"),
                ("a.bin", b"\x00\xff", "application/pdf"),
            ]
        )
    )
    assert described["id"] == "m-1"
    assert described["from"] == "privacy@shop.localhost"
    assert described["to"] == ["ann@example.org"]
    assert described["subject"] == "Bevestig uw privacyverzoek (r-1)"
    assert "http://127.0.0.1:3000/rights-requests/verify?token=abc" in described["text"]
    assert "\r" not in described["text"]
    assert described["html"].startswith("<!DOCTYPE html>")
    assert described["attachments"] == [
        {"filename": "personal-data.json", "content_type": "application/json", "content": export.decode()},
        {"filename": "a.bin", "content_type": "application/pdf", "content": "AP8=", "encoding": "base64"},
    ]


def test_a_simple_message_is_described_too() -> None:
    html = SimpleNamespace(
        id="m-2",
        source="a@x.example",
        destinations={"ToAddresses": ["b@y.example"]},
        subject="S",
        body="<p>hi</p>",
    )
    text = SimpleNamespace(id="m-3", source="a@x.example", destinations={}, subject="T", body="plain")
    assert describe_message(html) | {"attachments": []} == {
        "id": "m-2",
        "from": "a@x.example",
        "to": ["b@y.example"],
        "subject": "S",
        "text": "",
        "html": "<p>hi</p>",
        "attachments": [],
    }
    assert (describe_message(text)["text"], describe_message(text)["html"], describe_message(text)["to"]) == (
        "plain",
        "",
        [],
    )


def request(method: str, path: str, query: str = "") -> HttpRequest:
    return HttpRequest(method=method, path=path, query=query)


def test_mail_json_lists_and_filters_by_recipient() -> None:
    mail = SentMail(lambda: [raw_message("ann@example.org"), raw_message("Bob@Example.org")])
    endpoint = MailJsonEndpoint(mail)
    everything = json.loads(endpoint.handle(request("GET", "/_local/mail.json"), "").body)["messages"]
    assert [m["to"] for m in everything] == [["ann@example.org"], ["Bob@Example.org"]]
    bobs = json.loads(endpoint.handle(request("GET", "/_local/mail.json", "to=bob%40example.org"), "").body)
    assert [m["to"] for m in bobs["messages"]] == [["Bob@Example.org"]]
    assert endpoint.handle(request("POST", "/_local/mail.json"), "").status == 405
    assert endpoint.handle(request("GET", "/_local/mail.json/x"), "/x").status == 404
    assert endpoint.environment("http://127.0.0.1:3000") == {"PUBLIC_API_URL": "http://127.0.0.1:3000"}


def test_the_page_escapes_everything_and_sandboxes_the_html() -> None:
    hostile = {
        "id": "1",
        "from": "a@x.example",
        "to": ["<b>@x.example"],
        "subject": "<script>alert(1)</script>",
        "text": "<img src=x onerror=alert(1)>",
        "html": '<p onclick="x">"quoted"</p>',
        "attachments": [{"filename": "<x>.json", "content_type": "application/json", "content": "{}"}],
    }
    page = mail_page([hostile])
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x" in page
    assert 'sandbox=""' in page
    assert 'srcdoc="&lt;p onclick=&quot;x&quot;&gt;&quot;quoted&quot;&lt;/p&gt;"' in page
    assert "&lt;x&gt;.json" in page
    assert "No mail sent yet." in mail_page([])


def test_the_page_endpoint() -> None:
    endpoint = MailPageEndpoint(SentMail(lambda: [raw_message()]))
    answer = endpoint.handle(request("GET", "/_local/mail"), "")
    assert answer.status == 200
    assert answer.header("Content-Type") == "text/html; charset=utf-8"
    assert b"Bevestig uw privacyverzoek" in answer.body
    assert endpoint.handle(request("DELETE", "/_local/mail"), "").status == 405
    assert endpoint.handle(request("GET", "/_local/mail/x"), "/x").status == 404
    assert endpoint.environment("http://x") == {}


def test_start_up_verifies_the_sender_and_the_capture_reads_motos_ses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        session = boto3.session.Session(region_name="eu-central-1")
        aws = AwsClients(session)
        lines: list[str] = []
        console = Console()
        monkeypatch.setattr(console, "info", lines.append)
        json_endpoint, page_endpoint = mail_emulators(aws, {"MailFrom": "privacy@shop.localhost"}, console)
        assert any("privacy@shop.localhost verified" in line for line in lines)
        ses = session.client("sesv2")
        Mailer(sender="privacy@shop.localhost", client=lambda: ses, clock=lambda: NOW).send(
            "ann@example.org", MailTemplate.ACKNOWLEDGEMENT, "en", CONTEXT
        )
        with pytest.raises(MailFailed, match="MessageRejected"):  # only the verified sender may send
            Mailer(sender="other@shop.localhost", client=lambda: ses, clock=lambda: NOW).send(
                "ann@example.org", MailTemplate.ACKNOWLEDGEMENT, "en", CONTEXT
            )
        (captured,) = json.loads(json_endpoint.handle(request("GET", "/_local/mail.json"), "").body)[
            "messages"
        ]
        assert captured["subject"] == "Please confirm your privacy request (r-1)"
        assert len(moto_sent_messages("eu-central-1")()) == 1
        assert page_endpoint.prefix == "/_local/mail"


def test_without_a_sender_parameter_nothing_is_verified(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    aws = SimpleNamespace(region="eu-central-1", client=calls.append)
    emulators = mail_emulators(aws, {}, Console())  # type: ignore[arg-type]
    assert calls == []
    assert [e.prefix for e in emulators] == ["/_local/mail.json", "/_local/mail"]
