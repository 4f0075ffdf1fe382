"""Fixtures for the rights engine on moto: RightsWiring pointed at the template's RightsRequestsTable and
RightsQueue, the sender verified in moto's SES, a clock the test moves, and the mail SES was handed (read as
devstack's /_local/mail.json reads it). Import the fixtures into a test module to use them."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from contact_intake.core.clients import Clients
from contact_intake.rights.service import RightsService
from contact_intake.rights.settings import RightsApiSettings
from contact_intake.rights.store import RightsRequestStore
from contact_intake.rights.wiring import RightsWiring
from devstack.emulators.mail import SentMail, moto_sent_messages
from tests.fakes import FakeClock
from tests.integration.conftest import REGION, Aws

SENDER = "privacy@shop.example"
API_URL = "https://api.shop.example/v1"
PEPPER = b"local-test-pepper"  # tests/integration/conftest.py LOCAL_SECRETS
DPO_ARN = "arn:aws:iam::123456789012:user/dpo-anna"
LINK = re.compile(r"https://api\.shop\.example/v1/rights-requests/verify\?token=([A-Za-z0-9_-]+)")


class Mailbox:
    """What moto's SES was asked to send, as devstack's mail capture describes it."""

    def __init__(self) -> None:
        self._sent = SentMail(moto_sent_messages(REGION))

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        return self._sent.messages(to)

    def last(self, to: str) -> dict[str, Any]:
        found = self.messages(to)
        assert found, f"no mail to {to}"
        return found[-1]

    def token(self, to: str) -> str:
        """The verification token in the last mail to ``to``."""
        match = LINK.search(self.last(to)["text"])
        assert match, "no verification link in the mail"
        return match.group(1)


class RightsHarness:
    """The rights engine of one test, with what a test needs around it."""

    def __init__(self, aws: Aws, wiring: RightsWiring, clock: FakeClock) -> None:
        self.aws = aws
        self.wiring = wiring
        self.clock = clock
        self.mailbox = Mailbox()

    @property
    def service(self) -> RightsService:
        return self.wiring.rights

    @property
    def store(self) -> RightsRequestStore:
        return self.wiring.requests

    def item(self, request_id: str) -> dict[str, Any] | None:
        answer = self.aws.dynamodb.get_item(
            TableName=self.aws.name("RightsRequestsTable"), Key={"request_id": {"S": request_id}}
        )
        return answer.get("Item")

    def queued(self) -> list[dict[str, Any]]:
        """Every message on RightsQueue now (received and deleted)."""
        bodies = []
        while True:
            messages = self.aws.receive_all("RightsQueue")
            if not messages:
                return bodies
            for message in messages:
                bodies.append(json.loads(message["Body"]))
                self.aws.sqs.delete_message(
                    QueueUrl=self.aws.name("RightsQueue"), ReceiptHandle=message["ReceiptHandle"]
                )


@pytest.fixture
def rights(aws: Aws, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> RightsHarness:
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()
    monkeypatch.setenv("RIGHTS_REQUESTS_TABLE", aws.name("RightsRequestsTable"))
    monkeypatch.setenv("RIGHTS_QUEUE_URL", aws.name("RightsQueue"))
    monkeypatch.setenv("MAIL_FROM", SENDER)
    monkeypatch.setenv("PUBLIC_API_URL", API_URL)
    aws.session.client("sesv2").create_email_identity(EmailIdentity=SENDER)
    wiring = RightsWiring(RightsApiSettings.from_env(), Clients(), clock=clock)
    aws.count_calls_of(wiring.clients.dynamodb, wiring.clients.sqs, wiring.clients.sesv2)
    return RightsHarness(aws, wiring, clock)
