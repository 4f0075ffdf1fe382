"""devstack's POST /_local/inbound-mail: the template's receipt rule run locally, its S3 action into the local
InboundMailBucket, then its Lambda action with the event SES sends (checked against the function's own
event model, so the emulator and the function cannot drift apart)."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from contact_intake.api.ses_event import parse_ses_event
from contact_intake.rights.inbound.parse import parse_mail
from devstack.console import Console
from devstack.emulators.inbound_mail import (
    InboundMailEmulator,
    ReceiptRule,
    inbound_mail_emulator,
    message_id,
    receipt_rules,
    requested_verdicts,
)
from devstack.functions import function_specs
from devstack.http import HttpRequest
from devstack.resources import ResourceMap, create_resources
from tests.aws_support import REGION
from tests.rights_mail_fakes import corpus_mail

NOW = datetime(2025, 2, 3, 9, 12, 45, 311000, tzinfo=UTC)


@dataclass
class Delivered:
    answer: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return self.answer


@dataclass
class FakeDelivery:
    """AsyncInvoker.deliver's stand-in: records (function, event)."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def __call__(self, function: str, event: dict[str, Any]) -> Delivered:
        self.calls.append((function, event))
        return Delivered({"function": function, "status": "succeeded", "attempts": 1, "result": None})


@pytest.fixture
def rules(repo_resources: ResourceMap) -> list[ReceiptRule]:
    specs, _ = function_specs(repo_resources, {})
    found, skipped = receipt_rules(repo_resources, specs)
    assert skipped == []
    return found


@pytest.fixture
def delivery() -> FakeDelivery:
    return FakeDelivery()


@pytest.fixture
def emulator(
    session: boto3.session.Session, rules: list[ReceiptRule], delivery: FakeDelivery
) -> InboundMailEmulator:
    s3 = session.client("s3")
    return InboundMailEmulator(rules, s3=lambda: s3, deliver=delivery, region=REGION, clock=lambda: NOW)


def post(emulator: InboundMailEmulator, body: bytes, *headers: tuple[str, str], path: str = "") -> Any:
    request = HttpRequest("POST", "/_local/inbound-mail" + path, headers=headers, body=body)
    return emulator.handle(request, path)


def test_the_receipt_rule_comes_from_the_template(rules: list[ReceiptRule]) -> None:
    (rule,) = rules
    assert rule.describe() == {
        "rule": "PrivacyMailReceiptRule",
        "name": "contact-intake-privacy-mailbox",
        "recipients": ["privacy@shop.localhost"],  # LOCAL_PARAMETERS' PrivacyMailAddress
        "s3": {"bucket": "contact-intake-inboundmailbucket", "prefix": "raw/"},
        "function": "RightsMailFunction",
    }
    assert rule.function_arn.endswith(":function:contact-intake-RightsMailFunction")


def test_a_mail_is_stored_then_delivered_as_ses_does(
    emulator: InboundMailEmulator, delivery: FakeDelivery, session: boto3.session.Session
) -> None:
    raw = corpus_mail("de_erasure_windows-1252_qp.eml")

    response = post(emulator, raw)

    assert response.status == 200
    import json

    answer = json.loads(response.body)
    assert answer["key"] == f"raw/{answer['message_id']}"
    stored = session.client("s3").get_object(Bucket=answer["bucket"], Key=answer["key"])["Body"].read()
    # SES's headers in front, the message unchanged after them
    assert stored.endswith(raw)
    assert stored.startswith(b"Return-Path: <k.schroeder@example.com>\r\nReceived: from localhost")
    assert b"X-SES-Spam-Verdict: PASS\r\nX-SES-Virus-Verdict: PASS\r\n" in stored
    # the stored message still reads as the request it was
    mail = parse_mail(stored)
    assert (mail.sender, mail.language) == ("k.schroeder@example.com", "de")

    ((function, event),) = delivery.calls
    assert function == "RightsMailFunction"
    (notification,) = parse_ses_event(event)  # the function's own model accepts it
    assert notification.mail.message_id == answer["message_id"]
    assert notification.mail.timestamp == NOW
    assert notification.receipt.verdicts() == dict.fromkeys(("spam", "virus", "spf", "dkim", "dmarc"), "PASS")
    ses = event["Records"][0]["ses"]
    assert ses["receipt"]["recipients"] == ["privacy@shop.localhost"]
    assert ses["receipt"]["action"]["invocationType"] == "Event"
    assert ses["mail"]["commonHeaders"]["from"] == [
        "=?windows-1252?q?K=E4the_Schr=F6der?= <k.schroeder@example.com>"
    ]
    assert ses["mail"]["commonHeaders"]["subject"].startswith("=?windows-1252?q?")
    assert ses["mail"]["source"] == "k.schroeder@example.com"
    assert {"name": "X-SES-Spam-Verdict", "value": "PASS"} in ses["mail"]["headers"]


def test_a_fail_header_fails_every_verdict(emulator: InboundMailEmulator, delivery: FakeDelivery) -> None:
    assert post(emulator, corpus_mail("en_spamish.eml"), ("X-Local-Verdict", "FAIL")).status == 200
    ((_, event),) = delivery.calls
    (notification,) = parse_ses_event(event)
    assert set(notification.receipt.verdicts().values()) == {"FAIL"}
    assert notification.receipt.dmarc_policy == "reject"


def test_named_verdicts_fail_alone(emulator: InboundMailEmulator, delivery: FakeDelivery) -> None:
    post(emulator, corpus_mail("en_access_plain.eml"), ("x-local-verdict", "spam=fail, dkim=GRAY"))
    ((_, event),) = delivery.calls
    (notification,) = parse_ses_event(event)
    assert notification.receipt.verdicts() == {
        "spam": "FAIL",
        "virus": "PASS",
        "spf": "PASS",
        "dkim": "GRAY",
        "dmarc": "PASS",
    }
    assert notification.receipt.dmarc_policy is None


@pytest.mark.parametrize("header", ["MAYBE", "spam", "spam=NO", "junk=FAIL"])
def test_an_unreadable_verdict_header_is_a_400(
    emulator: InboundMailEmulator, delivery: FakeDelivery, header: str
) -> None:
    response = post(emulator, b"Subject: x\r\n\r\ny", ("X-Local-Verdict", header))
    assert response.status == 400
    assert delivery.calls == []


def test_requested_verdicts() -> None:
    assert requested_verdicts(None) == dict.fromkeys(("spam", "virus", "spf", "dkim", "dmarc"), "PASS")
    assert requested_verdicts(" ") == requested_verdicts(None)
    assert requested_verdicts("gray")["virus"] == "GRAY"


def test_an_empty_body_is_a_400(emulator: InboundMailEmulator, delivery: FakeDelivery) -> None:
    assert post(emulator, b"  \r\n").status == 400
    assert delivery.calls == []


def test_get_lists_the_rules_and_other_methods_and_paths_are_refused(emulator: InboundMailEmulator) -> None:
    import json

    listed = emulator.handle(HttpRequest("GET", "/_local/inbound-mail"), "")
    assert json.loads(listed.body)["rules"][0]["function"] == "RightsMailFunction"
    assert emulator.handle(HttpRequest("PUT", "/_local/inbound-mail"), "").status == 405
    assert post(emulator, b"x", path="/other").status == 404
    assert emulator.environment("http://127.0.0.1:3000") == {}


def test_without_a_receipt_rule_the_endpoint_says_so(session: boto3.session.Session) -> None:
    emulator = InboundMailEmulator([], s3=session.client, deliver=FakeDelivery(), region=REGION)  # type: ignore[arg-type]
    assert post(emulator, b"Subject: x\r\n\r\ny").status == 503


def test_without_a_rule_recipient_the_mails_to_address_is_used(
    session: boto3.session.Session, rules: list[ReceiptRule], delivery: FakeDelivery
) -> None:
    from dataclasses import replace

    s3 = session.client("s3")
    emulator = InboundMailEmulator(
        [replace(rules[0], recipients=())], s3=lambda: s3, deliver=delivery, region=REGION
    )
    emulator.receive(b"From: a@example.org\r\nTo: privacy@shop.example\r\n\r\nhi", requested_verdicts(None))
    emulator.receive(b"From: a@example.org\r\n\r\nhi", requested_verdicts(None))
    recipients = [event["Records"][0]["ses"]["receipt"]["recipients"] for _, event in delivery.calls]
    assert recipients == [["privacy@shop.example"], ["privacy@localhost"]]


def test_rules_devstack_cannot_run_are_named(session: boto3.session.Session) -> None:
    template = {
        "Resources": {
            "Rule": {
                "Type": "AWS::SES::ReceiptRule",
                "Properties": {
                    "RuleSetName": "x",
                    "Rule": {
                        "Actions": [
                            {"S3Action": {"BucketName": "b"}},
                            {
                                "LambdaAction": {
                                    "FunctionArn": "arn:aws:lambda:eu-central-1:1:function:elsewhere"
                                }
                            },
                        ]
                    },
                },
            },
            "NoLambda": {
                "Type": "AWS::SES::ReceiptRule",
                "Properties": {"Rule": {"Actions": [{"S3Action": {"BucketName": "b"}}]}},
            },
        }
    }
    resources = create_resources(session, template)
    lines: list[str] = []

    class Recording(Console):
        def info(self, text: str) -> None:
            lines.append(text)

    emulator = inbound_mail_emulator(
        resources,
        {},
        deliver=FakeDelivery(),
        s3=session.client,
        region=REGION,
        console=Recording(),  # type: ignore[arg-type]
    )
    assert emulator.handle(HttpRequest("GET", "/_local/inbound-mail"), "").body == b'{"rules": []}'
    assert len([line for line in lines if "not emulated: receipt rule" in line]) == 2


def test_message_ids_look_like_ses_ones() -> None:
    ids = {message_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) == 40 and i.isalnum() and i == i.lower() for i in ids)


def test_the_stored_message_parses_with_the_ses_headers_first() -> None:
    parsed = email.message_from_bytes(
        b"Return-Path: <a@example.org>\r\nX-SES-Spam-Verdict: PASS\r\nFrom: a@example.org\r\n\r\nbody",
        policy=email.policy.default,
    )
    assert parsed["X-SES-Spam-Verdict"] == "PASS"
