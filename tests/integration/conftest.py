"""moto-backed fixtures: the template's own tables and queues, and the intake and forwarder handlers wired
to them (the forwarder with the fake Freshdesk of tests/helpdesk_fake.py and a clock the test moves)."""

from __future__ import annotations

import copy
import functools
import importlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import boto3
import pytest
import responses
from moto import mock_aws

from contact_intake.core.clients import Clients
from contact_intake.core.wiring import Wiring
from contact_intake.intake.models import InquiryRecord
from contact_intake.intake.settings import ForwarderSettings, IntakeSettings
from contact_intake.intake.store import to_item
from contact_intake.intake.wiring import ForwarderWiring, IntakeWiring
from contact_intake.retention.settings import (
    AccountEventsSettings,
    HelpdeskEventsSettings,
    SweeperSettings,
)
from contact_intake.retention.wiring import (
    AccountEventsWiring,
    ErasureWiring,
    HelpdeskEventsWiring,
    SweeperWiring,
)
from devstack.resources import create_resources, parameter_values
from devstack.template import load_template, translate
from tests.aws_support import REGION
from tests.builders import FakeContext
from tests.fakes import FakeClock
from tests.helpdesk_fake import API_KEY, FakeFreshdesk
from tests.siteverify_double import SiteverifyDouble, siteverify_double

ROOT = Path(__file__).resolve().parents[2]
TEST_PARAMETERS = {
    "AllowedOrigins": "https://shop.example",
    "ThankYouUrl": "https://shop.example/thanks",
    "CaptchaHostnames": "shop.example,localhost",
    "DpoPrincipalArn": "arn:aws:iam::123456789012:role/ContactIntakeDPO",
    "TelephonyPrincipalArn": "arn:aws:iam::123456789012:role/TelephonyRecordings",
}
LOCAL_SECRETS = {
    "/contact-intake/recaptcha-secret": "local-test-recaptcha-secret",
    "/contact-intake/subject-pepper": "local-test-pepper",
    "/contact-intake/helpdesk-webhook-secret": "local-webhook-secret",
}
# Secrets Manager secrets (name -> value)
LOCAL_SECRETS_MANAGER = {"contact-intake/helpdesk-api-key": API_KEY}


@functools.cache
def _translated_template() -> dict[str, Any]:
    """template.yaml through the SAM transform, once per run (~0.5 s a test otherwise); every test then
    creates its resources from a copy of it, exactly as devstack does from the file."""
    loaded = load_template(ROOT / "template.yaml")
    return translate(loaded, parameter_values(loaded, TEST_PARAMETERS), REGION)


class Aws:
    """The moto account of one test: resource names from the template, and call counting."""

    def __init__(self, resources: Any) -> None:
        self.resources = resources
        self.session = boto3.session.Session(region_name=REGION)
        self.dynamodb = self.session.client("dynamodb")
        self.sqs = self.session.client("sqs")
        self.calls: Counter[str] = Counter()

    def name(self, logical_id: str) -> str:
        return str(self.resources.resources[logical_id])

    def count_calls_of(self, *clients: Any) -> None:
        def count(model: Any, **_: Any) -> None:
            self.calls[f"{model.service_model.service_name}.{model.name}"] += 1

        for client in clients:
            client.meta.events.register("before-call.*.*", count)

    def get_item(self, inquiry_id: str) -> dict[str, Any]:
        answer = self.dynamodb.get_item(
            TableName=self.name("InquiriesTable"), Key={"inquiry_id": {"S": inquiry_id}}
        )
        return dict(answer["Item"])

    def scan_count(self) -> int:
        return int(self.dynamodb.scan(TableName=self.name("InquiriesTable"), Select="COUNT")["Count"])

    def put_inquiry(self, record: InquiryRecord) -> InquiryRecord:
        """Store a record as the intake does (the production item shape, from store.to_item)."""
        self.dynamodb.put_item(TableName=self.name("InquiriesTable"), Item=to_item(record))
        return record

    def find_item(self, inquiry_id: str) -> dict[str, Any] | None:
        answer = self.dynamodb.get_item(
            TableName=self.name("InquiriesTable"), Key={"inquiry_id": {"S": inquiry_id}}
        )
        return answer.get("Item")

    def queue_counts(self, queue: str = "InquiryQueue") -> dict[str, int]:
        """Visible, in flight and delayed messages of a queue."""
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.name(queue), AttributeNames=["All"])
        return {
            "visible": int(attributes["Attributes"]["ApproximateNumberOfMessages"]),
            "in_flight": int(attributes["Attributes"]["ApproximateNumberOfMessagesNotVisible"]),
            "delayed": int(attributes["Attributes"]["ApproximateNumberOfMessagesDelayed"]),
        }

    def receive_all(self, queue: str = "InquiryQueue") -> list[dict[str, Any]]:
        answer = self.sqs.receive_message(
            QueueUrl=self.name(queue),
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        )
        return list(answer.get("Messages", []))


# the template's resource of each variable a function's settings read a name or URL from
RESOURCE_VARIABLES = {
    "INQUIRIES_TABLE": "InquiriesTable",
    "INQUIRY_QUEUE_URL": "InquiryQueue",
    "INQUIRY_DLQ_URL": "InquiryDLQ",
    "ACCOUNTS_TABLE": "AccountsTable",
    "ERASURE_LEDGER_TABLE": "ErasureLedgerTable",
    "RECORDINGS_TABLE": "RecordingsTable",
    "RECORDINGS_BUCKET": "RecordingsBucket",
    "RIGHTS_REQUESTS_TABLE": "RightsRequestsTable",
    "RIGHTS_QUEUE_URL": "RightsQueue",
    "RIGHTS_DLQ_URL": "RightsDLQ",
    "INBOUND_MAIL_BUCKET": "InboundMailBucket",
}

W = TypeVar("W", bound=Wiring[Any])


@dataclass(frozen=True)
class Function(Generic[W]):
    """A function of the template as a test wires it: its handler module (None: the wiring alone), its
    settings and wiring, and the variables its settings read a resource's name from (RESOURCE_VARIABLES)."""

    module: str | None
    settings: type[Any]
    wiring: Callable[..., W]
    variables: tuple[str, ...]


def wire_handler(
    aws: Aws,
    monkeypatch: pytest.MonkeyPatch,
    function: Function[W],
    *,
    counted: Sequence[str] = ("dynamodb", "sqs"),
    **wiring_arguments: Any,
) -> W:
    """``function``'s wiring on this test's moto account: its variables set to their resources and the
    Powertools caches emptied, the settings read from the environment, the wiring built on them with
    ``wiring_arguments`` (a clock), the calls of its ``counted`` clients counted in ``aws.calls``. With a
    handler module, that module runs on these settings and this wiring."""
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()
    for variable in function.variables:
        monkeypatch.setenv(variable, aws.name(RESOURCE_VARIABLES[variable]))
    handler = importlib.import_module(function.module) if function.module else None
    settings = function.settings.from_env()
    fresh = function.wiring(settings, Clients(), **wiring_arguments)
    aws.count_calls_of(*(getattr(fresh.clients, client) for client in counted))
    if handler is not None:
        monkeypatch.setattr(handler, "settings", settings)
        monkeypatch.setattr(handler, "wiring", fresh)
    return fresh


INTAKE = Function(
    "intake_handler", IntakeSettings, IntakeWiring, ("INQUIRIES_TABLE", "INQUIRY_QUEUE_URL", "ACCOUNTS_TABLE")
)
FORWARDER = Function(
    "forwarder_handler",
    ForwarderSettings,
    ForwarderWiring,
    ("INQUIRIES_TABLE", "INQUIRY_QUEUE_URL", "INQUIRY_DLQ_URL"),
)
# the variables the erasing functions' wiring reads
ERASING_RESOURCES = (
    "INQUIRIES_TABLE",
    "INQUIRY_QUEUE_URL",
    "ACCOUNTS_TABLE",
    "ERASURE_LEDGER_TABLE",
    "RECORDINGS_TABLE",
)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        resources = create_resources(session, copy.deepcopy(_translated_template()), TEST_PARAMETERS)
        ssm = session.client("ssm")
        for name, value in LOCAL_SECRETS.items():
            ssm.put_parameter(Name=name, Value=value, Type="SecureString")
        secretsmanager = session.client("secretsmanager")
        for name, value in LOCAL_SECRETS_MANAGER.items():
            secretsmanager.create_secret(Name=name, SecretString=value)
        yield Aws(resources)


@pytest.fixture
def siteverify() -> Iterator[SiteverifyDouble]:
    """A real siteverify on a free local port (tests/siteverify_double.py): queue its answers with
    ``says``, read what it received in ``requests``."""
    with siteverify_double() as double:
        yield double


@pytest.fixture
def wiring(aws: Aws, siteverify: SiteverifyDouble, monkeypatch: pytest.MonkeyPatch) -> IntakeWiring:
    """The handler's wiring, pointed at this test's moto tables and siteverify double (its Powertools
    caches emptied)."""
    monkeypatch.setenv("CAPTCHA_VERIFY_URL", siteverify.url)
    return wire_handler(aws, monkeypatch, INTAKE)


@pytest.fixture
def invoke(wiring: IntakeWiring) -> Any:
    handler = importlib.import_module("intake_handler")

    def call(event: dict[str, Any]) -> dict[str, Any]:
        return dict(handler.lambda_handler(event, FakeContext()))

    return call


# ---------------------------------------------------------------- ForwarderFunction

# the message attributes Lambda's SQS event carries
EVENT_ATTRIBUTES = {
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
}


class InquiryQueueSource:
    """Lambda's SQS event source for ForwarderFunction (or the function of another ``queue``), by hand:
    receive a batch from moto's InquiryQueue, invoke the handler with the event Lambda would build, delete
    what was not reported failed."""

    def __init__(self, aws: Aws, handler: Any, queue: str = "InquiryQueue") -> None:
        self.aws = aws
        self.handler = handler
        self.queue = queue
        self.url = aws.name(queue)
        self.arn = aws.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.last_failed: list[dict[str, Any]] = []

    def send(self, inquiry_id: str) -> None:
        from contact_intake.intake.queue import claim_check

        self.aws.sqs.send_message(QueueUrl=self.url, MessageBody=claim_check(inquiry_id))

    def poll(self, batch_size: int = 5) -> tuple[dict[str, Any], dict[str, Any]]:
        """One invocation: (the event, the handler's answer). Raises when nothing is visible."""
        received = self.aws.sqs.receive_message(
            QueueUrl=self.url,
            MaxNumberOfMessages=batch_size,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        assert received, f"no visible message in {self.queue}"
        event = {"Records": [self.record(m) for m in received]}
        return event, self.invoke(event)

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        answer = dict(self.handler.lambda_handler(event, FakeContext()))
        failed = {f["itemIdentifier"] for f in answer.get("batchItemFailures", [])}
        self.last_failed = [r for r in event["Records"] if r["messageId"] in failed]
        for record in event["Records"]:
            if record["messageId"] not in failed and record["eventSourceARN"] == self.arn:
                self.aws.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=record["receiptHandle"])
        return answer

    def redeliver_failed(self) -> None:
        """The visibility timeout of the last poll's failed messages has passed: visible again."""
        for record in self.last_failed:
            self.aws.sqs.change_message_visibility(
                QueueUrl=self.url, ReceiptHandle=record["receiptHandle"], VisibilityTimeout=0
            )

    def record(self, message: dict[str, Any]) -> dict[str, Any]:
        """A received SQS message as a Lambda SQS event record (events/forwarder_sqs_batch.json)."""
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": {k: v for k, v in message.get("Attributes", {}).items() if k in EVENT_ATTRIBUTES},
            "messageAttributes": {
                name: {
                    "stringValue": value.get("StringValue"),
                    "stringListValues": [],
                    "binaryListValues": [],
                    "dataType": value["DataType"],
                }
                for name, value in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self.arn,
            "awsRegion": REGION,
        }


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def helpdesk(clock: FakeClock) -> Iterator[FakeFreshdesk]:
    """The fake Freshdesk on the domain the test environment names (HELPDESK_DOMAIN=myshop)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeFreshdesk(clock=clock).install(mock)


@pytest.fixture
def forwarder(
    aws: Aws, helpdesk: FakeFreshdesk, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> ForwarderWiring:
    """ForwarderFunction's wiring, pointed at this test's moto resources and the fake Freshdesk."""
    return wire_handler(aws, monkeypatch, FORWARDER, clock=clock)


@pytest.fixture
def inquiry_queue(aws: Aws, forwarder: ForwarderWiring) -> InquiryQueueSource:
    return InquiryQueueSource(aws, importlib.import_module("forwarder_handler"))


# ---------------------------------------------------------------- the functions that erase


def _erasing_function(module: str, settings_model: type[Any], wiring_type: type[ErasureWiring[Any]]) -> Any:
    """A fixture: the wiring of the erasing function ``module`` on this test's moto resources, the fake
    Freshdesk and ``clock``."""
    function = Function(module, settings_model, wiring_type, ERASING_RESOURCES)

    @pytest.fixture
    def fixture(aws: Aws, helpdesk: FakeFreshdesk, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Any:
        return wire_handler(aws, monkeypatch, function, clock=clock)

    fixture.__doc__ = f"{module}'s wiring, on moto and the fake Freshdesk."
    return fixture


account_events = _erasing_function("account_events_handler", AccountEventsSettings, AccountEventsWiring)
helpdesk_events = _erasing_function("helpdesk_events_handler", HelpdeskEventsSettings, HelpdeskEventsWiring)
sweeper = _erasing_function("sweeper_handler", SweeperSettings, SweeperWiring)


# ---------------------------------------------------------------- handlers that answer before the resolver


def answered_as_the_declared_routes(
    respond: Callable[[dict[str, Any]], dict[str, Any] | None],
    resolve: Callable[[dict[str, Any]], dict[str, Any]],
    declared: Any,
    event: dict[str, Any],
    twin: dict[str, Any],
    *,
    handed_over: bool,
) -> dict[str, Any]:
    """A handler's answer to ``event``, asserted equal to the declared routes' (``declared.app``, Powertools'
    resolver) answer to ``twin``: ``respond`` is the handler's own answer (None: handed to the resolver),
    ``resolve`` the whole handler, which hands it over. Each gets a copy of its event."""
    ours = respond(copy.deepcopy(event))
    if handed_over:
        assert ours is None  # the resolver answers it
        ours = resolve(copy.deepcopy(event))
    else:
        assert ours is not None  # answered without the resolver
    assert ours == dict(declared.app.resolve(copy.deepcopy(twin), FakeContext()))
    return ours
