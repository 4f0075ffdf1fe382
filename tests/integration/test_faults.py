"""The fault suite that counts (issue 6): inquiries go in through IntakeFunction, out through the forwarder
to the (fake) helpdesk, and are erased through the webhook and the sweeper, while every fault mode we know
of strikes. At the end it prints and asserts the figure: inquiries sent, delivered, duplicated (0), lost
(0); erasures asked, completed.

The world: moto's tables and queues from template.yaml; the fake Freshdesk (tests/helpdesk_fake.py) on
``responses``; a clock that moves only when told. Lambda's SQS event source is played with virtual time
(``EventSource``): a message in flight comes back when the clock passes the visibility timeout, and a
DelaySeconds the forwarder asks for is waited out on the clock, not the wall.

Fault injection: botocore ``Stubber`` where a call must fail on every attempt (what reaches our code after
botocore's retries); a ``before-send`` hook where one attempt fails inside botocore's retry loop (Stubber
answers before that loop, so it cannot show a retry), either lost on the way or applied with its answer
lost;
the fake helpdesk's fault modes (429, 500, timeout, lost response); ``Crash`` for an invocation that dies
mid-batch (a timeout, out of memory): a BaseException, so it escapes the batch processor as a dying
process would, with no answer and no deletes.
"""

from __future__ import annotations

import importlib
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber, StubResponseError
from moto.core.botocore_stubber import MockRawResponse

from contact_intake.intake.wiring import ForwarderWiring, IntakeWiring
from contact_intake.retention.sweeper import SweepIncomplete
from contact_intake.retention.wiring import HelpdeskEventsWiring, SweeperWiring
from contact_intake.rights.acknowledgements import KEY_PREFIX as ACK_LIMIT_PREFIX
from contact_intake.rights.mail_wiring import RightsMailWiring
from tests.builders import FakeContext, a_form, api_event
from tests.fakes import FakeClock, FakeVerifier
from tests.helpdesk_fake import FakeFreshdesk
from tests.integration.conftest import Aws, InquiryQueueSource
from tests.integration.rights_support import InboundMail, real_inbound

__all__ = ["real_inbound"]  # a fixture (tests/integration/rights_support.py)

VISIBILITY_TIMEOUT = 180  # InquiryQueue's
WEBHOOK_SECRET = "local-webhook-secret"


class Crash(BaseException):
    """The invocation dies (timeout, out of memory): no answer, nothing deleted."""


# ---------------------------------------------------------------- the world


class EventSource:
    """Lambda's SQS event source for ForwarderFunction, in virtual time (see the module's docstring)."""

    def __init__(self, aws: Aws, forwarder: ForwarderWiring, clock: FakeClock) -> None:
        self.aws, self.clock = aws, clock
        self.source = InquiryQueueSource(aws, importlib.import_module("forwarder_handler"))
        self.unacknowledged: dict[str, str] = {}  # message id -> receipt handle, received and not deleted
        self.delay = 0
        self.invocations = self.crashes = self.deliveries = 0
        forwarder.clients.sqs.meta.events.register(
            "provide-client-params.sqs.SendMessage", self._virtual_delay
        )

    def _virtual_delay(self, params: dict[str, Any], **_: Any) -> None:
        self.delay = max(self.delay, int(params.pop("DelaySeconds", 0)))

    def send(self, inquiry_id: str) -> None:
        self.source.send(inquiry_id)

    def drain(self, max_rounds: int = 200) -> None:
        """Deliver until the queue is empty: batches, redeliveries after the visibility timeout, delays."""
        for _ in range(max_rounds):
            if self.delay:
                self.clock.advance(seconds=self.delay)
                self.delay = 0
            counts = self.aws.queue_counts()
            if counts["visible"]:
                self._invoke()
            elif counts["in_flight"]:
                self.clock.advance(seconds=VISIBILITY_TIMEOUT + 1)
                for handle in self.unacknowledged.values():
                    self.aws.sqs.change_message_visibility(
                        QueueUrl=self.source.url, ReceiptHandle=handle, VisibilityTimeout=0
                    )
                self.unacknowledged.clear()
            else:
                return
        raise AssertionError(f"InquiryQueue did not drain in {max_rounds} rounds: {self.aws.queue_counts()}")

    def _invoke(self) -> None:
        received = self.aws.sqs.receive_message(
            QueueUrl=self.source.url, MaxNumberOfMessages=5, AttributeNames=["All"], WaitTimeSeconds=0
        ).get("Messages", [])
        self.invocations += 1
        self.deliveries += len(received)
        event = {"Records": [self.source.record(m) for m in received]}
        try:
            answer = self.source.invoke(event)
        except Crash:
            self.crashes += 1
            self.unacknowledged |= {m["MessageId"]: m["ReceiptHandle"] for m in received}
            return
        failed = {f["itemIdentifier"] for f in answer.get("batchItemFailures", [])}
        self.unacknowledged |= {
            m["MessageId"]: m["ReceiptHandle"] for m in received if m["MessageId"] in failed
        }


def fail_sends(client: Any, operation: str, times: int, *, applied: bool) -> list[int]:
    """The next ``times`` HTTP sends of ``operation`` fail inside botocore's retry loop, so its retries
    handle them as real ones. ``applied=False``: the request never reaches DynamoDB (a connection error).
    ``applied=True``: DynamoDB applies it but its answer is a throttling error (moto's handler runs and
    stores the item; this one's answer wins), as when an answer is lost after the write. Returns a one-item
    counter of the failures given."""
    given = [0]

    def fail(request: Any, **_: Any) -> AWSResponse | None:
        if given[0] >= times:
            return None
        given[0] += 1
        if not applied:
            raise EndpointConnectionError(endpoint_url=request.url)
        error = "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"
        body = json.dumps({"__type": error, "message": "injected"})
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": str(uuid.uuid4())}
        return AWSResponse(request.url, 400, headers, MockRawResponse(body.encode()))

    service = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register_first(f"before-send.{service}.{operation}", fail)
    return given


@dataclass
class Figure:
    """What happened to the inquiries of one run."""

    sent: list[str] = field(default_factory=list)  # accepted (202), by inquiry id
    refused: Counter[str] = field(default_factory=Counter)  # answered 5xx, by fault (the person retried)
    by_fault: dict[str, list[str]] = field(default_factory=dict)

    def count(self, helpdesk: FakeFreshdesk, aws: Aws) -> dict[str, int]:
        delivered = duplicated = lost = 0
        for inquiry_id in set(self.sent):
            live = helpdesk.live_tickets(inquiry_id)
            item = aws.find_item(inquiry_id) or {}
            if len(live) == 1 and item.get("helpdesk_ticket_id") == {"N": str(live[0].id)}:
                delivered += 1
            elif len(live) > 1:
                duplicated += 1
            else:
                lost += 1
        created = sum(
            1 for t in helpdesk.tickets.values() if t.custom_fields.get("cf_inquiry_id") in self.sent
        )
        return {
            "sent": len(set(self.sent)),
            "delivered": delivered,
            "duplicated": duplicated,
            "lost": lost,
            "tickets created": created,
            "in DLQ": aws.queue_counts("InquiryDLQ")["visible"],
        }


class Intake:
    """The person behind the form: posts, and on a 5xx posts again with the same Idempotency-Key."""

    def __init__(self, figure: Figure) -> None:
        self.handler = importlib.import_module("intake_handler")
        self.figure = figure

    def post(self, fault: str, key: str | None = None) -> dict[str, Any]:
        headers = {"Idempotency-Key": key} if key else {}
        event = api_event(a_form(subject=f"Fault {fault}"), headers=headers)
        return dict(self.handler.lambda_handler(event, FakeContext()))

    def submit(self, fault: str, *, retries: int = 3) -> str:
        key = f"form-{uuid.uuid4()}"
        for _ in range(retries + 1):
            answer = self.post(fault, key)
            if answer["statusCode"] == 202:
                inquiry_id = str(json.loads(answer["body"])["inquiry_id"])
                self.figure.sent.append(inquiry_id)
                self.figure.by_fault.setdefault(fault, []).append(inquiry_id)
                return inquiry_id
            assert answer["statusCode"] == 503, answer
            assert "Traceback" not in answer["body"]
            self.figure.refused[fault] += 1
        raise AssertionError(f"{fault}: still refused after {retries} retries")


class SweeperContext(FakeContext):
    function_name = "SweeperFunction"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


@dataclass
class World:
    aws: Aws
    wiring: IntakeWiring
    forwarder: ForwarderWiring
    helpdesk: FakeFreshdesk
    clock: FakeClock
    figure: Figure
    intake: Intake
    source: EventSource
    sweeper: Any  # the sweeper_handler module

    def sweep(self) -> Any:
        """One scheduled run of SweeperFunction (its 300 s timeout ahead of it)."""
        return self.sweeper.lambda_handler({}, SweeperContext())


@pytest.fixture
def world(
    *,
    aws: Aws,
    wiring: IntakeWiring,
    forwarder: ForwarderWiring,
    sweeper: SweeperWiring,
    helpdesk: FakeFreshdesk,
    clock: FakeClock,
) -> World:
    """Intake, forwarder and sweeper on one moto account, the fake helpdesk and one clock."""
    clock.now = datetime.now(UTC)  # the intake stamps received_at with the real clock
    wiring.verifier = FakeVerifier()  # type: ignore[misc]  # siteverify is not under test here
    figure = Figure()
    return World(
        aws, wiring, forwarder, helpdesk, clock, figure, Intake(figure), EventSource(aws, forwarder, clock),
        importlib.import_module("sweeper_handler"),
    )  # fmt: skip


def print_figure(title: str, rows: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print(f"\n{title}: " + ", ".join(f"{name} {value}" for name, value in rows.items()), flush=True)


# ---------------------------------------------------------------- inquiries


def intake_faults(world: World) -> None:
    """DynamoDB at intake. Failing on every attempt (what reaches the code after botocore's retries) is a
    503 with nothing stored, and the person's retry with the same key is one inquiry. One attempt lost on
    the way: botocore's retry absorbs it. One attempt applied but answered with an error: the retry finds
    the item (ConditionalCheckFailed with the same body), the intake answers it as a replay, 202, and does
    not enqueue (D5: no second SendMessage for a retry); the sweeper queues it after StuckInquiryMinutes.
    The enqueue failing after the write: 202 (it is stored), and the sweeper queues it again."""
    intake, dynamodb = world.intake, world.wiring.clients.dynamodb
    for code, status in (("ProvisionedThroughputExceededException", 400), ("InternalServerError", 500)):
        with Stubber(dynamodb) as stub:
            stub.add_client_error("put_item", service_error_code=code, http_status_code=status)
            assert intake.post(code)["statusCode"] == 503
        world.figure.refused[code] += 1
        intake.submit(code)
    lost = fail_sends(dynamodb, "PutItem", 1, applied=False)
    intake.submit("PutItem attempt lost (retried by botocore)")
    applied = fail_sends(dynamodb, "PutItem", 1, applied=True)
    unqueued = intake.submit("PutItem applied, answer an error (retried by botocore)")
    assert lost == applied == [1]
    with Stubber(world.wiring.clients.sqs) as stub:
        stub.add_client_error("send_message", service_error_code="AWS.SimpleQueueService.InternalError")
        stranded = intake.submit("enqueue failed after the write")
    world.source.drain()

    for waiting in (unqueued, stranded):
        assert world.aws.get_item(waiting)["status"] == {"S": "received"}
    world.clock.advance(minutes=16)  # StuckInquiryMinutes
    assert world.sweep()["requeued"] == 2
    world.source.drain()


def helpdesk_faults(world: World) -> None:
    """Every helpdesk fault mode, each on the first create of a batch of two; a crash between a ticket's
    create and its write-back."""
    for mode in ("429", "500", "timeout", "lost_response"):
        world.intake.submit(f"helpdesk {mode}")
        world.intake.submit(f"helpdesk {mode}")
        world.helpdesk.fail_next(1, mode)
        world.source.drain()

    crash_once = [True]

    def lose_write_back(params: dict[str, Any], **_: Any) -> None:
        if ":ticket" in params.get("ExpressionAttributeValues", {}) and crash_once:
            crash_once.pop()
            raise EndpointConnectionError(endpoint_url="https://dynamodb.eu-central-1.amazonaws.com")

    events = world.forwarder.clients.dynamodb.meta.events
    events.register("provide-client-params.dynamodb.UpdateItem", lose_write_back)
    world.intake.submit("write-back lost")
    world.source.drain()


def crash_and_duplicates(world: World) -> None:
    """The invocation dies in the middle of a batch of five (two tickets made, three not); SQS delivers a
    message twice, and claim checks of long-forwarded inquiries arrive again."""
    creates = [0]

    def die_at_the_third_create(operation: str) -> None:
        if operation == "create_ticket":
            creates[0] += 1
            if creates[0] == 3:
                raise Crash

    for _ in range(5):
        world.intake.submit("crash mid-batch")
    world.helpdesk.before_call = die_at_the_third_create
    world.source.drain()
    world.helpdesk.before_call = None
    assert world.source.crashes == 1

    twice = world.intake.submit("duplicate deliveries")
    world.source.send(twice)
    world.source.send(twice)
    world.source.drain()
    for inquiry_id in world.figure.sent[:3]:
        world.source.send(inquiry_id)
    world.source.drain()


def test_every_fault_mode_delivers_each_inquiry_exactly_once(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(3):
        world.intake.submit("none")
    world.source.drain()
    intake_faults(world)
    helpdesk_faults(world)
    crash_and_duplicates(world)

    figure, source = world.figure, world.source
    rows = figure.count(world.helpdesk, world.aws)
    rows |= {
        "refused then retried": sum(figure.refused.values()),
        "deliveries": source.deliveries,
        "invocations": source.invocations,
        "crashed": source.crashes,
    }
    print_figure("FAULTS inquiries", rows, capsys)
    assert rows["sent"] == len(figure.sent) == 23
    assert rows["delivered"] == rows["sent"]
    assert rows["duplicated"] == 0
    assert rows["lost"] == 0
    assert rows["in DLQ"] == 0
    # every ticket ever created is the one ticket of its inquiry (none made and deleted again)
    assert rows["tickets created"] == rows["sent"]
    assert world.aws.scan_count() == rows["sent"]
    assert rows["deliveries"] > rows["sent"]  # the faults did strike: redeliveries happened


# ---------------------------------------------------------------- erasures


def test_erasures_through_a_helpdesk_outage_complete_and_are_never_reported_early(
    world: World, helpdesk_events: HelpdeskEventsWiring, capsys: pytest.CaptureFixture[str]
) -> None:
    aws, helpdesk, clock = world.aws, world.helpdesk, world.clock
    ids = [world.intake.submit("to be erased") for _ in range(8)]
    world.source.drain()
    tickets = {i: int(aws.get_item(i)["helpdesk_ticket_id"]["N"]) for i in ids}
    webhook = importlib.import_module("helpdesk_events_handler")
    ledger = aws.name("ErasureLedgerTable")

    def ledgered(inquiry_id: str) -> bool:
        return any(i["inquiry_id"]["S"] == inquiry_id for i in aws.dynamodb.scan(TableName=ledger)["Items"])

    def still_whole(inquiry_id: str) -> bool:
        """Nothing reported done: the item, its live ticket, no ledger entry."""
        live = [t.id for t in helpdesk.live_tickets(inquiry_id)]
        return (
            aws.find_item(inquiry_id) is not None
            and live == [tickets[inquiry_id]]
            and not ledgered(inquiry_id)
        )

    asked = completed = failed_attempts = 0
    # resolved tickets (the webhook): the helpdesk answers 500, then times out, then recovers; Freshdesk's
    # automation retries a webhook that did not answer 2xx
    for inquiry_id, mode in zip(ids[:4], ("500", "timeout", "500", "timeout"), strict=True):
        asked += 1
        helpdesk.fail_next(2, mode)
        body = {"ticket_id": tickets[inquiry_id], "status": "resolved", "inquiry_id": inquiry_id}
        event = api_event(body, path="/helpdesk/events", headers={"X-Webhook-Secret": WEBHOOK_SECRET})
        for _ in range(5):
            answer = webhook.lambda_handler(event, FakeContext())
            if answer["statusCode"] == 202:
                completed += 1
                break
            assert answer["statusCode"] == 503, answer
            failed_attempts += 1
            assert still_whole(inquiry_id)

    # 12 months later the sweeper erases the rest; its first run meets a helpdesk outage, fails (its alarm
    # fires) and leaves what it could not erase whole; the next run completes
    rest = ids[4:]
    asked += len(rest)
    clock.advance(days=366)
    helpdesk.fail_next(2, "500")
    failed_runs = 0
    for _ in range(5):
        try:
            world.sweep()
            break
        except SweepIncomplete:
            failed_runs += 1
            left = [i for i in rest if aws.find_item(i) is not None]
            assert left
            assert all(still_whole(i) for i in left)
    assert failed_runs == 2  # a run stops at the first outage answer; the next run goes on
    failed_attempts += failed_runs
    completed += sum(aws.find_item(i) is None for i in rest)

    erased_everywhere = sum(
        aws.find_item(i) is None and not helpdesk.live_tickets(i) and ledgered(i) for i in ids
    )
    rows = {"asked": asked, "completed": completed, "erased everywhere": erased_everywhere,
            "failed attempts (retried)": failed_attempts}  # fmt: skip
    print_figure("FAULTS erasures", rows, capsys)
    assert asked == completed == erased_everywhere == len(ids)
    assert failed_attempts >= 6


# ---------------------------------------------------------------- rights mail (SES)


def test_ses_send_failures_in_the_rights_flow_end_in_one_request_and_one_acknowledgement(
    aws: Aws, real_inbound: tuple[InboundMail, RightsMailWiring], capsys: pytest.CaptureFixture[str]
) -> None:
    """A mail to the privacy address while SES refuses to send: the invocation fails (SES's Lambda action
    is asynchronous, so Lambda runs it again), and the retries make exactly one request and, once SES
    sends again, exactly one acknowledgement."""
    from devstack.emulators.mail import SentMail, moto_sent_messages
    from tests.rights_mail_fakes import corpus_mail

    inbound, rights_wiring = real_inbound
    inbound.store(corpus_mail("en_access_plain.eml"))

    refused = 0
    answer: dict[str, Any] = {}
    sesv2 = rights_wiring.clients.sesv2
    for code in ("TooManyRequestsException", "InternalFailure", None):
        if code is None:
            answer = inbound.deliver()
            break
        with Stubber(sesv2) as stub:
            stub.add_client_error("send_email", service_error_code=code, http_status_code=500)
            with pytest.raises(Exception) as failed:  # whatever it raises, Lambda runs it again
                inbound.deliver()
            stub.assert_no_pending_responses()  # the send was made, and it was the call that failed
        assert not isinstance(failed.value, StubResponseError), failed.value
        refused += 1

    (mail,) = answer["mails"]
    requests_stored = [  # the per-address acknowledgement limit shares the table; it is no request
        item
        for item in aws.dynamodb.scan(TableName=aws.name("RightsRequestsTable"))["Items"]
        if not item["request_id"]["S"].startswith(ACK_LIMIT_PREFIX)
    ]
    sent = SentMail(moto_sent_messages("eu-central-1")).messages()
    rows = {"mails": 1, "invocations refused by SES": refused, "requests": len(requests_stored),
            "acknowledgements sent": len(sent)}  # fmt: skip
    print_figure("FAULTS rights mail", rows, capsys)
    assert [item["request_id"]["S"] for item in requests_stored] == [mail["request_id"]]
    assert len(sent) == 1
