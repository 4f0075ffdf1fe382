"""Erasure (Art. 17, and an upheld objection's ``erase``): the shared Eraser over every inquiry (their
tickets with them), the person's other helpdesk tickets, the helpdesk contact (``HELPDESK_DELETE_CONTACTS``),
the raw mails of their rights requests, their call recordings; then the completion mail. The requests
themselves stay (the record of how a request was handled, Art. 5(2)); their raw mails go."""

from __future__ import annotations

from contact_intake.retention.erasure import ErasureReason
from contact_intake.rights.models import RightsRequest
from contact_intake.rights.work.base import Worker, WorkerAction, WorkOutcome, done


def erase(worker: Worker, request: RightsRequest, reason: ErasureReason) -> WorkOutcome:
    if not done(request, WorkerAction.ERASED):
        erase_everywhere(worker, request, reason)
    return worker.finish(request)


def erase_everywhere(worker: Worker, request: RightsRequest, reason: ErasureReason) -> None:
    summary = worker.eraser.erase_subject(request.subject_key, reason)
    tickets = worker.helpdesk.requester_tickets(request.email)
    for ticket in tickets:  # the person's tickets no inquiry of ours made (e-mail to the helpdesk, ...)
        worker.helpdesk.delete_ticket(ticket.id)
    contacts = int(worker.delete_helpdesk_contacts and worker.helpdesk.delete_requester(request.email))
    raw_mails = delete_raw_mails(worker, request)
    recordings = worker.recordings.erase_recordings(request.subject_key)
    worker.requests.append_audit(
        request.request_id,
        worker.entry(
            WorkerAction.ERASED,
            inquiries_erased=summary.erased,
            inquiries_already_absent=summary.already_absent,
            other_helpdesk_tickets_deleted=len(tickets),
            helpdesk_contacts_deleted=contacts,
            raw_mails_deleted=raw_mails,
            call_recordings_erased=recordings,
        ),
    )


def delete_raw_mails(worker: Worker, request: RightsRequest) -> int:
    """Delete the raw mail of every rights request of the person (this one's included); the requests
    themselves stay."""
    keys = {request.raw_mail_key} if request.raw_mail_key else set()
    for request_id in list(worker.requests.keys_by_subject(request.subject_key)):
        other = worker.requests.get(request_id)
        if other is not None and other.raw_mail_key and other.subject_key == request.subject_key:
            keys.add(other.raw_mail_key)
    for key in sorted(keys):
        worker.raw_mail.delete(key)
    return len(keys)
