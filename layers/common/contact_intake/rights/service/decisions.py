"""The DPO's view and decisions: a request and the list by deadline, an extension, a refusal, the decision
on an objection, lifting a restriction, and what the DPO establishes about a request (its right, a
rectification's corrections). Each notifies the person first, then records, then queues the worker."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from contact_intake.core.errors import FieldError, ValidationFailed
from contact_intake.core.observability import MetricUnit, logger, metrics
from contact_intake.rights import deadlines
from contact_intake.rights.errors import TransitionRefused
from contact_intake.rights.models import (
    OPEN_STATUSES,
    AuditAction,
    AuditEntry,
    QueueAction,
    RequestStatus,
    RightsRequest,
    RightType,
    dpo_actor,
)
from contact_intake.rights.outbound import Months
from contact_intake.rights.service.base import ServiceBase, checked_corrections
from contact_intake.rights.store import RequestSummary, attr
from contact_intake.rights.templates import MailTemplate

OPEN = "open"


@dataclass(frozen=True)
class ListedRequest:
    """A line of the DPO's list: the summary and the whole days left until the deadline that applies."""

    summary: RequestSummary
    days_left: int


class Decisions(ServiceBase):
    """What the DPO sees and decides about a request."""

    def get(self, request_id: str) -> RightsRequest:
        """The request with its audit trail; RequestNotFound (404) when absent or expired."""
        return self._store.require(request_id)

    def list_requests(self, status: str = OPEN) -> list[ListedRequest]:
        """Requests in ``status`` (``open``: awaiting verification, verified, in progress), the earliest
        deadline first, with the whole days left (negative when overdue)."""
        statuses = OPEN_STATUSES if status == OPEN else (RequestStatus(status),)
        now = self._clock()
        summaries = [summary for each in statuses for summary in self._store.list_by_status(each)]
        summaries.sort(key=lambda s: (s.effective_due_at, s.received_at, s.request_id))
        return [ListedRequest(s, deadlines.days_left(s.effective_due_at, now)) for s in summaries]

    def extend(self, request_id: str, *, months: int, reason: str, principal: str) -> RightsRequest:
        """Extend the deadline by ``months`` (1-2) for ``reason``, notifying the person; only inside the first
        month and once. Raises ValidationFailed, TransitionRefused (409), RequestNotFound or
        ServiceUnavailable."""
        now = self._clock()
        request = self._store.require(request_id)
        _require_open(request)
        try:
            new_due = deadlines.extension(
                request.received_at, months, reason, now, already_extended=request.extended_due_at is not None
            )
        except deadlines.ExtensionRefused as refused:
            if refused.reason in {"reason", "months"}:
                raise ValidationFailed(fields=[FieldError(refused.reason, "invalid", str(refused))]) from None
            raise TransitionRefused(refused.reason, str(refused)) from None
        self._notify(
            request,
            MailTemplate.EXTENSION,
            {"months": Months(months), "extended_due_date": new_due, "reason": reason.strip()},
        )
        updated = self._store.update(
            request_id,
            expect=OPEN_STATUSES,
            set_fields={"extended_due_at": attr(new_due), "extension_reason": attr(reason.strip())},
            audit=(
                AuditEntry(
                    now, dpo_actor(principal), AuditAction.EXTENDED, {"months": months, "notified": 1}
                ),
            ),
            condition="attribute_not_exists(extended_due_at)",
        )
        logger.info("rights request extended", extra={"request_id": request_id, "months": months})
        return updated

    def reject(self, request_id: str, *, reasons: Iterable[str], principal: str) -> RightsRequest:
        """Refuse an open request, notifying the person of the reasons and of the right to complain to a
        supervisory authority (Art. 12(4)). Raises ValidationFailed (no reasons), TransitionRefused,
        RequestNotFound, ServiceUnavailable."""
        given = [reason.strip() for reason in reasons if reason.strip()]
        if not given:
            raise ValidationFailed(fields=[FieldError("reasons", "required", "a refusal needs its reasons")])
        now = self._clock()
        request = self._store.require(request_id)
        _require_open(request)
        self._notify(request, MailTemplate.REJECTION, {"reasons": given})
        updated = self._store.update(
            request_id,
            expect=OPEN_STATUSES,
            set_fields={
                "status": attr(str(RequestStatus.REJECTED)),
                "rejection_reasons": attr(given),
                "completed_at": attr(now),
            },
            audit=(
                AuditEntry(
                    now, dpo_actor(principal), AuditAction.REJECTED, {"reasons": len(given), "notified": 1}
                ),
            ),
        )
        metrics.add_metric(name="RightsRequestRejected", unit=MetricUnit.Count, value=1)
        logger.info("rights request rejected", extra={"request_id": request_id, "reasons": len(given)})
        return updated

    def decide_objection(
        self, request_id: str, *, upheld: bool, grounds: str, principal: str
    ) -> RightsRequest:
        """The DPO's decision on an objection (Art. 21). Upheld: the person is told and the subject's data is
        queued for erasure. Not upheld: the compelling grounds (required) are recorded and sent, and the
        restriction that applied meanwhile is queued to be lifted. The worker completes the request.
        Raises ValidationFailed, TransitionRefused, RequestNotFound, ServiceUnavailable."""
        grounds = grounds.strip()
        if not upheld and not grounds:
            raise ValidationFailed(
                fields=[
                    FieldError("grounds", "required", "an objection not upheld needs its compelling grounds")
                ]
            )
        now = self._clock()
        request = self._store.require(request_id)
        if request.type is not RightType.OBJECTION:
            raise TransitionRefused("not_an_objection", "This request is not an objection.")
        if request.objection_upheld is not None:
            raise TransitionRefused("already_decided", "The objection was already decided.")
        if request.status not in {RequestStatus.VERIFIED, RequestStatus.IN_PROGRESS}:
            raise TransitionRefused(f"status_{request.status}", f"The request is {request.status}.")
        actor = dpo_actor(principal)
        fields = {"objection_upheld": attr(upheld)}
        if grounds:
            fields["objection_grounds"] = attr(grounds)
        if upheld:
            self._notify(request, MailTemplate.OBJECTION_UPHELD, {})
            action, follow_up = AuditAction.OBJECTION_UPHELD, QueueAction.ERASE
        else:
            self._notify(request, MailTemplate.OBJECTION_NOT_UPHELD, {"grounds": grounds})
            fields["restriction_lifted_at"] = attr(now)
            action, follow_up = AuditAction.OBJECTION_NOT_UPHELD, QueueAction.LIFT_RESTRICTION
        updated = self._store.update(
            request_id,
            expect=(RequestStatus.VERIFIED, RequestStatus.IN_PROGRESS),
            set_fields=fields,
            audit=(AuditEntry(now, actor, action, {"notified": 1}),),
            condition="attribute_not_exists(objection_upheld)",
        )
        self._queue_or_undo(
            updated,
            follow_up,
            lambda: self._store.update(
                request_id,
                expect=(),
                remove=tuple(fields),
                audit=(AuditEntry(self._clock(), actor, AuditAction.DECISION_UNDONE),),
            ),
        )
        logger.info("objection decided", extra={"request_id": request_id, "upheld": upheld})
        return updated

    def lift_restriction(self, request_id: str, *, principal: str) -> RightsRequest:
        """Lift the restriction a completed restriction request put in place: the person is told first
        (Art. 18(3)), then the worker is asked to clear the ``restricted`` flags
        (``{"request_id", "action": "lift_restriction"}``). An objection's restriction is lifted by
        deciding it (not upheld). Raises TransitionRefused, RequestNotFound, ServiceUnavailable."""
        now = self._clock()
        request = self._store.require(request_id)
        if request.type is not RightType.RESTRICTION:
            raise TransitionRefused(
                "not_a_restriction", "Only a restriction request can be lifted (an objection: decide it)."
            )
        if request.status is not RequestStatus.COMPLETED:
            raise TransitionRefused(f"status_{request.status}", "The restriction is not in place yet.")
        if request.restriction_lifted_at is not None:
            raise TransitionRefused("already_lifted", "The restriction was already lifted.")
        actor = dpo_actor(principal)
        self._notify(request, MailTemplate.RESTRICTION_LIFTED, {})
        updated = self._store.update(
            request_id,
            expect=(RequestStatus.COMPLETED,),
            set_fields={"restriction_lifted_at": attr(now)},
            audit=(AuditEntry(now, actor, AuditAction.RESTRICTION_LIFTED, {"notified": 1}),),
            condition="attribute_not_exists(restriction_lifted_at)",
        )
        self._queue_or_undo(
            updated,
            QueueAction.LIFT_RESTRICTION,
            lambda: self._store.update(
                request_id,
                expect=(),
                remove=("restriction_lifted_at",),
                audit=(AuditEntry(self._clock(), actor, AuditAction.LIFT_UNDONE),),
            ),
        )
        logger.info("restriction lifted", extra={"request_id": request_id})
        return updated

    def amend(
        self,
        request_id: str,
        *,
        principal: str,
        right: str | None = None,
        corrections: Mapping[str, str] | None = None,
    ) -> RightsRequest:
        """What the DPO establishes about a request the worker cannot run alone: the right of an
        ``unclassified`` one, and a rectification's corrections. A verified request that becomes runnable is
        queued. Raises ValidationFailed, TransitionRefused, RequestNotFound, ServiceUnavailable."""
        if right is None and not corrections:
            raise ValidationFailed(fields=[FieldError("type", "required", "give a type or corrections")])
        now = self._clock()
        request = self._store.require(request_id)
        if request.status not in {RequestStatus.AWAITING_VERIFICATION, RequestStatus.VERIFIED}:
            raise TransitionRefused(f"status_{request.status}", f"The request is {request.status}.")
        new_type = request.type
        if right is not None:
            new_type = RightType(right)
            if request.type is not RightType.UNCLASSIFIED:
                raise TransitionRefused(
                    "already_classified", "Only an unclassified request can be given a type."
                )
            if new_type is RightType.UNCLASSIFIED:
                raise ValidationFailed(fields=[FieldError("type", "invalid", "choose the right asked for")])
        checked = checked_corrections(new_type, corrections) if corrections else request.corrections
        fields = {"type": attr(str(new_type))}
        if checked:
            fields["corrections"] = attr(checked)
        updated = self._store.update(
            request_id,
            expect=(RequestStatus.AWAITING_VERIFICATION, RequestStatus.VERIFIED),
            set_fields=fields,
            audit=(
                AuditEntry(now, dpo_actor(principal), AuditAction.AMENDED, {"corrections": len(checked)}),
            ),
            condition="#type = :old_type",
            values={":old_type": attr(str(request.type))},
            names={"#type": "type"},
        )
        if updated.status is RequestStatus.VERIFIED and updated.executable and not request.executable:
            # it could not run before: it was unclassified, or a rectification without corrections
            self._queue_or_undo(
                updated,
                QueueAction.EXECUTE,
                lambda: self._store.update(
                    request_id,
                    expect=(),
                    set_fields={"type": attr(str(request.type))},
                    remove=("corrections",),
                    audit=(AuditEntry(self._clock(), dpo_actor(principal), AuditAction.AMENDMENT_UNDONE),),
                ),
            )
        logger.info("rights request amended", extra={"request_id": request_id, "type": str(new_type)})
        return updated


def _require_open(request: RightsRequest) -> None:
    if not request.is_open:
        raise TransitionRefused(f"status_{request.status}", f"The request is {request.status}: it is closed.")
