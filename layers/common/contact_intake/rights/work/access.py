"""Access and portability (Art. 15, 20): one JSON document (contact_intake.rights.export) mailed as an
attachment, then the completion mail. What the export's allow-list left out of the helpdesk's copy is
recorded for the DPO's review (counts and conversation ids, never data)."""

from __future__ import annotations

from contact_intake.rights.export import ExportContents, build_export, export_attachment, helpdesk_part
from contact_intake.rights.models import AuditAction, RightsRequest
from contact_intake.rights.templates import MailTemplate
from contact_intake.rights.work.base import Worker, WorkerAction, WorkOutcome, done


def export(worker: Worker, request: RightsRequest) -> WorkOutcome:
    if not done(request, WorkerAction.EXPORTED):
        contents = ExportContents(
            inquiries=worker.live_inquiries(request.subject_key),
            helpdesk=worker.helpdesk.read_copy(request.email),
            recordings=list(worker.recordings.list_recordings(request.subject_key)),
        )
        attachment = export_attachment(request, build_export(request, contents, generated_at=worker.clock()))
        # what the allow-list left out (others' messages, notes, addresses): for the DPO to review
        _, review = helpdesk_part(contents.helpdesk, request.email)
        worker.mail(request, MailTemplate.EXPORT, attachments=(attachment,))
        entries = [
            worker.entry(
                WorkerAction.EXPORTED,
                inquiries=len(contents.inquiries),
                helpdesk_tickets=len(contents.helpdesk.tickets),
                helpdesk_conversations=contents.helpdesk.conversation_count,
                call_recordings=len(contents.recordings),
                bytes=len(attachment[1]),
            ),
            worker.entry(AuditAction.NOTIFIED, export=1),
        ]
        if not review.empty:
            entries.append(worker.entry(WorkerAction.WITHHELD_FOR_REVIEW, **review.counts()))
        worker.requests.append_audit(request.request_id, *entries)
    return worker.finish(request)
