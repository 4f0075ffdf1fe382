"""The forwarder's parts that need no AWS: the pacer's arithmetic, the claim check, the DLQ reason, the
message dispositions of rare failures, and the exactly-once decisions over an in-memory store.

The whole path against moto and the fake Freshdesk is in tests/integration/test_forwarder.py.
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from contact_intake.core.errors import ConfigurationError, MalformedMessage, ServiceUnavailable
from contact_intake.core.messages import MessageRetry, QueuedMessage
from contact_intake.helpdesk.port import (
    FieldProblem,
    HelpdeskAuthError,
    HelpdeskError,
    HelpdeskNotFound,
    HelpdeskRateLimited,
    HelpdeskServerError,
    HelpdeskValidationError,
    Ticket,
    TicketDraft,
)
from contact_intake.intake.forwarder import (
    MAX_QUEUE_DELAY_SECONDS,
    ForwardDeferred,
    Forwarder,
    ForwardOutcome,
    ForwardResult,
    HelpdeskPacer,
    InquiryMessages,
    dead_letter_reason,
    parse_claim_check,
)
from contact_intake.intake.models import InquiryRecord, InquiryStatus
from contact_intake.intake.queue import EnqueueFailed
from contact_intake.intake.settings import ForwarderSettings
from contact_intake.intake.store import ForwardConflict
from tests.builders import PERSON, an_inquiry_record, sample_event
from tests.fakes import FakeClock

INQUIRY_ID = "6f1c2a9e-4b7d-4c1e-9a35-0d2e8f7b6a41"

# ------------------------------------------------------------------------------------------------ pacer


def test_the_pacer_lets_everything_through_until_a_429() -> None:
    pacer = HelpdeskPacer(per_minute=80, concurrency=2, clock=FakeClock())
    assert [pacer.hold() for _ in range(3)] == [None, None, None]


def test_after_a_429_held_messages_are_spread_at_this_containers_share_of_the_limit() -> None:
    clock = FakeClock()
    pacer = HelpdeskPacer(per_minute=4, concurrency=2, clock=clock)  # a share of 2 a minute
    pacer.limited(30)
    assert [pacer.hold() for _ in range(5)] == [30, 30, 90, 90, 150]
    clock.advance(seconds=10)
    assert pacer.hold() == 20 + 60 * 2  # the sixth waits what is left, plus its minutes in line


def test_the_pacer_opens_when_retry_after_has_passed_and_counts_afresh() -> None:
    clock = FakeClock()
    pacer = HelpdeskPacer(per_minute=1, concurrency=1, clock=clock)
    pacer.limited(5)
    assert pacer.hold() == 5
    assert pacer.hold() == 65
    clock.advance(seconds=5)
    assert pacer.hold() is None
    pacer.limited(5)
    assert pacer.hold() == 5  # the queue position restarted


def test_a_shorter_retry_after_never_shortens_the_hold() -> None:
    clock = FakeClock()
    pacer = HelpdeskPacer(per_minute=80, concurrency=2, clock=clock)
    pacer.limited(40)
    pacer.limited(5)
    assert pacer.hold() == 40


def test_a_hold_never_exceeds_what_sqs_can_delay() -> None:
    pacer = HelpdeskPacer(per_minute=1, concurrency=10, clock=FakeClock())
    pacer.limited(60)
    holds = [pacer.hold() for _ in range(100)]
    assert max(h for h in holds if h is not None) == MAX_QUEUE_DELAY_SECONDS


@pytest.mark.parametrize(("per_minute", "concurrency"), [(0, 2), (80, 0)])
def test_the_pacer_needs_a_positive_limit_and_concurrency(per_minute: int, concurrency: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        HelpdeskPacer(per_minute=per_minute, concurrency=concurrency)


# ------------------------------------------------------------------------------------ claim check


def test_the_claim_check_carries_the_inquiry_id() -> None:
    assert parse_claim_check('{"inquiry_id":"' + INQUIRY_ID + '"}') == INQUIRY_ID


@pytest.mark.parametrize(
    "body",
    [
        "Hello from SQS!",
        "",
        '["6f1c2a9e"]',
        "{}",
        '{"inquiry_id": 42}',
        '{"inquiry_id": ""}',
        '{"inquiry_id": "a\'b"}',
        '{"inquiry_id": "' + "x" * 129 + '"}',
    ],
)
def test_anything_else_is_malformed(body: str) -> None:
    with pytest.raises(MalformedMessage):
        parse_claim_check(body)


# --------------------------------------------------------------------------------------- DLQ reason


@pytest.mark.parametrize(
    ("error", "reason", "reason_class"),
    [
        (
            HelpdeskValidationError(
                "create_ticket",
                problems=(FieldProblem("email", "invalid_value"), FieldProblem("", "missing_field")),
            ),
            "helpdesk_400:email:invalid_value,missing_field",
            "helpdesk_400",
        ),
        (
            HelpdeskValidationError("create_ticket", problems=(), reason="invalid_json"),
            "helpdesk_400:invalid_json",
            "helpdesk_400",
        ),
        (HelpdeskAuthError("create_ticket", status=401, reason="invalid_credentials"), None, "helpdesk_401"),
        (
            HelpdeskAuthError("create_ticket", reason="no API key"),
            "helpdesk_error:no_API_key",
            "helpdesk_error",
        ),
        (HelpdeskNotFound("create_ticket", status=404), "helpdesk_404", "helpdesk_404"),
    ],
)
def test_the_dlq_reason_names_the_status_and_freshdesks_codes(
    error: HelpdeskError, reason: str | None, reason_class: str
) -> None:
    assert dead_letter_reason(error) == (reason or f"{reason_class}:invalid_credentials", reason_class)


def test_the_dlq_reason_is_bounded() -> None:
    problems = tuple(FieldProblem(f"cf_field_{i}", "invalid_value") for i in range(40))
    reason, _ = dead_letter_reason(HelpdeskValidationError("create_ticket", problems=problems))
    assert len(reason) == 256


# ------------------------------------------------------------------------------------ dispositions


class StubForwarder:
    def __init__(self, raises: BaseException | None = None) -> None:
        self.raises = raises

    def forward(self, inquiry_id: str) -> ForwardOutcome:
        if self.raises is not None:
            raise self.raises
        return ForwardOutcome(inquiry_id, ForwardResult.FORWARDED, 1)


class RecordingQueue:
    def __init__(self, *, failing: bool = False) -> None:
        self.failing = failing
        self.sent: list[tuple[str, int]] = []
        self.visibility: list[tuple[str, int]] = []

    def send(self, inquiry_id: str, delay_seconds: int = 0) -> None:
        if self.failing:
            raise EnqueueFailed("ClientError")
        self.sent.append((inquiry_id, delay_seconds))

    def change_visibility(self, receipt_handle: str, seconds: int) -> None:
        if self.failing:
            raise EnqueueFailed("ClientError")
        self.visibility.append((receipt_handle, seconds))


class RecordingDeadLetters(RecordingQueue):
    def __init__(self, *, failing: bool = False) -> None:
        super().__init__(failing=failing)
        self.dead: list[tuple[str, str]] = []

    def send(self, body: str, delay_seconds: int = 0, *, reason: str = "") -> None:  # type: ignore[override]
        if self.failing:
            raise EnqueueFailed("ClientError")
        self.dead.append((body, reason))


def messages(
    forwarder: Any, queue: RecordingQueue | None = None, dead: RecordingDeadLetters | None = None
) -> InquiryMessages:
    return InquiryMessages(
        forwarder=forwarder,
        queue=queue or RecordingQueue(),
        dead_letters=dead or RecordingDeadLetters(),  # type: ignore[arg-type]
    )


MESSAGE = QueuedMessage(
    message_id="m-1", body='{"inquiry_id":"' + INQUIRY_ID + '"}', receipt_handle="rh-1", receive_count=2
)


@pytest.mark.parametrize(
    "error",
    [
        ServiceUnavailable(),
        HelpdeskServerError("create_ticket", status=503),
        # an unexpected error whose text quotes personal data: logged by type only (log capture checks)
        RuntimeError(f"boom for {PERSON['email']}"),
    ],
)
def test_failures_are_reported_for_a_retry(error: Exception) -> None:
    with pytest.raises(MessageRetry):
        messages(StubForwarder(error)).handle(MESSAGE)


def test_a_dlq_that_cannot_be_written_leaves_the_message_for_a_retry() -> None:
    dead = RecordingDeadLetters(failing=True)
    refused = HelpdeskValidationError("create_ticket", problems=(FieldProblem("email", "invalid_value"),))
    with pytest.raises(MessageRetry, match="dead-letter"):
        messages(StubForwarder(refused), dead=dead).handle(MESSAGE)


def test_an_in_flight_deferral_hands_the_message_back_even_when_the_visibility_change_fails() -> None:
    queue = RecordingQueue(failing=True)
    with pytest.raises(MessageRetry, match="in_flight"):
        messages(StubForwarder(ForwardDeferred(50, "in_flight")), queue=queue).handle(MESSAGE)


def test_an_in_flight_deferral_hands_the_message_back_for_the_delay() -> None:
    queue = RecordingQueue()
    with pytest.raises(MessageRetry):
        messages(StubForwarder(ForwardDeferred(50, "in_flight")), queue=queue).handle(MESSAGE)
    assert queue.visibility == [("rh-1", 50)]
    assert queue.sent == []


def test_a_throttled_message_is_requeued_within_sqs_delay_bounds() -> None:
    queue = RecordingQueue()
    assert messages(StubForwarder(ForwardDeferred(5000, "rate_limited")), queue=queue).handle(MESSAGE) is None
    assert queue.sent == [(INQUIRY_ID, MAX_QUEUE_DELAY_SECONDS)]


def test_a_forwarded_message_returns_its_outcome() -> None:
    assert messages(StubForwarder()).handle(MESSAGE) == ForwardOutcome(INQUIRY_ID, ForwardResult.FORWARDED, 1)


# ------------------------------------------------------------------------- the forwarder's decisions


class MemoryStore:
    """InquiryStore's forwarder methods over a dict, with the same conditions."""

    def __init__(self, clock: FakeClock) -> None:
        self.items: dict[str, InquiryRecord] = {}
        self.clock = clock
        self.unavailable_for_clear = False
        self.interfere: Any = None  # called before mark_attempted checks its condition

    def get(self, inquiry_id: str) -> InquiryRecord | None:
        return self.items.get(inquiry_id)

    def mark_attempted(self, inquiry_id: str, *, at: datetime, previous: datetime | None) -> None:
        if self.interfere:
            self.interfere()
        record = self.items.get(inquiry_id)
        if (
            record is None
            or record.status != InquiryStatus.RECEIVED
            or record.helpdesk_ticket_id is not None
            or record.restricted
            or record.forward_attempted_at != previous
        ):
            raise ForwardConflict(record)
        self.items[inquiry_id] = replace(
            record, forward_attempted_at=at, forward_attempts=record.forward_attempts + 1
        )

    def clear_attempt(self, inquiry_id: str, *, at: datetime) -> bool:
        if self.unavailable_for_clear:
            raise ServiceUnavailable()
        record = self.items[inquiry_id]
        self.items[inquiry_id] = replace(record, forward_attempted_at=None)
        return True

    def mark_forwarded(self, inquiry_id: str, ticket_id: int, *, at: datetime) -> None:
        record = self.items.get(inquiry_id)
        if record is None or record.status != InquiryStatus.RECEIVED or record.helpdesk_ticket_id is not None:
            raise ForwardConflict(record)
        self.items[inquiry_id] = replace(
            record, status=InquiryStatus.FORWARDED, helpdesk_ticket_id=ticket_id, forward_attempted_at=None
        )


class ScriptedHelpdesk:
    """Answers from a script: each call takes the next entry (an exception to raise, or a value)."""

    def __init__(self, tickets: list[Ticket] | None = None, create: list[Any] | None = None) -> None:
        self.tickets = tickets or []
        self.create_script = create or []
        self.created: list[TicketDraft] = []
        self.deleted: list[int] = []
        self.listed: list[datetime | None] = []

    def open_ticket(self, draft: TicketDraft) -> Ticket:
        step = self.create_script.pop(0) if self.create_script else None
        if isinstance(step, BaseException):
            raise step
        self.created.append(draft)
        return Ticket(id=100 + len(self.created), inquiry_id=draft.inquiry_id)

    def delete_ticket(self, ticket_id: int) -> None:
        self.deleted.append(ticket_id)

    def find_inquiry_tickets(
        self, requester_email: str, inquiry_id: str, *, since: datetime | None = None
    ) -> list[Ticket]:
        self.listed.append(since)
        return sorted((t for t in self.tickets if t.inquiry_id == inquiry_id), key=lambda t: t.id)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def a_forwarder(store: MemoryStore, helpdesk: ScriptedHelpdesk, clock: FakeClock) -> Forwarder:
    return Forwarder(
        store=store,  # type: ignore[arg-type]
        helpdesk=helpdesk,
        pacer=HelpdeskPacer(per_minute=80, concurrency=2, clock=clock),
        settle_seconds=60,
        clock=clock,
    )


def attempted(store: MemoryStore, clock: FakeClock, seconds_ago: int) -> InquiryRecord:
    record = an_inquiry_record(
        inquiry_id=INQUIRY_ID,
        forward_attempted_at=clock() - timedelta(seconds=seconds_ago),
        forward_attempts=1,
    )
    store.items[INQUIRY_ID] = record
    return record


def test_with_several_tickets_for_one_inquiry_the_oldest_is_kept_and_the_rest_counted(
    clock: FakeClock,
) -> None:
    store = MemoryStore(clock)
    attempted(store, clock, seconds_ago=600)
    helpdesk = ScriptedHelpdesk(
        tickets=[
            Ticket(id=9, inquiry_id=INQUIRY_ID),
            Ticket(id=3, inquiry_id="another-inquiry"),
            Ticket(id=5, inquiry_id=INQUIRY_ID),
            Ticket(id=4),
        ]
    )

    outcome = a_forwarder(store, helpdesk, clock).forward(INQUIRY_ID)

    assert outcome == ForwardOutcome(INQUIRY_ID, ForwardResult.RECOVERED, 5)
    assert helpdesk.created == []
    # the lookup reaches back to the attempt (the adapter allows for clock skew: test_helpdesk_client)
    assert helpdesk.listed == [clock() - timedelta(seconds=600)]


def test_without_an_earlier_ticket_the_retry_creates_one(clock: FakeClock) -> None:
    store = MemoryStore(clock)
    attempted(store, clock, seconds_ago=600)
    helpdesk = ScriptedHelpdesk(tickets=[Ticket(id=3, inquiry_id="another-inquiry")])

    outcome = a_forwarder(store, helpdesk, clock).forward(INQUIRY_ID)

    assert outcome == ForwardOutcome(INQUIRY_ID, ForwardResult.FORWARDED, 101)
    assert store.items[INQUIRY_ID].forward_attempts == 2


def test_a_429_on_the_lookup_holds_the_container(clock: FakeClock) -> None:
    store = MemoryStore(clock)
    attempted(store, clock, seconds_ago=600)
    helpdesk = ScriptedHelpdesk()

    def limited(email: str, inquiry_id: str, *, since: datetime | None = None) -> list[Ticket]:
        raise HelpdeskRateLimited("list_tickets", retry_after_seconds=12)

    helpdesk.find_inquiry_tickets = limited  # type: ignore[method-assign]
    forwarder = a_forwarder(store, helpdesk, clock)

    with pytest.raises(ForwardDeferred) as deferred:
        forwarder.forward(INQUIRY_ID)
    assert (deferred.value.delay_seconds, deferred.value.reason) == (12, "rate_limited")
    with pytest.raises(ForwardDeferred):
        forwarder.forward(INQUIRY_ID)  # held without asking the store or the helpdesk
    assert store.items[INQUIRY_ID].forward_attempted_at is not None  # a lookup's 429 proves nothing


def test_a_conflict_with_a_delivery_that_is_still_creating_defers(clock: FakeClock) -> None:
    store = MemoryStore(clock)
    store.items[INQUIRY_ID] = an_inquiry_record(inquiry_id=INQUIRY_ID)

    def other_delivery_marks() -> None:
        store.interfere = None
        store.items[INQUIRY_ID] = replace(store.items[INQUIRY_ID], forward_attempted_at=clock())

    store.interfere = other_delivery_marks
    helpdesk = ScriptedHelpdesk()

    with pytest.raises(ForwardDeferred) as deferred:
        a_forwarder(store, helpdesk, clock).forward(INQUIRY_ID)

    assert (deferred.value.delay_seconds, deferred.value.reason) == (60, "in_flight")
    assert helpdesk.created == []


def test_two_conflicts_in_a_row_defer_for_the_settle_time(clock: FakeClock) -> None:
    store = MemoryStore(clock)
    attempted(store, clock, seconds_ago=600)
    helpdesk = ScriptedHelpdesk()

    moves = iter(range(1000, 2000))

    def marker_moves_on() -> None:  # every read is stale by the time of the write (an old attempt)
        store.items[INQUIRY_ID] = replace(
            store.items[INQUIRY_ID], forward_attempted_at=clock() - timedelta(seconds=next(moves))
        )

    store.interfere = marker_moves_on

    with pytest.raises(ForwardDeferred) as deferred:
        a_forwarder(store, helpdesk, clock).forward(INQUIRY_ID)

    assert (deferred.value.delay_seconds, deferred.value.reason) == (60, "in_flight")
    assert helpdesk.created == []


def test_a_restriction_that_arrives_before_the_attempt_stops_it(clock: FakeClock) -> None:
    store = MemoryStore(clock)
    store.items[INQUIRY_ID] = an_inquiry_record(inquiry_id=INQUIRY_ID)

    def restrict() -> None:
        store.interfere = None
        store.items[INQUIRY_ID] = replace(store.items[INQUIRY_ID], restricted=True)

    store.interfere = restrict
    helpdesk = ScriptedHelpdesk()

    outcome = a_forwarder(store, helpdesk, clock).forward(INQUIRY_ID)

    assert outcome.result is ForwardResult.RESTRICTED
    assert helpdesk.created == []


@pytest.mark.parametrize(
    "refusal",
    [
        HelpdeskRateLimited("create_ticket", retry_after_seconds=30),
        HelpdeskValidationError("create_ticket", problems=(FieldProblem("email", "invalid_value"),)),
    ],
)
def test_a_refused_create_forgets_its_attempt_even_when_the_store_is_briefly_down(
    clock: FakeClock, refusal: HelpdeskError
) -> None:
    store = MemoryStore(clock)
    store.items[INQUIRY_ID] = an_inquiry_record(inquiry_id=INQUIRY_ID)
    store.unavailable_for_clear = True
    forwarder = a_forwarder(store, ScriptedHelpdesk(create=[refusal]), clock)

    with pytest.raises((ForwardDeferred, HelpdeskValidationError)):
        forwarder.forward(INQUIRY_ID)

    # the marker stays (the next try spends one lookup); the refusal itself is what propagates
    assert store.items[INQUIRY_ID].forward_attempted_at == clock()


def test_an_ambiguous_failure_keeps_the_attempt_marker(clock: FakeClock) -> None:
    store = MemoryStore(clock)
    store.items[INQUIRY_ID] = an_inquiry_record(inquiry_id=INQUIRY_ID)
    forwarder = a_forwarder(
        store, ScriptedHelpdesk(create=[HelpdeskServerError("create_ticket", status=502)]), clock
    )

    with pytest.raises(HelpdeskServerError):
        forwarder.forward(INQUIRY_ID)

    assert store.items[INQUIRY_ID].forward_attempted_at == clock()


# ------------------------------------------------------------------------------------ settings, handler


FORWARDER_ENV = {
    "INQUIRIES_TABLE": "t",
    "INQUIRY_QUEUE_URL": "q",
    "INQUIRY_DLQ_URL": "d",
    "HELPDESK_API_KEY_SECRET_ID": "contact-intake/helpdesk-api-key",
    "HELPDESK_RATE_LIMIT_PER_MINUTE": "80",
}


def test_the_forwarder_needs_a_helpdesk_address() -> None:
    with pytest.raises(ConfigurationError, match="HELPDESK_DOMAIN"):
        ForwarderSettings.from_env(FORWARDER_ENV)


def test_a_base_url_wins_over_the_domain_as_devstack_sets_it() -> None:
    from contact_intake.intake.wiring import ForwarderWiring

    local = "http://127.0.0.1:3000/_local/helpdesk/api/v2"
    settings = ForwarderSettings.from_env(
        {**FORWARDER_ENV, "HELPDESK_DOMAIN": "local", "HELPDESK_BASE_URL": local}
    )
    assert ForwarderWiring(settings).helpdesk.base_url == local
    plain = ForwarderSettings.from_env({**FORWARDER_ENV, "HELPDESK_DOMAIN": "myshop"})
    assert ForwarderWiring(plain).helpdesk.base_url == "https://myshop.freshdesk.com/api/v2"


def test_the_forwarder_settings_defaults() -> None:
    settings = ForwarderSettings.from_env({**FORWARDER_ENV, "HELPDESK_DOMAIN": "myshop"})
    assert settings.helpdesk_inquiry_field == "cf_inquiry_id"
    assert settings.forwarder_max_concurrency == 2
    assert settings.forward_settle_seconds == 60


def test_the_handler_passes_each_record_as_a_queued_message(monkeypatch: pytest.MonkeyPatch) -> None:
    handler = importlib.import_module("forwarder_handler")
    seen: list[QueuedMessage] = []

    class Wiring:
        class messages:  # noqa: N801 - stands in for the wiring's attribute
            @staticmethod
            def handle(message: QueuedMessage) -> None:
                seen.append(message)

    monkeypatch.setattr(handler, "wiring", Wiring)
    (record,) = sample_event("forwarder_sqs_batch.json")["Records"][2:]
    assert handler.batch.process({"Records": [record]}, None) == {"batchItemFailures": []}
    assert seen == [
        QueuedMessage(
            message_id=record["messageId"],
            body=record["body"],
            receipt_handle=record["receiptHandle"],
            receive_count=3,
        )
    ]


# ------------------------------------------------------------------------------------------ queue ports


@pytest.mark.parametrize("operation", ["change_message_visibility", "send_message"])
def test_queue_faults_become_enqueue_failed(operation: str) -> None:
    import boto3
    from botocore.stub import Stubber

    from contact_intake.intake.queue import DeadLetterQueue, InquiryQueue

    client = boto3.client("sqs", region_name="eu-central-1")
    url = "https://sqs.eu-central-1.amazonaws.com/123456789012/q"
    call = (
        (lambda: DeadLetterQueue(queue_url=url, client=lambda: client).send("{}", reason="helpdesk_400"))
        if operation == "send_message"
        else (lambda: InquiryQueue(queue_url=url, client=lambda: client).change_visibility("rh", 30))
    )
    with Stubber(client) as stub:
        stub.add_client_error(operation, service_error_code="AWS.SimpleQueueService.NonExistentQueue")
        with pytest.raises(EnqueueFailed):
            call()


def test_the_pacer_reads_the_real_clock_by_default() -> None:
    pacer = HelpdeskPacer(per_minute=80, concurrency=2)
    pacer.limited(60)
    held = pacer.hold()
    assert held is not None
    assert 0 < held <= 60
