"""RightsWorkerFunction's engine: carries out a verified rights request, for its own subject only
(docs/architecture.md §7).

A RightsQueue message is a claim check (contact_intake.rights.queue). The engine reads the request when it
runs and acts only when:

- the request exists (live) and its right is known: ``unclassified`` waits for the DPO, as does a
  rectification without corrections;
- it was verified, by mailbox control or by the DPO (``verified`` or ``in_progress``): an
  ``awaiting_verification`` request is refused whatever a message says, so a forged ``From:`` gets nothing;
- its ``subject_key`` is the HMAC of its stored, verified address: the data of that key goes to that address
  and nowhere else.

One module per right (contact_intake.rights.work), dispatched here by the request's right and the
message's action: ``access`` (access and portability: the JSON export), ``erasure`` (erasure, and an upheld
objection's ``erase``), ``restriction`` (restriction, objection, and lifting either), ``rectification``,
``consent`` (consent withdrawal); their shared steps (completion, mail, audit) are ``work.base``'s.

Each step is idempotent and recorded in the request's audit trail when done (counts, never data), and a
request is completed only after its last step and its mail: a fault (the helpdesk or SES down, a storage
error) fails the message, SQS delivers it again, and the retry carries on from what is recorded. A lease on
the request (``worker_lease_until``, a conditional write) keeps two deliveries of one request from running
at once.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Final

from contact_intake.core.errors import ContactIntakeError, MalformedMessage
from contact_intake.core.messages import MessageRetry, QueuedMessage, Retry
from contact_intake.core.observability import MetricUnit, log_unexpected, logger, metrics
from contact_intake.core.subject import subject_key
from contact_intake.helpdesk.port import HelpdeskError
from contact_intake.intake.accounts import CustomerCheck
from contact_intake.intake.queue import DeadLetterQueue, EnqueueFailed
from contact_intake.retention.erasure import ErasureReason
from contact_intake.rights.errors import RequestNotFound, TransitionRefused
from contact_intake.rights.models import (
    AuditAction,
    AuditEntry,
    QueueAction,
    RequestStatus,
    RightsRequest,
    RightType,
)
from contact_intake.rights.outbound import MailFailed
from contact_intake.rights.queue import RightsMessage, parse_message
from contact_intake.rights.store import attr
from contact_intake.rights.work import access, consent, erasure, rectification, restriction
from contact_intake.rights.work.base import (
    ACTIVE,
    NoRecordings,
    RecordingsHook,
    Worker,
    WorkerAction,
    WorkOutcome,
    WorkResult,
    done,
)

__all__ = [
    "LEASE",
    "CustomerCheck",
    "NoRecordings",
    "RecordingsHook",
    "RequestBusy",
    "RightsEngine",
    "RightsWork",
    "SubjectMismatch",
    "WorkOutcome",
    "WorkResult",
    "Worker",
    "WorkerAction",
]

LEASE: Final = "worker_lease_until"


class RequestBusy(Exception):
    """Another delivery holds the request's lease, or it changed between the read and the claim: later."""


class SubjectMismatch(Exception):
    """The request's subject key is not its address's: acting on it could hand one person's data to another.
    Never retried: the message goes to RightsDLQ for a person to look at."""


# ---------------------------------------------------------------- the engine


class RightsEngine:
    """Carries out one RightsQueue message (see the module docstring). The collaborators come in the
    ``Worker`` every right's work is given (built by contact_intake.rights.worker_wiring)."""

    def __init__(self, worker: Worker, *, lease: timedelta = timedelta(minutes=6)) -> None:
        self._worker = worker
        self._lease = lease

    def run(self, message: RightsMessage) -> WorkOutcome:
        """Carry out ``message``. Raises RequestBusy (try later), SubjectMismatch (never retry), and the
        faults of the collaborators (HelpdeskError, MailFailed, ServiceUnavailable, EnqueueFailed): the
        request is then left as recorded so far, never completed."""
        request = self._worker.requests.get(message.request_id)
        if request is None:
            return WorkOutcome(message.request_id, WorkResult.SKIPPED, "absent")
        not_now = _not_runnable(request, message.action)
        if not_now is not None:
            return WorkOutcome(request.request_id, *not_now)
        self._check_subject(request)
        work = self._work_for(request, message.action)
        claimed = self._claim(request, message.action)
        try:
            return work(claimed)
        finally:
            self._release(claimed.request_id)

    # ---------------------------------------------------------------- guards and the lease

    def _check_subject(self, request: RightsRequest) -> None:
        expected = subject_key(request.email, self._worker.pepper())
        if not hmac.compare_digest(expected, request.subject_key):
            raise SubjectMismatch(request.request_id)

    def _work_for(
        self, request: RightsRequest, action: QueueAction
    ) -> Callable[[RightsRequest], WorkOutcome]:
        worker = self._worker
        if action is QueueAction.ERASE:
            return lambda r: erasure.erase(worker, r, ErasureReason.OBJECTION_UPHELD)
        if action is QueueAction.LIFT_RESTRICTION:
            return lambda r: restriction.lift_restriction(worker, r)
        handlers: dict[RightType, Callable[[Worker, RightsRequest], WorkOutcome]] = {
            RightType.ACCESS: access.export,
            RightType.PORTABILITY: access.export,
            RightType.ERASURE: lambda w, r: erasure.erase(w, r, ErasureReason.RIGHTS_REQUEST),
            RightType.RESTRICTION: restriction.restriction,
            RightType.OBJECTION: restriction.objection,
            RightType.RECTIFICATION: rectification.rectify,
            RightType.CONSENT_WITHDRAWAL: consent.withdraw_consent,
        }
        handler = handlers[request.type]
        return lambda r: handler(worker, r)

    def _claim(self, request: RightsRequest, action: QueueAction) -> RightsRequest:
        """Take the lease (and move a verified request to in_progress) in one conditional write."""
        now = self._worker.clock()
        fields = {LEASE: attr(now + self._lease)}
        audit: list[AuditEntry] = []
        if request.status is RequestStatus.VERIFIED:
            fields["status"] = attr(str(RequestStatus.IN_PROGRESS))
            audit.append(self._worker.entry(AuditAction.STARTED))
        elif action is QueueAction.EXECUTE:
            audit.append(self._worker.entry(WorkerAction.RESUMED))
        try:
            return self._worker.requests.update(
                request.request_id,
                expect=(request.status,),
                set_fields=fields,
                audit=audit,
                condition=f"attribute_not_exists({LEASE}) OR {LEASE} < :lease_now",
                values={":lease_now": attr(now)},
            )
        except (TransitionRefused, RequestNotFound):
            raise RequestBusy(request.request_id) from None

    def _release(self, request_id: str) -> None:
        try:
            self._worker.requests.update(request_id, expect=(), audit=(), remove=(LEASE,))
        except ContactIntakeError as error:  # the lease runs out by itself
            logger.warning(
                "lease not released", extra={"request_id": request_id, "error": type(error).__name__}
            )


def _not_runnable(request: RightsRequest, action: QueueAction) -> tuple[WorkResult, str] | None:
    """Why ``action`` is not carried out for ``request`` now (result, reason), or None: go ahead."""
    if request.status in {RequestStatus.AWAITING_VERIFICATION, RequestStatus.EXPIRED}:
        return WorkResult.REFUSED, "not_verified"  # expired: the link ran out unconfirmed
    if request.status is RequestStatus.REJECTED:
        return WorkResult.SKIPPED, "rejected"
    if action is QueueAction.LIFT_RESTRICTION:
        return _lift_not_runnable(request)
    if request.status is RequestStatus.COMPLETED:
        return WorkResult.SKIPPED, "completed"
    if action is QueueAction.ERASE:
        upheld = request.type is RightType.OBJECTION and request.objection_upheld is True
        return None if upheld else (WorkResult.REFUSED, "not_an_upheld_objection")
    return _execute_not_runnable(request)


def _execute_not_runnable(request: RightsRequest) -> tuple[WorkResult, str] | None:
    if request.type is RightType.UNCLASSIFIED or not request.executable:
        return WorkResult.AWAITING_DPO, f"needs_dpo_{request.type}"
    if request.type is RightType.RECTIFICATION and done(request, WorkerAction.RECTIFICATION_NEEDS_DPO):
        return WorkResult.AWAITING_DPO, "customer_number_not_verified"
    if request.type is not RightType.OBJECTION:
        return None
    if request.objection_upheld is not None:
        return WorkResult.SKIPPED, "objection_decided"  # the decision's own message does the work
    if done(request, WorkerAction.RESTRICTED):
        return WorkResult.AWAITING_DPO, "objection_awaits_decision"
    return None


def _lift_not_runnable(request: RightsRequest) -> tuple[WorkResult, str] | None:
    if request.type is RightType.RESTRICTION:
        if request.status is not RequestStatus.COMPLETED or request.restriction_lifted_at is None:
            return WorkResult.REFUSED, "restriction_not_lifted"
        if done(request, WorkerAction.RESTRICTION_CLEARED):
            return WorkResult.SKIPPED, "restriction_cleared"
        return None
    if request.type is RightType.OBJECTION and request.objection_upheld is False:
        return None if request.status in ACTIVE else (WorkResult.SKIPPED, str(request.status))
    return WorkResult.REFUSED, "nothing_to_lift"


# ---------------------------------------------------------------- messages


class RightsWork:
    """One RightsQueue message's disposition: done (SQS deletes it), handed back (``MessageRetry``: reported
    in batchItemFailures, delivered again after the visibility timeout, to RightsDLQ after the redrive
    policy's receives), or dead-lettered at once (a message that can never succeed)."""

    def __init__(self, *, engine: RightsEngine, dead_letters: DeadLetterQueue) -> None:
        self._engine = engine
        self._dead_letters = dead_letters

    def handle(self, message: QueuedMessage) -> WorkOutcome | None:
        """Process one message. Returns when SQS may delete it; raises MessageRetry otherwise."""
        log: dict[str, Any] = {"message_id": message.message_id, "receive_count": message.receive_count}
        try:
            parsed = parse_message(message.body)
        except MalformedMessage as malformed:
            self._dead_letter(message, f"malformed:{malformed}", log)
            return None
        log |= {"request_id": parsed.request_id, "action": str(parsed.action)}
        try:
            outcome = self._engine.run(parsed)
        except SubjectMismatch:
            logger.error("request's subject key is not its address's", extra=log)
            self._dead_letter(message, "subject_mismatch", log)
            return None
        except RequestBusy:
            self._retry("busy", log)
        except (HelpdeskError, MailFailed, EnqueueFailed) as fault:  # texts: operations, codes
            self._retry(f"{type(fault).__name__}: {fault}", log)
        except ContactIntakeError as fault:
            # storage (ServiceUnavailable), or the request changed under this run (the DPO rejected it
            # meanwhile): the next delivery reads it again. Logged by its public code, never its message
            self._retry(f"{type(fault).__name__}: {fault.code}", log)
        except Exception as exc:  # logged by type only: messages can quote personal data
            log_unexpected(exc, "rights_worker")
            raise MessageRetry("unexpected error") from None
        metrics.add_metric(name=f"RightsWork_{outcome.result}", unit=MetricUnit.Count, value=1)
        level = logger.warning if outcome.result is WorkResult.REFUSED else logger.info
        level(
            "rights work done",
            extra={
                **log,
                "result": str(outcome.result),
                "reason": outcome.reason,
                "counts": dict(outcome.counts),
            },
        )
        return outcome

    def _dead_letter(self, message: QueuedMessage, reason: str, log: Mapping[str, Any]) -> None:
        try:
            self._dead_letters.send(message.body, reason=reason[:256])
        except EnqueueFailed:
            raise MessageRetry("dead-letter queue unavailable") from None
        metrics.add_metric(name="RightsWorkDeadLettered", unit=MetricUnit.Count, value=1)
        logger.error("rights message dead-lettered", extra={**log, "reason": reason})

    _retry = Retry(metric="RightsWorkRetried", message="rights work will be retried")
