"""What every right's work shares: the collaborators, the audit vocabulary, the outcomes, the completion
(mail, then completed) and the small steps (the person's live inquiries, an audit entry)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final, Protocol

from contact_intake.core.observability import MetricUnit, count_by, metrics
from contact_intake.helpdesk.port import Helpdesk
from contact_intake.intake.accounts import CustomerCheck
from contact_intake.intake.models import InquiryRecord
from contact_intake.intake.queue import InquiryQueue
from contact_intake.intake.store import InquiryStore
from contact_intake.retention.erasure import Eraser
from contact_intake.rights.models import SYSTEM_ACTOR, AuditAction, AuditEntry, RequestStatus, RightsRequest
from contact_intake.rights.outbound import Attachment, ContextValue, Mailer
from contact_intake.rights.raw_mail import RawMailStore
from contact_intake.rights.store import RightsRequestStore, attr
from contact_intake.rights.templates import MailTemplate

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


# ---------------------------------------------------------------- outcomes


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


def done(request: RightsRequest, action: str) -> bool:
    return any(entry.action == action for entry in request.audit)


# ---------------------------------------------------------------- the shared steps


@dataclass
class Worker:
    """The collaborators of every right's work, and the steps they share. Built by the worker's wiring and
    handed to RightsEngine."""

    requests: RightsRequestStore
    inquiries: InquiryStore
    eraser: Eraser
    helpdesk: Helpdesk
    raw_mail: RawMailStore
    mailer: Mailer
    inquiry_queue: InquiryQueue
    customers: CustomerCheck
    pepper: Callable[[], bytes]
    recordings: RecordingsHook = field(default_factory=NoRecordings)
    delete_helpdesk_contacts: bool = False
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def finish(self, request: RightsRequest) -> WorkOutcome:
        """The completion mail, then the request completed."""
        self.mail(request, MailTemplate.COMPLETION)
        return self.complete(request, self.entry(AuditAction.NOTIFIED, completion=1), notified=True)

    def complete(self, request: RightsRequest, entry: AuditEntry, *, notified: bool) -> WorkOutcome:
        now = self.clock()
        self.requests.update(
            request.request_id,
            expect=(RequestStatus.IN_PROGRESS,),
            set_fields={"status": attr(str(RequestStatus.COMPLETED)), "completed_at": attr(now)},
            audit=(entry, self.entry(AuditAction.COMPLETED)),
        )
        metrics.add_metric(name="RightsRequestCompleted", unit=MetricUnit.Count, value=1)
        count_by("RightsRequestCompletedByRight", "right", str(request.type))
        return WorkOutcome(request.request_id, WorkResult.COMPLETED, counts={"notified": int(notified)})

    def mail(
        self, request: RightsRequest, template: MailTemplate, attachments: Sequence[Attachment] = ()
    ) -> None:
        """Mail the verified address stored on the request (never anything a message or a mail says)."""
        context: dict[str, ContextValue] = {
            "reference": request.request_id,
            "right": request.type,
            "received_date": request.received_at,
            "completed_date": self.clock(),
        }
        self.mailer.send(request.email, template, request.locale, context, attachments)

    def live_inquiries(self, key: str) -> list[InquiryRecord]:
        records = (self.inquiries.get(inquiry_id) for inquiry_id in list(self.inquiries.keys_by_subject(key)))
        return [record for record in records if record is not None and record.subject_key == key]

    def entry(self, action: str, **counts: int) -> AuditEntry:
        return AuditEntry(self.clock(), SYSTEM_ACTOR, str(action), counts)
