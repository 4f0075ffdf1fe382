"""Requests coming in: by e-mail from an unverified sender (``receive``), or taken by the DPO
(``create_on_behalf``); each is stored and acknowledged with a verification link, or (verified by the
DPO) queued at once."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import partial

from contact_intake.core.errors import FieldError, ServiceUnavailable, ValidationFailed
from contact_intake.core.observability import MetricUnit, logger, metrics
from contact_intake.core.subject import InvalidAddress, keyed_digest, normalise_email, subject_key
from contact_intake.rights import deadlines
from contact_intake.rights.acknowledgements import Decision
from contact_intake.rights.errors import TransitionRefused
from contact_intake.rights.models import (
    SYSTEM_ACTOR,
    AuditAction,
    AuditEntry,
    Channel,
    RequestStatus,
    RightsRequest,
    RightType,
    dpo_actor,
)
from contact_intake.rights.outbound import language_of
from contact_intake.rights.queue import EnqueueFailed
from contact_intake.rights.service.base import ServiceBase, checked_corrections
from contact_intake.rights.store import RequestExists
from contact_intake.rights.tokens import IssuedToken


class Receiving(ServiceBase):
    """Requests coming in: stored, then acknowledged with a link or (verified by the DPO) queued."""

    def receive(
        self,
        *,
        channel: str,
        email: str,
        right: str,
        locale: str,
        received_at: datetime,
        raw_mail_key: str | None = None,
        counts: Mapping[str, int] | None = None,
        api_url: str | None = None,
    ) -> RightsRequest:
        """Take a request from an unverified sender (the e-mail channel): store it, awaiting verification,
        and send the neutral acknowledgement with the verification link to ``email``.

        With ``raw_mail_key`` the request id derives from it, so a retried delivery of the same mail makes
        no second request: a stored, acknowledged (or suppressed) request is returned as it is; one whose
        acknowledgement never went out gets a fresh link. ``counts`` (numbers only) go into the "received"
        audit entry. With an AcknowledgementLimit the acknowledgement is sent only when the limit allows it.
        Raises ServiceUnavailable (storage or mail failed; retry) or ConfigurationError (no API URL).
        """
        now = self._clock()
        base = self._verify_base(api_url)
        request_id = self._request_id(raw_mail_key)
        token = self._new_token(now)
        request = self._new_request(
            request_id=request_id,
            right=RightType(right),
            channel=Channel(channel),
            email=email,
            locale=locale,
            received_at=received_at,
            token=token,
            audit=[AuditEntry(now, SYSTEM_ACTOR, AuditAction.RECEIVED, dict(counts or {}))],
            raw_mail_key=raw_mail_key,
        )
        try:
            self._store.create(request)
        except RequestExists as exists:
            existing = exists.existing
            if (
                existing is None
                or existing.acknowledged_at is not None
                or not existing.is_open
                or _suppressed(existing)
            ):
                logger.info("rights request already received", extra={"request_id": request_id})
                if existing is None:
                    raise TransitionRefused("expired_duplicate") from None
                return existing
            request = self._store.reissue_token(
                request_id,
                token.token_hash,
                token.expires_at,
                audit=AuditEntry(now, SYSTEM_ACTOR, AuditAction.TOKEN_REISSUED),
            )
        decision: Decision = "send"
        if self._acknowledgements is not None:
            decision = self._acknowledgements.claim(
                request.subject_key, request.request_id, now=now, link_expires_at=token.expires_at
            )
        if decision == "send":
            request = self._acknowledge(request, token, base, undo_on_failure=raw_mail_key is None)
        else:
            request = self._suppress(request, decision, now)
        metrics.add_metric(name="RightsRequestReceived", unit=MetricUnit.Count, value=1)
        logger.info(
            "rights request received",
            extra={
                "request_id": request.request_id,
                "type": str(request.type),
                "channel": str(request.channel),
                "acknowledgement": decision,
            },
        )
        return request

    def create_on_behalf(
        self,
        *,
        principal: str,
        email: str,
        right: str,
        locale: str,
        identity_verified: bool,
        received_at: datetime | None = None,
        corrections: Mapping[str, str] | None = None,
        api_url: str | None = None,
    ) -> RightsRequest:
        """A request the DPO took (letter, phone, in person). ``identity_verified``: the DPO checked who the
        person is, so the request is verified at once and queued; otherwise the person gets the same
        acknowledgement and link as by e-mail. ``received_at`` (default now) starts the deadline.
        Raises ValidationFailed, ServiceUnavailable (nothing was stored) or ConfigurationError."""
        now = self._clock()
        received = received_at or now
        if received > now:
            raise ValidationFailed(
                fields=[FieldError("received_at", "in_future", "must not be in the future")]
            )
        kind = RightType(right)
        checked = checked_corrections(kind, corrections)
        actor = dpo_actor(principal)
        made = partial(
            self._new_request,
            request_id=self._request_id(None),
            right=kind,
            channel=Channel.DPO,
            email=email,
            locale=locale,
            received_at=received,
            corrections=checked,
        )
        received_entry = AuditEntry(now, actor, AuditAction.RECEIVED)
        if not identity_verified:
            # the person confirms by the link, as by e-mail: nothing is verified or queued before they do
            base = self._verify_base(api_url)  # checked before anything is made
            token = self._new_token(now)
            request = made(token=token, audit=[received_entry])
            self._store.create(request)
            request = self._acknowledge(request, token, base, undo_on_failure=True)
            metrics.add_metric(name="RightsRequestReceived", unit=MetricUnit.Count, value=1)
            return request
        verified_entry = AuditEntry(now, actor, AuditAction.VERIFIED_BY_DPO)  # the DPO checked who it is
        request = made(token=None, audit=[received_entry, verified_entry])
        request.status = RequestStatus.VERIFIED
        request.verified_at = now
        self._store.create(request)
        if request.executable:
            try:
                self._queue.send(request.request_id)
            except EnqueueFailed:
                self._store.delete(request.request_id)  # nothing happened: the DPO may simply retry
                raise ServiceUnavailable() from None
        metrics.add_metric(name="RightsRequestReceived", unit=MetricUnit.Count, value=1)
        logger.info(
            "rights request created by the DPO", extra={"request_id": request.request_id, "type": str(kind)}
        )
        return request

    def _request_id(self, raw_mail_key: str | None) -> str:
        """A random id; for a stored mail, one derived from its key (a retried delivery finds its request)."""
        if raw_mail_key is None:
            return str(uuid.uuid4())
        digest = bytes.fromhex(keyed_digest(self._pepper(), "rights-request", raw_mail_key))
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def _new_request(
        self,
        *,
        request_id: str,
        right: RightType,
        channel: Channel,
        email: str,
        locale: str,
        received_at: datetime,
        token: IssuedToken | None,
        audit: list[AuditEntry],
        corrections: dict[str, str] | None = None,
        raw_mail_key: str | None = None,
    ) -> RightsRequest:
        try:
            address = normalise_email(email)  # one canonical spelling, stored and hashed (D60)
        except InvalidAddress as invalid:
            raise ValidationFailed(fields=[FieldError("email", "invalid", str(invalid))]) from None
        received = _to_milliseconds(received_at)
        return RightsRequest(
            request_id=request_id,
            type=right,
            subject_key=subject_key(address, self._pepper()),
            channel=channel,
            status=RequestStatus.AWAITING_VERIFICATION,
            received_at=received,
            due_at=deadlines.due_at(received),
            locale=language_of(locale),
            email=address,
            expires_at=deadlines.record_expires_at(received, self._retention_years),
            token_hash=token.token_hash if token else None,
            token_expires_at=token.expires_at if token else None,
            corrections=corrections or {},
            audit=audit,
            raw_mail_key=raw_mail_key,
        )

    def _suppress(self, request: RightsRequest, decision: Decision, now: datetime) -> RightsRequest:
        """Record that ``request`` got no acknowledgement (the address has a live link, or had its daily
        cap): stored and audited for the DPO, no mail."""
        metrics.add_metric(name="AcknowledgementsSuppressed", unit=MetricUnit.Count, value=1)
        return self._store.update(
            request.request_id,
            expect=(),
            audit=(AuditEntry(now, SYSTEM_ACTOR, AuditAction.ACKNOWLEDGEMENT_SUPPRESSED, {decision: 1}),),
        )


def _to_milliseconds(moment: datetime) -> datetime:
    """UTC, to the millisecond: what the table stores (so an answer shows what a later read shows)."""
    utc = moment.astimezone(UTC)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


def _suppressed(request: RightsRequest) -> bool:
    return any(entry.action == AuditAction.ACKNOWLEDGEMENT_SUPPRESSED for entry in request.audit)
