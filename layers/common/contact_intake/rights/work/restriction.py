"""Restriction (Art. 18) and objection (Art. 21), and lifting either.

- restriction: ``restricted`` on every inquiry (the forwarder sends none of them, and their ``expires_at``
  goes: neither TTL nor the sweeper erases them while restricted, D68) and the restriction mark on their
  helpdesk tickets (Art. 19). The DPO lifts it (``lift_restriction``): the flags and marks go, the 12-month
  deadline applies again (from received_at; one already past is due at once, for the next sweep), held
  inquiries are sent on, handled ones a prospect asked are erased (as their resolution would have done);
- objection: restricted at once, then the DPO decides: upheld, ``erase`` (rights.work.erasure); not upheld
  (the grounds were recorded and mailed by the DPO's route), ``lift_restriction``, which completes it.
"""

from __future__ import annotations

import math

from contact_intake.core.observability import logger
from contact_intake.core.retention import LawfulBasis, expires_at_epoch
from contact_intake.intake.models import InquiryStatus
from contact_intake.retention.erasure import ErasureReason
from contact_intake.rights.models import RequestStatus, RightsRequest, RightType
from contact_intake.rights.work.base import ACTIVE, Worker, WorkerAction, WorkOutcome, WorkResult, done


def restriction(worker: Worker, request: RightsRequest) -> WorkOutcome:
    if not done(request, WorkerAction.RESTRICTED):
        restrict(worker, request)
    return worker.finish(request)


def objection(worker: Worker, request: RightsRequest) -> WorkOutcome:
    if not done(request, WorkerAction.RESTRICTED):
        restrict(worker, request)
    logger.info("objection restricted, awaiting the DPO", extra={"request_id": request.request_id})
    return WorkOutcome(request.request_id, WorkResult.AWAITING_DPO, "objection_awaits_decision")


def restrict(worker: Worker, request: RightsRequest) -> None:
    inquiries = sum(
        worker.inquiries.set_restricted(inquiry_id, True)
        for inquiry_id in list(worker.inquiries.keys_by_subject(request.subject_key))
    )
    tagged = mark_tickets(worker, request.email, restricted=True)
    worker.requests.append_audit(
        request.request_id,
        worker.entry(WorkerAction.RESTRICTED, inquiries=inquiries, helpdesk_tickets=tagged),
    )


def lift_restriction(worker: Worker, request: RightsRequest) -> WorkOutcome:
    counts = lift(worker, request)
    entry = worker.entry(WorkerAction.RESTRICTION_CLEARED, **counts)
    if request.type is RightType.OBJECTION:  # not upheld: the DPO's route told the person the grounds
        return worker.complete(request, entry, notified=False)
    worker.requests.append_audit(request.request_id, entry)
    return WorkOutcome(request.request_id, WorkResult.RESTRICTION_CLEARED, counts=counts)


def lift(worker: Worker, request: RightsRequest) -> dict[str, int]:
    if restriction_still_required(worker, request):
        logger.info("restriction kept for another request", extra={"request_id": request.request_id})
        return {"kept_for_other_requests": 1}
    released = sent_on = erased = 0
    now = math.floor(worker.clock().timestamp())
    for inquiry_id in list(worker.inquiries.keys_by_subject(request.subject_key)):
        record = worker.inquiries.get(inquiry_id)
        if record is None:
            continue
        # the restriction held the deletion (D68): the normal deadline applies again, computed from
        # received_at; one already past is due now, so the next sweep erases it
        deadline = expires_at_epoch(record.received_at, record.lawful_basis)
        if not worker.inquiries.set_restricted(
            inquiry_id, False, expires_at=None if deadline is None else max(deadline, now)
        ):
            continue
        released += 1
        if record.status is InquiryStatus.RECEIVED:  # held back by the restriction: forward it now
            worker.inquiry_queue.send(inquiry_id)
            sent_on += 1
        elif (
            record.status is InquiryStatus.RESOLVED
            and record.lawful_basis is LawfulBasis.LEGITIMATE_INTERESTS
        ):
            # a prospect's question handled while restricted: erased now, as its resolution would have
            worker.eraser.erase_inquiry(inquiry_id, ErasureReason.RESOLVED)
            erased += 1
    untagged = mark_tickets(worker, request.email, restricted=False)
    return {
        "inquiries": released,
        "forwarded": sent_on,
        "erased_as_handled": erased,
        "helpdesk_tickets": untagged,
    }


def restriction_still_required(worker: Worker, request: RightsRequest) -> bool:
    """Whether another of the person's requests still needs their data restricted."""
    for request_id in list(worker.requests.keys_by_subject(request.subject_key)):
        if request_id == request.request_id:
            continue
        other = worker.requests.get(request_id)
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


def mark_tickets(worker: Worker, email: str, *, restricted: bool) -> int:
    """Mark the person's tickets restricted, or lift the mark; the count of tickets changed."""
    return sum(
        worker.helpdesk.set_restricted(ticket.id, restricted)
        for ticket in worker.helpdesk.requester_tickets(email)
    )
