"""Rectification (Art. 16): the DPO's corrections (name, e-mail address, customer number: what a person
gave us; the subject and text of a question are a record of what was asked, not a fact about them) at the
helpdesk's contact first (Art. 19), then on every inquiry; a corrected address carries its new subject key,
and every customer number must verify against the accounts mirror with the corrected address, or nothing
is applied and the request waits for the DPO."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contact_intake.core.observability import logger
from contact_intake.core.subject import subject_key
from contact_intake.intake.models import InquiryRecord
from contact_intake.rights.models import RightsRequest
from contact_intake.rights.work.base import Worker, WorkerAction, WorkOutcome, WorkResult, done


@dataclass(frozen=True)
class Rectification:
    records: Sequence[InquiryRecord]
    name: str | None
    email: str | None
    key: str | None  # the corrected address's subject key
    customer_number: str | None


def rectify(worker: Worker, request: RightsRequest) -> WorkOutcome:
    if done(request, WorkerAction.RECTIFIED):
        return worker.finish(request)
    plan = plan_rectification(worker, request)
    if plan is None:
        worker.requests.append_audit(
            request.request_id, worker.entry(WorkerAction.RECTIFICATION_NEEDS_DPO, customer_number=1)
        )
        logger.warning("rectification needs the DPO", extra={"request_id": request.request_id})
        return WorkOutcome(request.request_id, WorkResult.AWAITING_DPO, "customer_number_not_verified")
    contacts = rectify_helpdesk(worker, request)
    for record in plan.records:
        # the link first: a correction of the address moves the inquiry out of this subject's index
        if plan.customer_number is not None:
            worker.inquiries.link_customer(record.inquiry_id, plan.customer_number)
        if plan.name is not None or plan.email is not None:
            worker.inquiries.correct_contact(
                record.inquiry_id, name=plan.name, email=plan.email, key=plan.key
            )
    worker.requests.append_audit(
        request.request_id,
        worker.entry(
            WorkerAction.RECTIFIED,
            inquiries=len(plan.records),
            helpdesk_contacts=contacts,
            fields=len(request.corrections),
        ),
    )
    return worker.finish(request)


def plan_rectification(worker: Worker, request: RightsRequest) -> Rectification | None:
    """The corrections to make, or None when a customer number would not verify with the (corrected)
    address: the contract of InquiriesTable is that a customer number is stored only when it does."""
    corrections = request.corrections
    email = corrections.get("email")
    key = subject_key(email, worker.pepper()) if email is not None else None
    number = corrections.get("customer_number")
    records = worker.live_inquiries(request.subject_key)
    if number is not None:
        to_verify = {number}
    elif key is not None:
        to_verify = {r.customer_number for r in records if r.customer_number}
    else:
        to_verify = set()
    for customer_number in sorted(to_verify):
        if not worker.customers.is_verified(customer_number, key or request.subject_key):
            return None
    return Rectification(records, corrections.get("name"), email, key, number)


def rectify_helpdesk(worker: Worker, request: RightsRequest) -> int:
    """The helpdesk's contact corrected (1), or none there (0: none, or corrected already by an earlier
    delivery)."""
    corrections = request.corrections
    return int(
        worker.helpdesk.update_requester(
            request.email, name=corrections.get("name"), new_email=corrections.get("email")
        )
    )
