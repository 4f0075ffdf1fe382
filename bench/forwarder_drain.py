"""Drain a burst of queued inquiries through ForwarderFunction against a helpdesk limited to R ticket creates
a minute (issue 3, Performance): achieved rate >= 90% of R, none lost, no duplicate ticket.

Everything runs in this process on a virtual clock, so a 25-minute drain takes seconds:

- InquiriesTable is moto's (``mock_aws``), created from template.yaml, written and read by the real store;
- the helpdesk is tests/helpdesk_fake.FakeFreshdesk under ``responses``: real tickets, R creates per clock
  minute, ``429`` with ``Retry-After`` (seconds to the next minute) over the limit;
- InquiryQueue and its DLQ are simulated here (``SimQueue``): moto's SQS keeps wall-clock time, and what
  is measured (visibility timeouts, DelaySeconds, receive counts, the redrive at the template's
  ``maxReceiveCount``) is all time. Its visibility timeout and maxReceiveCount are read from the queue
  moto made from the template;
- Lambda's event source is played by ``ForwarderFunction``-many pollers (``MaximumConcurrency``), each a
  container with its own wiring (so its own pacer), taking batches of ``BatchSize`` and calling the real
  ``forwarder_handler.lambda_handler``; failed items stay in the queue, the rest are deleted.

Each helpdesk, DynamoDB and SQS call moves the calling container's clock by a typical latency; pollers run
in the order of their clocks (one invocation at a time: an approximation of concurrency whose only effect
is the order of calls within a minute).

The rate is counted in whole minutes: tickets created / the number of clock minutes from the first
message to the last create (the helpdesk's limit is per minute, so a drain of 2,000 at R=80 cannot beat
25 minutes). Alternatives run on half the burst, for comparison (info figures): the brief's "change the
message visibility and report it failed" on a 429 without the pacer's spreading (each hold counts a
receive towards maxReceiveCount), the same with spreading when the helpdesk's real limit is half the
configured one (other integrations use the rest), ForwarderFunction in that same case, and re-queueing
without spreading (every held message comes back when Retry-After ends).
"""

from __future__ import annotations

import itertools
import json
import math
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench._core import Options, Progress, Report
from bench._intake import ROOT, TEMPLATE_PARAMETERS, output_to_devnull, use_handler_in_process
from bench._probe import lambda_context

FORWARDER_FUNCTION = ROOT / "functions" / "forwarder"
PER_MINUTE = 80  # the template's HelpdeskRateLimitPerMinute default
CONCURRENCY = 2  # the template's ForwarderMaxConcurrency default
BATCH_SIZE = 5  # ForwarderInquiryQueueMapping's BatchSize
START = datetime(2026, 11, 25, 9, 0, 0, tzinfo=UTC)  # a minute boundary
# virtual latencies (seconds)
HELPDESK_LATENCY = {"create_ticket": 0.35, "list_tickets": 0.25, "delete_ticket": 0.25}
DYNAMODB_LATENCY = 0.006
SQS_LATENCY = 0.012
INVOCATION_OVERHEAD = 0.02


class VirtualClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class SimMessage:
    message_id: str
    body: str
    visible_at: datetime
    sent_at: datetime
    receive_count: int = 0
    receipt: str = ""


@dataclass
class SimQueue:
    """A standard SQS queue with a redrive policy, in virtual time."""

    clock: VirtualClock
    visibility_timeout: int
    max_receive_count: int
    messages: dict[str, SimMessage] = field(default_factory=dict)
    dead: list[tuple[str, str]] = field(default_factory=list)  # (body, reason) in the DLQ
    ops: Counter[str] = field(default_factory=Counter)
    max_receives: int = 0
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def send(self, body: str, delay_seconds: int = 0) -> None:
        self.ops["SendMessage"] += 1
        message_id = f"m-{next(self._ids)}"
        now = self.clock()
        self.messages[message_id] = SimMessage(message_id, body, now + timedelta(seconds=delay_seconds), now)

    def receive(self, limit: int) -> list[SimMessage]:
        self.ops["ReceiveMessage"] += 1
        now = self.clock()
        visible = sorted(
            (m for m in self.messages.values() if m.visible_at <= now),
            key=lambda m: (m.visible_at, m.sent_at),
        )
        batch: list[SimMessage] = []
        for message in visible:
            if len(batch) == limit:
                break
            if message.receive_count >= self.max_receive_count:  # the redrive policy
                del self.messages[message.message_id]
                self.dead.append((message.body, "maxReceiveCount"))
                continue
            message.receive_count += 1
            self.max_receives = max(self.max_receives, message.receive_count)
            message.receipt = f"{message.message_id}#{message.receive_count}"
            message.visible_at = now + timedelta(seconds=self.visibility_timeout)
            batch.append(message)
        return batch

    def _by_receipt(self, receipt: str) -> SimMessage | None:
        message = self.messages.get(receipt.split("#", 1)[0])
        return message if message is not None and message.receipt == receipt else None

    def delete(self, receipt: str) -> None:
        self.ops["DeleteMessage"] += 1
        message = self._by_receipt(receipt)
        if message is not None:
            del self.messages[message.message_id]

    def change_visibility(self, receipt: str, seconds: int) -> None:
        self.ops["ChangeMessageVisibility"] += 1
        message = self._by_receipt(receipt)
        if message is not None:
            message.visible_at = self.clock() + timedelta(seconds=seconds)

    def next_visible_at(self) -> datetime | None:
        return min((m.visible_at for m in self.messages.values()), default=None)


class SimInquiryQueue:
    """contact_intake.intake.queue.InquiryQueue's interface over SimQueue."""

    def __init__(self, queue: SimQueue) -> None:
        self._queue = queue

    def send(self, inquiry_id: str, delay_seconds: int = 0) -> None:
        from contact_intake.intake.queue import claim_check

        self._queue.clock.advance(SQS_LATENCY)
        self._queue.send(claim_check(inquiry_id), delay_seconds)

    def change_visibility(self, receipt_handle: str, seconds: int) -> None:
        self._queue.clock.advance(SQS_LATENCY)
        self._queue.change_visibility(receipt_handle, seconds)


class SimDeadLetters:
    def __init__(self, queue: SimQueue) -> None:
        self._queue = queue

    def send(self, body: str, *, reason: str) -> None:
        self._queue.clock.advance(SQS_LATENCY)
        self._queue.dead.append((body, reason))


@dataclass
class DrainResult:
    strategy: str
    inquiries: int
    per_minute: int
    helpdesk_limit: int
    forwarded: int = 0
    lost: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    minutes: int = 0
    virtual_seconds: float = 0.0
    refused_creates: int = 0
    helpdesk_calls: dict[str, int] = field(default_factory=dict)
    sqs_ops: dict[str, int] = field(default_factory=dict)
    invocations: int = 0
    creates_per_minute: list[int] = field(default_factory=list)
    real_seconds: float = 0.0
    max_receives: int = 0

    @property
    def rate_percent(self) -> float:
        """Of the helpdesk's real limit."""
        return 100.0 * self.forwarded / (self.minutes * self.helpdesk_limit) if self.minutes else 0.0

    @property
    def receives_per_ticket(self) -> float:
        return self.sqs_ops.get("Received", 0) / self.forwarded if self.forwarded else math.inf


def _throttle_by_visibility() -> type:
    """The alternative: a 429 changes the message's visibility and reports it failed (a receive counts)."""
    from contact_intake.core.messages import MessageRetry, QueuedMessage
    from contact_intake.intake.forwarder import InquiryMessages

    class VisibilityOnThrottle(InquiryMessages):
        def _requeue_throttled(self, message: QueuedMessage, inquiry_id: str, delay_seconds: int) -> None:
            self._hand_back(message, delay_seconds)
            raise MessageRetry("rate_limited")

    return VisibilityOnThrottle


def _event(batch: list[SimMessage], queue_arn: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": m.message_id,
                "receiptHandle": m.receipt,
                "body": m.body,
                "attributes": {
                    "ApproximateReceiveCount": str(m.receive_count),
                    "SentTimestamp": str(int(m.sent_at.timestamp() * 1000)),
                    "SenderId": "AROABENCH:forwarder-drain",
                    "ApproximateFirstReceiveTimestamp": str(int(m.sent_at.timestamp() * 1000)),
                },
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "eu-central-1",
            }
            for m in batch
        ]
    }


def drain(
    *,
    inquiries: int,
    per_minute: int = PER_MINUTE,
    concurrency: int = CONCURRENCY,
    batch_size: int = BATCH_SIZE,
    strategy: str = "requeue",
    helpdesk_limit: int | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> DrainResult:
    """Queue ``inquiries`` stored inquiries at once and run the event source until the queue is empty.

    ``strategy``: ``requeue`` (what ForwarderFunction does), ``visibility`` (the alternative above) or
    ``requeue-unspread`` (re-queue, but every held message comes back when Retry-After ends); with
    ``-unspread`` appended to ``visibility`` likewise. ``helpdesk_limit``: the helpdesk's real limit when it
    differs from the configured ``per_minute`` (other integrations use part of it).
    """
    use_handler_in_process()
    if str(FORWARDER_FUNCTION) not in sys.path:
        sys.path.insert(0, str(FORWARDER_FUNCTION))
    import boto3
    import forwarder_handler
    import responses
    from aws_lambda_powertools.utilities import parameters
    from moto import mock_aws

    from devstack.resources import create_resources
    from tests.helpdesk_fake import API_KEY, FakeFreshdesk

    clock = VirtualClock(START)
    limit = helpdesk_limit or per_minute
    result = DrainResult(strategy=strategy, inquiries=inquiries, per_minute=per_minute, helpdesk_limit=limit)
    started = time.perf_counter()
    with mock_aws(), responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        parameters.clear_caches()
        session = boto3.session.Session(region_name="eu-central-1")
        resources = create_resources(session, ROOT / "template.yaml", TEMPLATE_PARAMETERS)
        table = str(resources.resources["InquiriesTable"])
        session.client("secretsmanager").create_secret(
            Name=forwarder_handler.settings.helpdesk_api_key_secret_id, SecretString=API_KEY
        )
        attributes = session.client("sqs").get_queue_attributes(
            QueueUrl=str(resources.resources["InquiryQueue"]), AttributeNames=["All"]
        )["Attributes"]
        queue = SimQueue(
            clock=clock,
            visibility_timeout=int(attributes["VisibilityTimeout"]),
            max_receive_count=int(json.loads(attributes["RedrivePolicy"])["maxReceiveCount"]),
        )
        helpdesk = FakeFreshdesk(
            clock=clock,
            limit_per_minute=limit,
            before_call=lambda operation: clock.advance(HELPDESK_LATENCY.get(operation, 0.25)),
        ).install(mock)
        dynamodb = session.client("dynamodb")
        ids = _store_and_queue(dynamodb, table, queue, inquiries)
        progress(f"{strategy}: {inquiries} inquiries stored and queued")
        containers = _containers(
            base=forwarder_handler.settings,
            table=table,
            queue=queue,
            clock=clock,
            result=result,
            concurrency=concurrency,
        )
        saved = forwarder_handler.wiring
        try:
            with output_to_devnull():
                last_create = _event_source(
                    forwarder_handler,
                    containers=containers,
                    queue=queue,
                    helpdesk=helpdesk,
                    queue_arn=attributes["QueueArn"],
                    batch_size=batch_size,
                    result=result,
                    progress=progress,
                )
        finally:
            forwarder_handler.wiring = saved
        items = {
            i: dynamodb.get_item(TableName=table, Key={"inquiry_id": {"S": i}}).get("Item", {}) for i in ids
        }
        _tally(result, items=items, helpdesk=helpdesk, queue=queue, last_create=last_create, clock=clock)
    result.real_seconds = time.perf_counter() - started
    return result


def _store_and_queue(dynamodb: Any, table: str, queue: SimQueue, inquiries: int) -> list[str]:
    """Inquiries stored as the intake stores them (the production item shape), their claim checks queued."""
    from contact_intake.core.retention import LawfulBasis, expires_at_epoch
    from contact_intake.intake.models import InquiryRecord
    from contact_intake.intake.queue import claim_check
    from contact_intake.intake.store import to_item

    received = START - timedelta(minutes=5)
    ids = []
    for number in range(inquiries):
        record = InquiryRecord(
            inquiry_id=str(uuid.uuid4()),
            received_at=received,
            name=f"Bench Person {number}",
            email=f"bench.person+{number}@example.org",
            subject=f"Order {number}",
            message="The new cat food is not to my cat's taste.\nCan I exchange it?",
            subject_key=f"{number:064x}",
            lawful_basis=LawfulBasis.LEGITIMATE_INTERESTS,
            request_fingerprint="0" * 64,
            locale="nl",
            expires_at=expires_at_epoch(received, LawfulBasis.LEGITIMATE_INTERESTS),
        )
        dynamodb.put_item(TableName=table, Item=to_item(record))
        ids.append(record.inquiry_id)
        queue.send(claim_check(record.inquiry_id))
    return ids


def _containers(
    *, base: Any, table: str, queue: SimQueue, clock: VirtualClock, result: DrainResult, concurrency: int
) -> list[Any]:
    """One ForwarderWiring per concurrent batch (as Lambda keeps one container per concurrent execution)."""
    from contact_intake.core.clients import Clients
    from contact_intake.intake.forwarder import HelpdeskPacer
    from contact_intake.intake.settings import ForwarderSettings
    from contact_intake.intake.wiring import ForwarderWiring

    settings = ForwarderSettings.model_validate(
        {
            **base.model_dump(by_alias=True),
            "INQUIRIES_TABLE": table,
            "HELPDESK_RATE_LIMIT_PER_MINUTE": result.per_minute,
            "FORWARDER_MAX_CONCURRENCY": concurrency,
        }
    )
    containers = []
    for _ in range(concurrency):
        wiring = ForwarderWiring(settings, Clients(), clock=clock)
        wiring.clients.dynamodb.meta.events.register(
            "before-call.dynamodb.*", lambda **_: clock.advance(DYNAMODB_LATENCY)
        )
        wiring.queue = SimInquiryQueue(queue)
        wiring.dead_letters = SimDeadLetters(queue)
        if result.strategy.endswith("-unspread"):
            wiring.pacer = HelpdeskPacer(per_minute=10**9, concurrency=1, clock=clock)
        if result.strategy.startswith("visibility"):
            wiring.messages = _throttle_by_visibility()(
                forwarder=wiring.forwarder, queue=wiring.queue, dead_letters=wiring.dead_letters
            )
        containers.append(wiring)
    return containers


def _event_source(
    handler: Any,
    *,
    containers: list[Any],
    queue: SimQueue,
    helpdesk: Any,
    queue_arn: str,
    batch_size: int,
    result: DrainResult,
    progress: Callable[[str], None],
) -> datetime:
    """Lambda's SQS pollers until the queue is empty; returns the time of the last ticket created."""
    clock = queue.clock
    free_at = [START] * len(containers)
    last_create = START
    deadline = START + timedelta(minutes=6 * result.inquiries / result.helpdesk_limit + 30)
    context = lambda_context()
    while queue.messages:
        poller = min(range(len(containers)), key=lambda i: free_at[i])
        clock.now = free_at[poller]
        if clock.now > deadline:
            break
        batch = queue.receive(batch_size)
        if not batch:  # long polling: this poller gets the next message that becomes visible
            upcoming = queue.next_visible_at() or clock.now
            free_at[poller] = max(upcoming, clock.now + timedelta(milliseconds=1))
            continue
        result.sqs_ops["Received"] = result.sqs_ops.get("Received", 0) + len(batch)
        clock.advance(INVOCATION_OVERHEAD)
        handler.wiring = containers[poller]
        created_before = len(helpdesk.tickets)
        answer = handler.lambda_handler(_event(batch, queue_arn), context)
        result.invocations += 1
        if len(helpdesk.tickets) > created_before:
            last_create = max(last_create, clock.now)
        failed = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
        for message in batch:
            if message.message_id not in failed:
                queue.delete(message.receipt)
        free_at[poller] = clock.now
        if result.invocations % 500 == 0:
            minutes = (clock.now - START).total_seconds() / 60
            progress(
                f"{result.strategy}: {len(helpdesk.live_tickets())} tickets at +{minutes:.1f} min, "
                f"{len(queue.messages)} queued"
            )
    return last_create


def _tally(
    result: DrainResult,
    *,
    items: dict[str, dict[str, Any]],
    helpdesk: Any,
    queue: SimQueue,
    last_create: datetime,
    clock: VirtualClock,
) -> None:
    """Lost: not ``forwarded`` in the table. Duplicates: a second live ticket for an inquiry, a ticket for
    no inquiry, or a written-back id that is not the inquiry's one live ticket."""
    live = Counter(t.custom_fields.get("cf_inquiry_id") for t in helpdesk.live_tickets())
    result.forwarded = sum(1 for item in items.values() if item.get("status", {}).get("S") == "forwarded")
    result.lost = result.inquiries - result.forwarded
    result.duplicates = sum(count - 1 for count in live.values() if count > 1)
    result.duplicates += sum(1 for inquiry_id in live if inquiry_id not in items)
    for inquiry_id, item in items.items():
        ticket = item.get("helpdesk_ticket_id", {}).get("N")
        if ticket is not None and (live[inquiry_id] != 1 or helpdesk.tickets[int(ticket)].deleted):
            result.duplicates += 1
    result.dead_lettered = len(queue.dead)
    result.max_receives = queue.max_receives
    result.minutes = math.floor((last_create - START).total_seconds() / 60) + 1
    result.virtual_seconds = (clock.now - START).total_seconds()
    result.refused_creates = helpdesk.calls["create_ticket_throttled"]
    result.helpdesk_calls = dict(helpdesk.calls)
    result.sqs_ops.update(queue.ops)
    first_minute = math.floor(START.timestamp() / 60)
    result.creates_per_minute = [helpdesk.creates_per_minute[first_minute + m] for m in range(result.minutes)]


def _details(result: DrainResult) -> dict[str, Any]:
    return {
        "strategy": result.strategy,
        "inquiries": result.inquiries,
        "configured_per_minute": result.per_minute,
        "helpdesk_limit_per_minute": result.helpdesk_limit,
        "max_receives_of_a_message": result.max_receives,
        "forwarded": result.forwarded,
        "lost": result.lost,
        "duplicates": result.duplicates,
        "dead_lettered": result.dead_lettered,
        "minutes": result.minutes,
        "rate_percent_of_R": round(result.rate_percent, 1),
        "refused_creates_429": result.refused_creates,
        "helpdesk_calls": result.helpdesk_calls,
        "sqs_ops": result.sqs_ops,
        "invocations": result.invocations,
        "virtual_minutes": round(result.virtual_seconds / 60, 1),
        "real_seconds": round(result.real_seconds, 1),
        "creates_per_minute": result.creates_per_minute,
    }


def run(progress: Progress, options: Options) -> Report:
    inquiries = 400 if options.quick else 2000
    report = Report()
    ours = drain(inquiries=inquiries, progress=progress)
    report.add(
        f"achieved rate, % of R={PER_MINUTE}/min ({inquiries} in {ours.minutes} min)",
        round(ours.rate_percent, 1),
        "%",
        target=">= 90%",
        passed=ours.rate_percent >= 90.0,
    )
    report.exactly("lost (not forwarded)", ours.lost, 0)
    report.exactly("duplicate tickets", ours.duplicates, 0)
    report.add("429s answered (refused creates)", ours.refused_creates)
    report.add("SQS receives per ticket", round(ours.receives_per_ticket, 2))
    details: dict[str, Any] = {"ours": _details(ours)}
    # The alternatives, on half the burst to keep the run short (their figures are info, not targets).
    half = inquiries // 2
    scenarios = [
        ("visibility, unspread (the brief's 429 handling)", "visibility-unspread", None),
        ("visibility, helpdesk limit R/2", "visibility", PER_MINUTE // 2),
        ("ours, helpdesk limit R/2", "requeue", PER_MINUTE // 2),
        ("requeue, unspread", "requeue-unspread", None),
    ]
    for label, strategy, limit in scenarios:
        other = drain(inquiries=half, strategy=strategy, helpdesk_limit=limit, progress=progress)
        report.add(f"{label}: lost of {half}", other.lost)
        report.add(f"{label}: SQS receives per ticket", round(other.receives_per_ticket, 2))
        details[label] = _details(other)
    report.details = details
    return report
