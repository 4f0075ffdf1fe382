"""Taking in one inquiry: honeypot, idempotency, captcha, one durable write, one enqueue.

The write is the commit point (for a verified customer a transaction that also checks that the account is
still open; when it is not, the inquiry is written as a prospect's instead: still one successful write).
If the enqueue fails after it, the inquiry is still accepted (202); the failure is logged by id and
counted, and the sweeper re-enqueues inquiries left in ``received``.

A submitted customer number counts only for its own open account (one GetItem on the accounts mirror, made
only when a number is given): then the lawful basis is the contract and the inquiry lives as long as the
account. Otherwise it is a prospect's inquiry (12 months) and the number is not stored.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from contact_intake.core.errors import CaptchaRejected, IdempotencyConflict
from contact_intake.core.observability import MetricUnit, logger, metrics
from contact_intake.core.retention import LawfulBasis, expires_at_epoch
from contact_intake.core.subject import inquiry_id_for_key, keyed_digest, subject_key
from contact_intake.intake.captcha import CaptchaVerifier
from contact_intake.intake.models import InquiryForm, InquiryRecord, InquiryStatus
from contact_intake.intake.queue import EnqueueFailed, InquiryQueue
from contact_intake.intake.store import AccountNotOpen, InquiryExists, InquiryStore

if TYPE_CHECKING:
    from contact_intake.intake.accounts import CustomerCheck


@dataclass(frozen=True)
class IntakeResult:
    inquiry_id: str
    status: str
    created: bool  # False for an idempotent replay and for a honeypot hit


@dataclass(kw_only=True, frozen=True, eq=False, repr=False)
class IntakeService:
    verifier: CaptchaVerifier
    store: InquiryStore
    queue: InquiryQueue
    customers: CustomerCheck
    pepper: Callable[[], bytes]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    new_id: Callable[[], str] = lambda: str(uuid.uuid4())

    def submit(
        self, form: InquiryForm, *, idempotency_key: str | None, remote_ip: str | None
    ) -> IntakeResult:
        """Accept one inquiry. Raises CaptchaRejected/CaptchaUnavailable (nothing stored),
        IdempotencyConflict (key reused with another body) or ServiceUnavailable (storage failed)."""
        if form.website:
            metrics.add_metric(name="HoneypotFilled", unit=MetricUnit.Count, value=1)
            return IntakeResult(inquiry_id=self.new_id(), status=InquiryStatus.RECEIVED, created=False)

        pepper = self.pepper()
        inquiry_id = inquiry_id_for_key(idempotency_key, pepper) if idempotency_key else self.new_id()
        fingerprint = _fingerprint(form, pepper)
        try:
            self.verifier.verify(form.captcha_token, remote_ip)
        except CaptchaRejected as rejected:
            # A retry of a stored submission re-sends its (now used) token: answer it as a replay.
            replay = self._replay(inquiry_id, fingerprint) if idempotency_key else None
            if replay is None:
                metrics.add_metric(name="CaptchaRejected", unit=MetricUnit.Count, value=1)
                logger.info("captcha rejected", extra={"reason": rejected.reason})
                raise
            return replay

        record = self._record(form, inquiry_id, fingerprint, pepper)
        try:
            self._write(record)
        except InquiryExists as taken:
            return self._resolve_existing(taken.existing, inquiry_id, fingerprint)

        metrics.add_metric(name="InquiryReceived", unit=MetricUnit.Count, value=1)
        try:
            self.queue.send(inquiry_id)
        except EnqueueFailed as failed:
            metrics.add_metric(name="EnqueueFailed", unit=MetricUnit.Count, value=1)
            logger.warning(
                "enqueue failed; the sweeper will re-enqueue",
                extra={"inquiry_id": inquiry_id, "error_type": str(failed)},
            )
        logger.info("inquiry received", extra={"inquiry_id": inquiry_id})
        return IntakeResult(inquiry_id=inquiry_id, status=InquiryStatus.RECEIVED, created=True)

    def _write(self, record: InquiryRecord) -> None:
        """The one durable write. A customer's is conditional on the account still being open for this
        address (a transaction with the accounts mirror); when the account closed (or changed address)
        since the check, the inquiry is stored as a prospect's instead, with its 12-month deadline: it is
        kept, never outlives the account, and only one write ever succeeds (docs/decisions.md D62)."""
        if record.customer_number is None:
            self.store.put_new(record)
            return
        try:
            self.store.put_new_customer(record)
        except AccountNotOpen:
            metrics.add_metric(name="CustomerWriteAsProspect", unit=MetricUnit.Count, value=1)
            logger.info(
                "account not open at the write: kept as a prospect's", extra={"inquiry_id": record.inquiry_id}
            )
            self.store.put_new(as_prospect(record))

    def _record(self, form: InquiryForm, inquiry_id: str, fingerprint: str, pepper: bytes) -> InquiryRecord:
        received_at = self.clock()
        subject = subject_key(str(form.email), pepper)
        customer = form.customer_number
        if customer is not None and not self.customers.is_verified(customer, subject):
            metrics.add_metric(name="CustomerNumberNotVerified", unit=MetricUnit.Count, value=1)
            customer = None  # a prospect: the number is dropped, never stored
        basis = LawfulBasis.CONTRACT if customer else LawfulBasis.LEGITIMATE_INTERESTS
        return InquiryRecord(
            inquiry_id=inquiry_id,
            received_at=received_at,
            name=form.name,
            email=str(form.email),
            subject=form.subject,
            message=form.message,
            locale=(form.locale or "en").split("-")[0].lower(),
            subject_key=subject,
            lawful_basis=basis,
            request_fingerprint=fingerprint,
            customer_number=customer,
            expires_at=expires_at_epoch(received_at, basis),
        )

    def _replay(self, inquiry_id: str, fingerprint: str) -> IntakeResult | None:
        existing = self.store.get(inquiry_id)
        if existing is None or existing.request_fingerprint != fingerprint:
            return None
        metrics.add_metric(name="IdempotentReplay", unit=MetricUnit.Count, value=1)
        return IntakeResult(inquiry_id=inquiry_id, status=InquiryStatus.RECEIVED, created=False)

    def _resolve_existing(
        self, existing: InquiryRecord | None, inquiry_id: str, fingerprint: str
    ) -> IntakeResult:
        if existing is None or existing.request_fingerprint != fingerprint:
            metrics.add_metric(name="IdempotencyConflict", unit=MetricUnit.Count, value=1)
            raise IdempotencyConflict()
        metrics.add_metric(name="IdempotentReplay", unit=MetricUnit.Count, value=1)
        logger.info("idempotent replay", extra={"inquiry_id": inquiry_id})
        return IntakeResult(inquiry_id=inquiry_id, status=InquiryStatus.RECEIVED, created=False)


def as_prospect(record: InquiryRecord) -> InquiryRecord:
    """The same inquiry as a prospect's: no customer number, legitimate interests, the 12-month deadline."""
    basis = LawfulBasis.LEGITIMATE_INTERESTS
    return replace(
        record,
        customer_number=None,
        lawful_basis=basis,
        expires_at=expires_at_epoch(record.received_at, basis),
    )


def _fingerprint(form: InquiryForm, pepper: bytes) -> str:
    """What makes two posts "the same body": every field but the single-use captcha token."""
    canonical = form.model_dump(mode="json", exclude={"captcha_token"})
    return keyed_digest(pepper, "request-body", json.dumps(canonical, sort_keys=True, ensure_ascii=False))
