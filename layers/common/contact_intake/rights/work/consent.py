"""Consent withdrawal (Art. 7(3)): the recordings hook withdraws the consent and deletes the audio;
audited, then the completion mail."""

from __future__ import annotations

from contact_intake.rights.models import RightsRequest
from contact_intake.rights.work.base import Worker, WorkerAction, WorkOutcome, done


def withdraw_consent(worker: Worker, request: RightsRequest) -> WorkOutcome:
    if not done(request, WorkerAction.CONSENT_WITHDRAWN):
        withdrawn = worker.recordings.withdraw_consent(request.subject_key)
        worker.requests.append_audit(
            request.request_id, worker.entry(WorkerAction.CONSENT_WITHDRAWN, call_recordings=withdrawn)
        )
    return worker.finish(request)
