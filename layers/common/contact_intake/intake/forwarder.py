"""The forwarder: every stored inquiry becomes exactly one helpdesk ticket (docs/architecture.md §1, §6).

A message carries only an inquiry id (the claim check). ``Forwarder.forward`` reads the record when it
runs, so an erasure or a restriction made since the enqueue wins:

- absent (erased, or past ``expires_at``) or ``restricted``: nothing is sent;
- already forwarded (a duplicate SQS delivery): nothing is sent;
- otherwise ``forward_attempted_at`` is set by a conditional write *before* the create is sent, the
  ticket is created, and its id is written back conditionally (``status=forwarded``). When the write-back
  finds the item erased meanwhile, or another delivery's ticket recorded first, the new ticket is
  deleted: erasure wins and one ticket stays.

Exactly once: the helpdesk has no idempotency key, so a record that carries an attempt marker may
already have its ticket (a lost answer, a crash between create and write-back). Before creating again the
forwarder asks the helpdesk port for the inquiry's tickets (``Helpdesk.find_inquiry_tickets``, which reads
the tickets themselves, never a search index that lags writes by minutes, or a ticket made by the lost
attempt could be missing and a second one would be created). Within ``settle_seconds`` of the attempt even
that is not trusted (the create may still be in flight): the message is delayed instead.

``InquiryMessages.handle`` turns one SQS message into that call and its disposition: success, a retry
(the item is reported failed), a re-queue with a delay (throttling), or the DLQ (a permanent 4xx).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Final, Protocol, TypeVar

from contact_intake.core.errors import MalformedMessage, ServiceUnavailable
from contact_intake.core.messages import MessageRetry, QueuedMessage, Retry
from contact_intake.core.observability import MetricUnit, count_by, log_unexpected, logger, metrics
from contact_intake.helpdesk.port import (
    Helpdesk,
    HelpdeskError,
    HelpdeskRateLimited,
    HelpdeskValidationError,
    TicketDraft,
)
from contact_intake.intake.accounts import Account, AccountStatus
from contact_intake.intake.models import InquiryRecord, InquiryStatus
from contact_intake.intake.queue import DeadLetterQueue, EnqueueFailed, InquiryQueue
from contact_intake.intake.store import ForwardConflict, InquiryStore

MAX_QUEUE_DELAY_SECONDS: Final = 900  # SQS DelaySeconds ceiling
MAX_VISIBILITY_SECONDS: Final = 43_200  # SQS visibility timeout ceiling (12 hours)
DEFAULT_SETTLE_SECONDS: Final = 60
_INQUIRY_ID: Final = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
_MAX_REASON_LENGTH: Final = 256

T = TypeVar("T")


class ForwardResult(StrEnum):
    FORWARDED = "forwarded"  # a ticket was created and its id written back
    RECOVERED = "recovered"  # an earlier attempt's ticket was found and its id written back
    ABSENT = "absent"  # erased or expired: nothing sent
    RESTRICTED = "restricted"  # Art. 18: nothing sent
    ALREADY_FORWARDED = "already_forwarded"  # a duplicate delivery: nothing sent
    WITHDRAWN = "withdrawn"  # created, but erased (or another ticket recorded) first: ticket deleted
    ACCOUNT_CLOSED = "account_closed"  # a customer's inquiry whose account has closed: nothing sent


SKIPPED: Final = frozenset(
    {
        ForwardResult.ABSENT,
        ForwardResult.RESTRICTED,
        ForwardResult.ALREADY_FORWARDED,
        ForwardResult.ACCOUNT_CLOSED,
    }
)


class AccountLookup(Protocol):
    """The accounts mirror as the forwarder reads it (contact_intake.intake.accounts.AccountStore)."""

    def get(self, customer_number: str, *, consistent: bool = False) -> Account | None: ...


@dataclass(frozen=True)
class ForwardOutcome:
    inquiry_id: str
    result: ForwardResult
    ticket_id: int | None = None


class ForwardDeferred(Exception):
    """Not now: try this inquiry again after ``delay_seconds``.

    ``reason`` is ``rate_limited`` (the helpdesk said 429, or this container is waiting out its
    Retry-After) or ``in_flight`` (an attempt was sent too recently to trust a lookup for its ticket).
    """

    def __init__(self, delay_seconds: int, reason: str) -> None:
        super().__init__(f"deferred {delay_seconds}s: {reason}")
        self.delay_seconds = delay_seconds
        self.reason = reason


class OrphanedTicket(Exception):
    """A ticket was created for an inquiry that was erased meanwhile, and deleting it failed."""

    def __init__(self, ticket_id: int, cause: HelpdeskError) -> None:
        super().__init__(f"ticket {ticket_id} could not be deleted ({cause})")
        self.ticket_id = ticket_id
        self.cause = cause


def _now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------------------------------------- pacing


class HelpdeskPacer:
    """One container's view of the helpdesk's rate limit.

    After a 429 no helpdesk call is made until its Retry-After has passed. The messages that arrive
    meanwhile are not all sent back for the same moment (they would be refused again together): the
    n-th one waits ``n / share`` minutes more, ``share`` being this container's part of the limit
    (``per_minute / concurrency``), so a backlog comes back at about the rate the helpdesk accepts.
    """

    def __init__(self, *, per_minute: int, concurrency: int, clock: Callable[[], datetime] = _now) -> None:
        if per_minute < 1 or concurrency < 1:
            raise ValueError("per_minute and concurrency must be positive")
        self._per_minute = per_minute
        self._concurrency = concurrency
        self._clock = clock
        self._until: datetime | None = None
        self._held = 0

    def limited(self, retry_after_seconds: int) -> None:
        """The helpdesk answered 429: hold every call for ``retry_after_seconds``."""
        until = self._clock() + timedelta(seconds=max(0, retry_after_seconds))
        if self._until is None or until > self._until:
            self._until = until

    def hold(self) -> int | None:
        """Seconds this message should wait before it is tried again, or None: go ahead."""
        now = self._clock()
        if self._until is None or now >= self._until:
            self._until, self._held = None, 0
            return None
        wait = math.ceil((self._until - now).total_seconds())
        minutes_ahead = self._held * self._concurrency // self._per_minute
        self._held += 1
        return min(MAX_QUEUE_DELAY_SECONDS, wait + 60 * minutes_ahead)


# ------------------------------------------------------------------------------------------- forwarder


def draft_for(record: InquiryRecord) -> TicketDraft:
    """The ticket an inquiry becomes: requester, subject, message (escaped by the client), language."""
    return TicketDraft(
        inquiry_id=record.inquiry_id,
        requester_email=record.email,
        requester_name=record.name,
        subject=record.subject,
        message=record.message,
        locale=record.locale or None,
    )


def _skip_reason(record: InquiryRecord | None) -> ForwardResult | None:
    if record is None:
        return ForwardResult.ABSENT
    if record.restricted:
        return ForwardResult.RESTRICTED
    if record.helpdesk_ticket_id is not None or record.status != InquiryStatus.RECEIVED:
        return ForwardResult.ALREADY_FORWARDED
    return None


@dataclass(kw_only=True, frozen=True, eq=False, repr=False)
class Forwarder:
    """Forwards one inquiry to the helpdesk, exactly once (see the module docstring)."""

    store: InquiryStore
    helpdesk: Helpdesk
    pacer: HelpdeskPacer
    settle_seconds: int = DEFAULT_SETTLE_SECONDS
    clock: Callable[[], datetime] = _now
    accounts: AccountLookup | None = None

    def forward(self, inquiry_id: str) -> ForwardOutcome:
        """Make sure this inquiry has its one ticket, or that it needs none.

        Raises ForwardDeferred (try again later), HelpdeskError (``permanent`` says whether a retry can
        help), OrphanedTicket (a ticket of an erased inquiry could not be deleted) or ServiceUnavailable
        (the table).
        """
        held = self.pacer.hold()
        if held is not None:
            raise ForwardDeferred(held, "rate_limited")
        record = self.store.get(inquiry_id)
        if record is not None and self._account_closed(record):
            # written just before a closure (or missed by its index query): never sent; the sweeper's
            # reconciliation erases it (docs/decisions.md D63)
            return ForwardOutcome(inquiry_id, ForwardResult.ACCOUNT_CLOSED, record.helpdesk_ticket_id)
        for _ in range(2):
            skip = _skip_reason(record)
            if skip is not None or record is None:
                return ForwardOutcome(inquiry_id, skip or ForwardResult.ABSENT, _ticket_of(record))
            if record.forward_attempted_at is not None:
                earlier = self._earlier_ticket(record, record.forward_attempted_at)
                if earlier is not None:
                    return self._write_back(record, earlier, ForwardResult.RECOVERED)
            attempt = self.clock()
            try:
                self.store.mark_attempted(inquiry_id, at=attempt, previous=record.forward_attempted_at)
            except ForwardConflict as conflict:
                record = conflict.current  # changed since the read: decide again on what it is now
                continue
            return self._create(record, attempt)
        # a second conflict in a row: another delivery is working on this inquiry right now
        raise ForwardDeferred(max(1, self.settle_seconds), "in_flight")

    def _account_closed(self, record: InquiryRecord) -> bool:
        """A customer's inquiry whose account is closed or gone in the mirror (a consistent read)."""
        if record.customer_number is None or self.accounts is None or record.helpdesk_ticket_id is not None:
            return False
        account = self.accounts.get(record.customer_number, consistent=True)
        return account is None or account.status is AccountStatus.CLOSED

    def _earlier_ticket(self, record: InquiryRecord, attempted_at: datetime) -> int | None:
        age = (self.clock() - attempted_at).total_seconds()
        if age < self.settle_seconds:
            raise ForwardDeferred(max(1, math.ceil(self.settle_seconds - age)), "in_flight")
        found = self._paced(
            lambda: self.helpdesk.find_inquiry_tickets(record.email, record.inquiry_id, since=attempted_at)
        )
        if not found:
            return None
        if len(found) > 1:
            # made before this code existed, or by hand: keep the oldest, leave the rest to a person
            logger.warning(
                "more than one ticket for an inquiry",
                extra={"inquiry_id": record.inquiry_id, "ticket_ids": [t.id for t in found]},
            )
            metrics.add_metric(name="DuplicateTicketsFound", unit=MetricUnit.Count, value=len(found) - 1)
        return found[0].id

    def _create(self, record: InquiryRecord, attempt: datetime) -> ForwardOutcome:
        try:
            ticket = self._paced(lambda: self.helpdesk.open_ticket(draft_for(record)))
        except ForwardDeferred:
            self._forget_attempt(record.inquiry_id, attempt)  # a 429 creates nothing
            raise
        except HelpdeskError as error:
            if error.permanent:
                self._forget_attempt(record.inquiry_id, attempt)  # refused: nothing was created
            raise  # transient: the ticket may exist; the marker stays so the retry looks first
        return self._write_back(record, ticket.id, ForwardResult.FORWARDED)

    def _paced(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except HelpdeskRateLimited as limited:
            self.pacer.limited(limited.retry_after_seconds)
            raise ForwardDeferred(limited.retry_after_seconds, "rate_limited") from None

    def _forget_attempt(self, inquiry_id: str, attempt: datetime) -> None:
        with contextlib.suppress(ServiceUnavailable):  # the marker stays: the retry spends one lookup
            self.store.clear_attempt(inquiry_id, at=attempt)

    def _write_back(self, record: InquiryRecord, ticket_id: int, result: ForwardResult) -> ForwardOutcome:
        try:
            self.store.mark_forwarded(record.inquiry_id, ticket_id, at=self.clock())
        except ForwardConflict as conflict:
            current = conflict.current
            if current is not None and current.helpdesk_ticket_id == ticket_id:
                return ForwardOutcome(record.inquiry_id, ForwardResult.ALREADY_FORWARDED, ticket_id)
            # Erased or expired meanwhile (erasure wins), or another delivery's ticket was recorded first:
            # this ticket must not stay.
            try:
                self.helpdesk.delete_ticket(ticket_id)
            except HelpdeskError as error:
                raise OrphanedTicket(ticket_id, error) from None
            return ForwardOutcome(record.inquiry_id, ForwardResult.WITHDRAWN, ticket_id)
        return ForwardOutcome(record.inquiry_id, result, ticket_id)


def _ticket_of(record: InquiryRecord | None) -> int | None:
    return record.helpdesk_ticket_id if record is not None else None


# -------------------------------------------------------------------------------------------- messages


def parse_claim_check(body: str) -> str:
    """The inquiry id of a message body (docs/architecture.md §1, a contract). Raises MalformedMessage
    when the body is not the claim check ``{"inquiry_id": "..."}``."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        raise MalformedMessage("not JSON") from None
    inquiry_id = data.get("inquiry_id") if isinstance(data, dict) else None
    if not isinstance(inquiry_id, str) or not _INQUIRY_ID.fullmatch(inquiry_id):
        raise MalformedMessage("no inquiry id")
    return inquiry_id


def dead_letter_reason(error: HelpdeskError) -> tuple[str, str]:
    """(reason, reason class) for a permanent helpdesk error, e.g. ("helpdesk_400:email:invalid_value",
    "helpdesk_400"). Field names and the helpdesk's codes only: never a value."""
    reason_class = f"helpdesk_{error.status}" if error.status is not None else "helpdesk_error"
    if isinstance(error, HelpdeskValidationError) and error.problems:
        detail = ",".join(f"{p.field}:{p.code}" if p.field else p.code for p in error.problems)
    else:
        detail = error.reason.replace(" ", "_")
    reason = f"{reason_class}:{detail}" if detail else reason_class
    return reason[:_MAX_REASON_LENGTH], reason_class


class InquiryMessages:
    """One message's disposition: handled (SQS deletes it), handed back (``MessageRetry``), re-queued
    with a delay, or dead-lettered.

    Throttling is not a failure: a message held back for a 429 is sent again with ``DelaySeconds`` and
    the original is deleted, so waiting for the helpdesk never counts towards the queue's
    ``maxReceiveCount`` (a burst larger than a few minutes of the helpdesk's limit would otherwise be
    dead-lettered). Failures (5xx, timeouts, storage) are reported failed and counted by SQS; after
    ``maxReceiveCount`` receives the redrive policy moves them to the DLQ.
    """

    def __init__(self, *, forwarder: Forwarder, queue: InquiryQueue, dead_letters: DeadLetterQueue) -> None:
        self._forwarder = forwarder
        self._queue = queue
        self._dead_letters = dead_letters

    def handle(self, message: QueuedMessage) -> ForwardOutcome | None:
        """Process one message. Returns normally when SQS may delete it; raises MessageRetry otherwise."""
        try:
            inquiry_id = parse_claim_check(message.body)
        except MalformedMessage as malformed:
            metrics.add_metric(name="MalformedMessage", unit=MetricUnit.Count, value=1)
            logger.error(
                "malformed message dropped", extra={"message_id": message.message_id, "why": str(malformed)}
            )
            return None
        log = {
            "message_id": message.message_id,
            "inquiry_id": inquiry_id,
            "receive_count": message.receive_count,
        }
        try:
            outcome = self._forwarder.forward(inquiry_id)
        except ForwardDeferred as deferred:
            self._defer(message, inquiry_id, deferred, log)
            return None
        except OrphanedTicket as orphan:
            logger.error(
                "ticket of an erased inquiry left at the helpdesk",
                extra={**log, "ticket_id": orphan.ticket_id},
            )
            self._dead_letter(message, f"orphaned_ticket:{orphan.ticket_id}", "orphaned_ticket", log)
            return None
        except HelpdeskError as error:
            if error.permanent:
                self._dead_letter(message, *dead_letter_reason(error), log)
                return None
            self._retry(f"helpdesk: {error}", log)
        except ServiceUnavailable:
            self._retry("inquiries table unavailable", log)
        except Exception as exc:  # logged by type only: messages can quote personal data
            log_unexpected(exc, "forwarder")
            raise MessageRetry("unexpected error") from None
        self._count(outcome, log)
        return outcome

    @staticmethod
    def _count(outcome: ForwardOutcome, log: dict[str, Any]) -> None:
        if outcome.result in {ForwardResult.FORWARDED, ForwardResult.RECOVERED}:
            metrics.add_metric(name="Forwarded", unit=MetricUnit.Count, value=1)
        if outcome.result is ForwardResult.RECOVERED:
            metrics.add_metric(name="RecoveredTicket", unit=MetricUnit.Count, value=1)
        elif outcome.result is ForwardResult.WITHDRAWN:
            metrics.add_metric(name="TicketWithdrawn", unit=MetricUnit.Count, value=1)
        elif outcome.result in SKIPPED:
            metrics.add_metric(name="Skipped", unit=MetricUnit.Count, value=1)
        logger.info(
            "inquiry handled", extra={**log, "result": str(outcome.result), "ticket_id": outcome.ticket_id}
        )

    def _defer(
        self, message: QueuedMessage, inquiry_id: str, deferred: ForwardDeferred, log: dict[str, Any]
    ) -> None:
        metrics.add_metric(name="Retried", unit=MetricUnit.Count, value=1)
        logger.info(
            "inquiry deferred",
            extra={**log, "reason": deferred.reason, "delay_seconds": deferred.delay_seconds},
        )
        if deferred.reason == "rate_limited":
            self._requeue_throttled(message, inquiry_id, deferred.delay_seconds)
            return
        self._hand_back(message, deferred.delay_seconds)
        raise MessageRetry(deferred.reason)

    def _requeue_throttled(self, message: QueuedMessage, inquiry_id: str, delay_seconds: int) -> None:
        """A fresh message with the delay; the original is deleted when this returns (see the class)."""
        try:
            self._queue.send(inquiry_id, delay_seconds=min(MAX_QUEUE_DELAY_SECONDS, max(0, delay_seconds)))
        except EnqueueFailed:
            self._hand_back(message, delay_seconds)
            raise MessageRetry("rate_limited") from None

    def _hand_back(self, message: QueuedMessage, delay_seconds: int) -> None:
        # when this fails the message comes back after the queue's own visibility timeout instead
        with contextlib.suppress(EnqueueFailed):
            self._queue.change_visibility(
                message.receipt_handle, min(MAX_VISIBILITY_SECONDS, max(0, delay_seconds))
            )

    def _dead_letter(
        self, message: QueuedMessage, reason: str, reason_class: str, log: dict[str, Any]
    ) -> None:
        try:
            self._dead_letters.send(message.body, reason=reason)
        except EnqueueFailed:
            raise MessageRetry("dead-letter queue unavailable") from None
        count_by("DeadLettered", "reason", reason_class)
        logger.warning("inquiry dead-lettered", extra={**log, "reason": reason})

    _retry = Retry(metric="Retried", message="inquiry will be retried")
