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

One handler per right:

- access, portability: one JSON document (contact_intake.rights.export) mailed as an attachment, then the
  completion mail;
- erasure (and an upheld objection, ``erase``): the shared Eraser over every inquiry (their tickets with
  them), the person's other helpdesk tickets, the helpdesk contact (``HELPDESK_DELETE_CONTACTS``), the raw
  mails of their rights requests, their call recordings; then the completion mail. The requests themselves
  stay (the record of how a request was handled, Art. 5(2)); their raw mails go;
- restriction: ``restricted`` on every inquiry (the forwarder sends none of them, and their ``expires_at``
  goes: neither TTL nor the sweeper erases them while restricted, D68) and a tag on their helpdesk tickets
  (Art. 19). The DPO lifts it (``lift_restriction``): the flags and tags go, the 12-month deadline applies
  again (from received_at; one already past is due at once, for the next sweep), held inquiries are sent
  on, handled ones a prospect asked are erased (as their resolution would have done);
- objection: restricted at once, then the DPO decides: upheld, ``erase``; not upheld (the grounds were
  recorded and mailed by the DPO's route), ``lift_restriction``, which completes it;
- rectification: the DPO's corrections (name, e-mail address, customer number: what a person gave us; the
  subject and text of a question are a record of what was asked, not a fact about them) at the helpdesk's
  contact first (Art. 19), then on every inquiry; a corrected address carries its new subject key, and
  every customer number must verify against the accounts mirror with the corrected address, or nothing is
  applied and the request waits for the DPO;
- consent withdrawal: the recordings hook withdraws the consent and deletes the audio; audited.

Each step is idempotent and recorded in the request's audit trail when done (counts, never data), and a
request is completed only after its last step and its mail: a fault (the helpdesk or SES down, a storage
error) fails the message, SQS delivers it again, and the retry carries on from what is recorded. A lease on
the request (``worker_lease_until``, a conditional write) keeps two deliveries of one request from running
at once.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Final, NoReturn, Protocol

from aws_lambda_powertools.metrics import single_metric

from contact_intake.core.errors import ContactIntakeError
from contact_intake.core.observability import MetricUnit, log_unexpected, logger, metrics
from contact_intake.core.retention import LawfulBasis, expires_at_epoch
from contact_intake.core.subject import subject_key
from contact_intake.helpdesk.port import Helpdesk, HelpdeskError
from contact_intake.intake.forwarder import MessageRetry, QueuedMessage
from contact_intake.intake.models import InquiryRecord, InquiryStatus
from contact_intake.intake.queue import DeadLetterQueue, EnqueueFailed, InquiryQueue
from contact_intake.intake.store import InquiryStore
from contact_intake.retention.erasure import Eraser, ErasureReason
from contact_intake.rights.errors import RequestNotFound, TransitionRefused
from contact_intake.rights.export import ExportContents, build_export, export_attachment, helpdesk_part
from contact_intake.rights.models import (
    SYSTEM_ACTOR,
    AuditAction,
    AuditEntry,
    QueueAction,
    RequestStatus,
    RightsRequest,
    RightType,
)
from contact_intake.rights.outbound import Attachment, ContextValue, Mailer, MailFailed
from contact_intake.rights.queue import MalformedMessage, RightsMessage, parse_message
from contact_intake.rights.raw_mail import RawMailStore
from contact_intake.rights.store import RightsRequestStore, attr
from contact_intake.rights.templates import MailTemplate

LEASE: Final = "worker_lease_until"
ACTIVE: Final = (RequestStatus.VERIFIED, RequestStatus.IN_PROGRESS)


class WorkerAction(StrEnum):
    """The worker's audit actions (AuditAction's vocabulary is the rights core's)."""

    RESUMED = "resumed"  # a delivery carried on with a request a failed one had started
    EXPORTED = "exported"
    # the export left parts of the helpdesk's copy out (Art. 15(4)): counts and conversation ids, for the DPO
    WITHHELD_FOR_REVIEW = "withheld_for_review"
    ERASED = "erased"
    RESTRICTED = "restricted"
    RESTRICTION_CLEARED = "restriction_cleared"
    RECTIFIED = "rectified"
    RECTIFICATION_NEEDS_DPO = "rectification_needs_dpo"
    CONSENT_WITHDRAWN = "consent_withdrawn"


# ---------------------------------------------------------------- ports


class RecordingsHook(Protocol):
    """What the worker needs of the call-recordings ledger (its own module, issue 7)."""

    def list_recordings(self, subject_key: str) -> Sequence[Mapping[str, Any]]: ...

    def erase_recordings(self, subject_key: str) -> int: ...

    def withdraw_consent(self, subject_key: str) -> int: ...


class NoRecordings:
    """The hook until the recordings ledger exists: no recording is kept, so there is none to list or
    delete."""

    def list_recordings(self, subject_key: str) -> Sequence[Mapping[str, Any]]:
        return ()

    def erase_recordings(self, subject_key: str) -> int:
        return 0

    def withdraw_consent(self, subject_key: str) -> int:
        return 0


class CustomerCheck(Protocol):
    """The accounts mirror's check (contact_intake.intake.accounts.AccountVerifier)."""

    def is_verified(self, customer_number: str, subject: str) -> bool: ...


# ---------------------------------------------------------------- outcomes and errors


class WorkResult(StrEnum):
    COMPLETED = "completed"  # carried out, the person told, the request completed
    AWAITING_DPO = "awaiting_dpo"  # nothing (more) to do until the DPO acts
    RESTRICTION_CLEARED = "restriction_cleared"  # a lifted restriction's flags are gone
    SKIPPED = "skipped"  # absent, already done, or another message does the work
    REFUSED = "refused"  # not verified, or not what this message may do: nothing was touched


@dataclass(frozen=True)
class WorkOutcome:
    request_id: str
    result: WorkResult
    reason: str = ""
    counts: Mapping[str, int] = field(default_factory=dict)


class RequestBusy(Exception):
    """Another delivery holds the request's lease, or it changed between the read and the claim: later."""


class SubjectMismatch(Exception):
    """The request's subject key is not its address's: acting on it could hand one person's data to another.
    Never retried: the message goes to RightsDLQ for a person to look at."""


@dataclass(frozen=True)
class _Rectification:
    records: Sequence[InquiryRecord]
    name: str | None
    email: str | None
    key: str | None  # the corrected address's subject key
    customer_number: str | None


# ---------------------------------------------------------------- the engine


class RightsEngine:
    """Carries out one RightsQueue message (see the module docstring). Collaborators are injected
    (contact_intake.rights.worker_wiring)."""

    def __init__(
        self,
        *,
        requests: RightsRequestStore,
        inquiries: InquiryStore,
        eraser: Eraser,
        helpdesk: Helpdesk,
        raw_mail: RawMailStore,
        mailer: Mailer,
        inquiry_queue: InquiryQueue,
        customers: CustomerCheck,
        pepper: Callable[[], bytes],
        recordings: RecordingsHook | None = None,
        delete_helpdesk_contacts: bool = False,
        lease: timedelta = timedelta(minutes=6),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._requests = requests
        self._inquiries = inquiries
        self._eraser = eraser
        self._helpdesk = helpdesk
        self._raw_mail = raw_mail
        self._mailer = mailer
        self._inquiry_queue = inquiry_queue
        self._customers = customers
        self._pepper = pepper
        self._recordings: RecordingsHook = recordings or NoRecordings()
        self._delete_contacts = delete_helpdesk_contacts
        self._lease = lease
        self._clock = clock

    def run(self, message: RightsMessage) -> WorkOutcome:
        """Carry out ``message``. Raises RequestBusy (try later), SubjectMismatch (never retry), and the
        faults of the collaborators (HelpdeskError, MailFailed, ServiceUnavailable, EnqueueFailed): the
        request is then left as recorded so far, never completed."""
        request = self._requests.get(message.request_id)
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
        expected = subject_key(request.email, self._pepper())
        if not hmac.compare_digest(expected, request.subject_key):
            raise SubjectMismatch(request.request_id)

    def _work_for(
        self, request: RightsRequest, action: QueueAction
    ) -> Callable[[RightsRequest], WorkOutcome]:
        if action is QueueAction.ERASE:
            return lambda r: self._erase(r, ErasureReason.OBJECTION_UPHELD)
        if action is QueueAction.LIFT_RESTRICTION:
            return self._lift_restriction
        handlers: dict[RightType, Callable[[RightsRequest], WorkOutcome]] = {
            RightType.ACCESS: self._export,
            RightType.PORTABILITY: self._export,
            RightType.ERASURE: lambda r: self._erase(r, ErasureReason.RIGHTS_REQUEST),
            RightType.RESTRICTION: self._restriction,
            RightType.OBJECTION: self._objection,
            RightType.RECTIFICATION: self._rectification,
            RightType.CONSENT_WITHDRAWAL: self._consent_withdrawal,
        }
        return handlers[request.type]

    def _claim(self, request: RightsRequest, action: QueueAction) -> RightsRequest:
        """Take the lease (and move a verified request to in_progress) in one conditional write."""
        now = self._clock()
        fields = {LEASE: attr(now + self._lease)}
        audit: list[AuditEntry] = []
        if request.status is RequestStatus.VERIFIED:
            fields["status"] = attr(str(RequestStatus.IN_PROGRESS))
            audit.append(self._entry(AuditAction.STARTED))
        elif action is QueueAction.EXECUTE:
            audit.append(self._entry(WorkerAction.RESUMED))
        try:
            return self._requests.update(
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
            self._requests.update(request_id, expect=(), audit=(), remove=(LEASE,))
        except ContactIntakeError as error:  # the lease runs out by itself
            logger.warning(
                "lease not released", extra={"request_id": request_id, "error": type(error).__name__}
            )

    # ---------------------------------------------------------------- access and portability

    def _export(self, request: RightsRequest) -> WorkOutcome:
        if not _done(request, WorkerAction.EXPORTED):
            contents = ExportContents(
                inquiries=self._live_inquiries(request.subject_key),
                helpdesk=self._helpdesk.read_copy(request.email),
                recordings=list(self._recordings.list_recordings(request.subject_key)),
            )
            attachment = export_attachment(
                request, build_export(request, contents, generated_at=self._clock())
            )
            # what the allow-list left out (others' messages, notes, addresses): for the DPO to review
            _, review = helpdesk_part(contents.helpdesk, request.email)
            self._mail(request, MailTemplate.EXPORT, attachments=(attachment,))
            entries = [
                self._entry(
                    WorkerAction.EXPORTED,
                    inquiries=len(contents.inquiries),
                    helpdesk_tickets=len(contents.helpdesk.tickets),
                    helpdesk_conversations=contents.helpdesk.conversation_count,
                    call_recordings=len(contents.recordings),
                    bytes=len(attachment[1]),
                ),
                self._entry(AuditAction.NOTIFIED, export=1),
            ]
            if not review.empty:
                entries.append(self._entry(WorkerAction.WITHHELD_FOR_REVIEW, **review.counts()))
            self._requests.append_audit(request.request_id, *entries)
        return self._finish(request)

    # ---------------------------------------------------------------- erasure

    def _erase(self, request: RightsRequest, reason: ErasureReason) -> WorkOutcome:
        if not _done(request, WorkerAction.ERASED):
            self._erase_everywhere(request, reason)
        return self._finish(request)

    def _erase_everywhere(self, request: RightsRequest, reason: ErasureReason) -> None:
        summary = self._eraser.erase_subject(request.subject_key, reason)
        tickets = self._helpdesk.requester_tickets(request.email)
        for ticket in tickets:  # the person's tickets no inquiry of ours made (e-mail to the helpdesk, ...)
            self._helpdesk.delete_ticket(ticket.id)
        contacts = int(self._delete_contacts and self._helpdesk.delete_requester(request.email))
        raw_mails = self._delete_raw_mails(request)
        recordings = self._recordings.erase_recordings(request.subject_key)
        self._requests.append_audit(
            request.request_id,
            self._entry(
                WorkerAction.ERASED,
                inquiries_erased=summary.erased,
                inquiries_already_absent=summary.already_absent,
                other_helpdesk_tickets_deleted=len(tickets),
                helpdesk_contacts_deleted=contacts,
                raw_mails_deleted=raw_mails,
                call_recordings_erased=recordings,
            ),
        )

    def _delete_raw_mails(self, request: RightsRequest) -> int:
        """Delete the raw mail of every rights request of the person (this one's included); the requests
        themselves stay."""
        keys = {request.raw_mail_key} if request.raw_mail_key else set()
        for request_id in list(self._requests.keys_by_subject(request.subject_key)):
            other = self._requests.get(request_id)
            if other is not None and other.raw_mail_key and other.subject_key == request.subject_key:
                keys.add(other.raw_mail_key)
        for key in sorted(keys):
            self._raw_mail.delete(key)
        return len(keys)

    # ---------------------------------------------------------------- restriction and objection

    def _restriction(self, request: RightsRequest) -> WorkOutcome:
        if not _done(request, WorkerAction.RESTRICTED):
            self._restrict(request)
        return self._finish(request)

    def _objection(self, request: RightsRequest) -> WorkOutcome:
        if not _done(request, WorkerAction.RESTRICTED):
            self._restrict(request)
        logger.info("objection restricted, awaiting the DPO", extra={"request_id": request.request_id})
        return WorkOutcome(request.request_id, WorkResult.AWAITING_DPO, "objection_awaits_decision")

    def _restrict(self, request: RightsRequest) -> None:
        inquiries = sum(
            self._inquiries.set_restricted(inquiry_id, True)
            for inquiry_id in list(self._inquiries.keys_by_subject(request.subject_key))
        )
        tagged = self._tag_tickets(request.email, restricted=True)
        self._requests.append_audit(
            request.request_id,
            self._entry(WorkerAction.RESTRICTED, inquiries=inquiries, helpdesk_tickets=tagged),
        )

    def _lift_restriction(self, request: RightsRequest) -> WorkOutcome:
        counts = self._lift(request)
        entry = self._entry(WorkerAction.RESTRICTION_CLEARED, **counts)
        if request.type is RightType.OBJECTION:  # not upheld: the DPO's route told the person the grounds
            return self._complete(request, entry, notified=False)
        self._requests.append_audit(request.request_id, entry)
        return WorkOutcome(request.request_id, WorkResult.RESTRICTION_CLEARED, counts=counts)

    def _lift(self, request: RightsRequest) -> dict[str, int]:
        if self._restriction_still_required(request):
            logger.info("restriction kept for another request", extra={"request_id": request.request_id})
            return {"kept_for_other_requests": 1}
        released = sent_on = erased = 0
        now = math.floor(self._clock().timestamp())
        for inquiry_id in list(self._inquiries.keys_by_subject(request.subject_key)):
            record = self._inquiries.get(inquiry_id)
            if record is None:
                continue
            # the restriction held the deletion (D68): the normal deadline applies again, computed from
            # received_at; one already past is due now, so the next sweep erases it
            deadline = expires_at_epoch(record.received_at, record.lawful_basis)
            if not self._inquiries.set_restricted(
                inquiry_id, False, expires_at=None if deadline is None else max(deadline, now)
            ):
                continue
            released += 1
            if record.status is InquiryStatus.RECEIVED:  # held back by the restriction: forward it now
                self._inquiry_queue.send(inquiry_id)
                sent_on += 1
            elif (
                record.status is InquiryStatus.RESOLVED
                and record.lawful_basis is LawfulBasis.LEGITIMATE_INTERESTS
            ):
                # a prospect's question handled while restricted: erased now, as its resolution would have
                self._eraser.erase_inquiry(inquiry_id, ErasureReason.RESOLVED)
                erased += 1
        untagged = self._tag_tickets(request.email, restricted=False)
        return {
            "inquiries": released,
            "forwarded": sent_on,
            "erased_as_handled": erased,
            "helpdesk_tickets": untagged,
        }

    def _restriction_still_required(self, request: RightsRequest) -> bool:
        """Whether another of the person's requests still needs their data restricted."""
        for request_id in list(self._requests.keys_by_subject(request.subject_key)):
            if request_id == request.request_id:
                continue
            other = self._requests.get(request_id)
            if other is None or other.subject_key != request.subject_key:
                continue
            if other.type is RightType.RESTRICTION and (
                other.status in ACTIVE
                or (other.status is RequestStatus.COMPLETED and other.restriction_lifted_at is None)
            ):
                return True
            if (
                other.type is RightType.OBJECTION
                and other.status in ACTIVE
                and other.objection_upheld is not False
            ):
                return True
        return False

    def _tag_tickets(self, email: str, *, restricted: bool) -> int:
        """Mark the person's tickets restricted, or lift the mark; the count of tickets changed."""
        return sum(
            self._helpdesk.set_restricted(ticket.id, restricted)
            for ticket in self._helpdesk.requester_tickets(email)
        )

    # ---------------------------------------------------------------- rectification

    def _rectification(self, request: RightsRequest) -> WorkOutcome:
        if _done(request, WorkerAction.RECTIFIED):
            return self._finish(request)
        plan = self._plan_rectification(request)
        if plan is None:
            self._requests.append_audit(
                request.request_id, self._entry(WorkerAction.RECTIFICATION_NEEDS_DPO, customer_number=1)
            )
            logger.warning("rectification needs the DPO", extra={"request_id": request.request_id})
            return WorkOutcome(request.request_id, WorkResult.AWAITING_DPO, "customer_number_not_verified")
        contacts = self._rectify_helpdesk(request)
        for record in plan.records:
            # the link first: a correction of the address moves the inquiry out of this subject's index
            if plan.customer_number is not None:
                self._inquiries.link_customer(record.inquiry_id, plan.customer_number)
            if plan.name is not None or plan.email is not None:
                self._inquiries.correct_contact(
                    record.inquiry_id, name=plan.name, email=plan.email, key=plan.key
                )
        self._requests.append_audit(
            request.request_id,
            self._entry(
                WorkerAction.RECTIFIED,
                inquiries=len(plan.records),
                helpdesk_contacts=contacts,
                fields=len(request.corrections),
            ),
        )
        return self._finish(request)

    def _plan_rectification(self, request: RightsRequest) -> _Rectification | None:
        """The corrections to make, or None when a customer number would not verify with the (corrected)
        address: the contract of InquiriesTable is that a customer number is stored only when it does."""
        corrections = request.corrections
        email = corrections.get("email")
        key = subject_key(email, self._pepper()) if email is not None else None
        number = corrections.get("customer_number")
        records = self._live_inquiries(request.subject_key)
        if number is not None:
            to_verify = {number}
        elif key is not None:
            to_verify = {r.customer_number for r in records if r.customer_number}
        else:
            to_verify = set()
        for customer_number in sorted(to_verify):
            if not self._customers.is_verified(customer_number, key or request.subject_key):
                return None
        return _Rectification(records, corrections.get("name"), email, key, number)

    def _rectify_helpdesk(self, request: RightsRequest) -> int:
        """The helpdesk's contact corrected (1), or none there (0: none, or corrected already by an
        earlier delivery)."""
        corrections = request.corrections
        return int(
            self._helpdesk.update_requester(
                request.email, name=corrections.get("name"), new_email=corrections.get("email")
            )
        )

    # ---------------------------------------------------------------- consent withdrawal

    def _consent_withdrawal(self, request: RightsRequest) -> WorkOutcome:
        if not _done(request, WorkerAction.CONSENT_WITHDRAWN):
            withdrawn = self._recordings.withdraw_consent(request.subject_key)
            self._requests.append_audit(
                request.request_id, self._entry(WorkerAction.CONSENT_WITHDRAWN, call_recordings=withdrawn)
            )
        return self._finish(request)

    # ---------------------------------------------------------------- completion

    def _finish(self, request: RightsRequest) -> WorkOutcome:
        """The completion mail, then the request completed."""
        self._mail(request, MailTemplate.COMPLETION)
        return self._complete(request, self._entry(AuditAction.NOTIFIED, completion=1), notified=True)

    def _complete(self, request: RightsRequest, entry: AuditEntry, *, notified: bool) -> WorkOutcome:
        now = self._clock()
        self._requests.update(
            request.request_id,
            expect=(RequestStatus.IN_PROGRESS,),
            set_fields={"status": attr(str(RequestStatus.COMPLETED)), "completed_at": attr(now)},
            audit=(entry, self._entry(AuditAction.COMPLETED)),
        )
        metrics.add_metric(name="RightsRequestCompleted", unit=MetricUnit.Count, value=1)
        with single_metric(
            name="RightsRequestCompletedByRight",
            unit=MetricUnit.Count,
            value=1,
            namespace=metrics.namespace,
            default_dimensions=metrics.default_dimensions,
        ) as metric:
            metric.add_dimension(name="right", value=str(request.type))
        return WorkOutcome(request.request_id, WorkResult.COMPLETED, counts={"notified": int(notified)})

    def _mail(
        self, request: RightsRequest, template: MailTemplate, attachments: Sequence[Attachment] = ()
    ) -> None:
        """Mail the verified address stored on the request (never anything a message or a mail says)."""
        context: dict[str, ContextValue] = {
            "reference": request.request_id,
            "right": request.type,
            "received_date": request.received_at,
            "completed_date": self._clock(),
        }
        self._mailer.send(request.email, template, request.locale, context, attachments)

    # ---------------------------------------------------------------- helpers

    def _live_inquiries(self, key: str) -> list[InquiryRecord]:
        records = (
            self._inquiries.get(inquiry_id) for inquiry_id in list(self._inquiries.keys_by_subject(key))
        )
        return [record for record in records if record is not None and record.subject_key == key]

    def _entry(self, action: str, **counts: int) -> AuditEntry:
        return AuditEntry(self._clock(), SYSTEM_ACTOR, str(action), counts)


def _done(request: RightsRequest, action: str) -> bool:
    return any(entry.action == action for entry in request.audit)


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
    if request.type is RightType.RECTIFICATION and _done(request, WorkerAction.RECTIFICATION_NEEDS_DPO):
        return WorkResult.AWAITING_DPO, "customer_number_not_verified"
    if request.type is not RightType.OBJECTION:
        return None
    if request.objection_upheld is not None:
        return WorkResult.SKIPPED, "objection_decided"  # the decision's own message does the work
    if _done(request, WorkerAction.RESTRICTED):
        return WorkResult.AWAITING_DPO, "objection_awaits_decision"
    return None


def _lift_not_runnable(request: RightsRequest) -> tuple[WorkResult, str] | None:
    if request.type is RightType.RESTRICTION:
        if request.status is not RequestStatus.COMPLETED or request.restriction_lifted_at is None:
            return WorkResult.REFUSED, "restriction_not_lifted"
        if _done(request, WorkerAction.RESTRICTION_CLEARED):
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

    @staticmethod
    def _retry(reason: str, log: Mapping[str, Any]) -> NoReturn:
        metrics.add_metric(name="RightsWorkRetried", unit=MetricUnit.Count, value=1)
        logger.warning("rights work will be retried", extra={**log, "reason": reason})
        raise MessageRetry(reason)
