"""Fixtures for the rights engine on moto: RightsWiring pointed at the template's RightsRequestsTable and
RightsQueue, the sender verified in moto's SES, a clock the test moves, and the mail SES was handed (read as
devstack's /_local/mail.json reads it); RightsMailFunction's inbound bucket and handler. Import the fixtures
into a test module to use them."""

from __future__ import annotations

import importlib
import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from contact_intake.rights.mail_wiring import RightsMailWiring
from contact_intake.rights.service import RightsService
from contact_intake.rights.settings import RightsApiSettings, RightsMailSettings
from contact_intake.rights.store import RightsRequestStore
from contact_intake.rights.wiring import RightsWiring
from devstack.emulators.mail import SentMail, moto_sent_messages
from tests.builders import EVENTS, FakeContext
from tests.fakes import FakeClock
from tests.integration.conftest import REGION, Aws, Function, wire_handler
from tests.rights_mail_fakes import FakeRights

SENDER = "privacy@shop.example"
API_URL = "https://api.shop.example/v1"
PEPPER = b"local-test-pepper"  # tests/integration/conftest.py LOCAL_SECRETS
DPO_ARN = "arn:aws:iam::123456789012:user/dpo-anna"
# the rights functions the fixtures here wire (RightsApiFunction's wiring alone, without its handler)
RIGHTS_API = Function(None, RightsApiSettings, RightsWiring, ("RIGHTS_REQUESTS_TABLE", "RIGHTS_QUEUE_URL"))
RIGHTS_MAIL = Function(
    "rights_mail_handler",
    RightsMailSettings,
    RightsMailWiring,
    ("INBOUND_MAIL_BUCKET", "RIGHTS_REQUESTS_TABLE", "RIGHTS_QUEUE_URL"),
)
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
    return rights_harness(aws, monkeypatch, clock, RIGHTS_API, counted=("dynamodb", "sqs", "sesv2"))


def rights_harness(
    aws: Aws,
    monkeypatch: pytest.MonkeyPatch,
    clock: FakeClock,
    function: Function[Any],
    *,
    counted: tuple[str, ...],
) -> RightsHarness:
    """A rights function's wiring on moto (tests/integration/conftest.py wire_handler), mailing from SENDER
    (verified in moto's SES) with links to API_URL, in a harness."""
    monkeypatch.setenv("MAIL_FROM", SENDER)
    monkeypatch.setenv("PUBLIC_API_URL", API_URL)
    aws.session.client("sesv2").create_email_identity(EmailIdentity=SENDER)
    wiring = wire_handler(aws, monkeypatch, function, counted=counted, clock=clock)
    return RightsHarness(aws, wiring, clock)


# ---------------------------------------------------------------- RightsMailFunction

MESSAGE_ID = "q0fgr8ss9hf5b0dki7e6a5rr4jdlfm3k0m3m6ug1"


class InboundMail:
    """The bucket as SES's S3 action fills it, and the handler as SES's Lambda action calls it."""

    def __init__(self, aws: Aws, handler: Any, rights: FakeRights) -> None:
        self.s3 = aws.session.client("s3")
        self.bucket = aws.name("InboundMailBucket")
        self.handler = handler
        self.rights = rights

    def store(self, raw: bytes, message_id: str = MESSAGE_ID) -> str:
        key = f"raw/{message_id}"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=raw)
        return key

    def exists(self, key: str) -> bool:
        try:
            self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError:
            return False
        return True

    def deliver(self, message_id: str = MESSAGE_ID, **receipt: Any) -> dict[str, Any]:
        event: dict[str, Any] = json.loads((EVENTS / "rights_mail_ses_receipt.json").read_text())
        record = event["Records"][0]["ses"]
        record["mail"]["messageId"] = message_id
        record["receipt"].update(receipt)
        return dict(self.handler.lambda_handler(event, FakeContext()))


@pytest.fixture
def real_inbound(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> tuple[InboundMail, RightsMailWiring]:
    """RightsMailFunction's handler with its own wiring: RightsService on moto's RightsRequestsTable,
    RightsQueue, the pepper in SSM and SESv2 (the sender verified)."""
    aws.session.client("sesv2").create_email_identity(EmailIdentity="shop.example")
    wiring = wire_handler(aws, monkeypatch, RIGHTS_MAIL, counted=())
    return InboundMail(aws, importlib.import_module(str(RIGHTS_MAIL.module)), FakeRights()), wiring
