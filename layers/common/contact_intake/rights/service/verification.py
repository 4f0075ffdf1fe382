"""The verification link: the page that shows a live link's request without changing anything
(``preview``), the confirmation that consumes the link once and queues the request (``verify``), and a
fresh link from the DPO (``resend``)."""

from __future__ import annotations

from contact_intake.core.errors import FieldError, ValidationFailed
from contact_intake.core.observability import MetricUnit, logger, metrics
from contact_intake.rights.errors import TokenGone, TransitionRefused
from contact_intake.rights.models import (
    RIGHTS,
    SYSTEM_ACTOR,
    AuditAction,
    AuditEntry,
    QueueAction,
    RequestStatus,
    RightsRequest,
    RightType,
    dpo_actor,
    right_choice_counts,
)
from contact_intake.rights.service.base import ServiceBase
from contact_intake.rights.tokens import hash_token, is_well_formed, token_matches


class Verification(ServiceBase):
    """The verification link: shown without a change, confirmed once, resent by the DPO."""

    def preview(self, token: str) -> RightsRequest:
        """The request a live link belongs to, for the confirmation page. Reads only: opening a link (a
        person, or a mail gateway's scanner) consumes nothing, queues nothing and writes nothing.

        Raises TokenGone (unknown, used or expired: 410) or ServiceUnavailable."""
        request_id = self._request_id_for(token)
        request = self._store.get(request_id)
        if request is None or not token_matches(token, request.token_hash or ""):
            raise TokenGone("unknown")
        if request.token_used_at is not None or request.status is not RequestStatus.AWAITING_VERIFICATION:
            reason = "expired" if request.status is RequestStatus.EXPIRED else "used"
            raise TokenGone(reason, request.locale)
        return request

    def verify(self, token: str, right: str | None = None) -> RightsRequest:
        """Confirm a request by its link (the page's form posts here): awaiting_verification -> verified,
        once, within the token's life, as ``right`` (one of the seven rights, which the person may have
        changed from the one read from the mail; None keeps it). Then queue it for the worker (unless the
        DPO must first give a rectification's corrections). The audit entry records whether the right was
        changed, from and to which (names only).

        Raises ValidationFailed (``right`` is not one of the seven: nothing consumed), TokenGone
        (unknown, used or expired: 410) or ServiceUnavailable (the link still works)."""
        chosen = _chosen_right(right)
        request_id = self._request_id_for(token)
        token_hash = hash_token(token)
        now = self._clock()
        if chosen is None:
            counts: dict[str, int] = {}
        else:
            current = self._store.get(request_id)
            if current is None:
                raise TokenGone("unknown")
            counts = right_choice_counts(current.type, chosen)
        request = self._store.consume_token(
            request_id,
            token_hash,
            now=now,
            audit=AuditEntry(now, SYSTEM_ACTOR, AuditAction.VERIFIED, counts),
            right=chosen,
        )
        executable = request.executable
        if executable:
            self._queue_or_undo(
                request,
                QueueAction.EXECUTE,
                lambda: self._store.restore_token(
                    request_id, audit=AuditEntry(self._clock(), SYSTEM_ACTOR, AuditAction.VERIFICATION_UNDONE)
                ),
            )
        metrics.add_metric(name="RightsRequestVerified", unit=MetricUnit.Count, value=1)
        logger.info(
            "rights request verified",
            extra={
                "request_id": request_id,
                "queued": executable,
                "right_changed": counts.get("right_changed"),
            },
        )
        return request

    def _request_id_for(self, token: str) -> str:
        if not is_well_formed(token):
            raise TokenGone("unknown")
        request_id = self._store.request_id_for_token(hash_token(token))
        if request_id is None:
            raise TokenGone("unknown")
        return request_id

    def resend(self, request_id: str, *, principal: str, api_url: str | None = None) -> RightsRequest:
        """A fresh link for an open request still awaiting verification (the DPO's ``resend``): the new
        token replaces the old in one conditional write (the old link answers 410 from then on), then the
        person gets the acknowledgement again with the new link. A confirmed, closed or expired request is
        refused (409). When the mail fails the DPO gets 503 and may simply resend again.

        Raises TransitionRefused, RequestNotFound, ServiceUnavailable or ConfigurationError."""
        base = self._verify_base(api_url)
        now = self._clock()
        request = self._store.require(request_id)
        if request.status is not RequestStatus.AWAITING_VERIFICATION:
            raise TransitionRefused(
                f"status_{request.status}",
                f"The request is {request.status}: only a request awaiting verification gets a new link.",
            )
        token = self._new_token(now)
        updated = self._store.replace_token(
            request_id,
            request.token_hash or "",
            token.token_hash,
            token.expires_at,
            now=now,
            audit=AuditEntry(now, dpo_actor(principal), AuditAction.TOKEN_RESENT),
        )
        updated = self._acknowledge(updated, token, base, undo_on_failure=False)
        logger.info("verification link resent", extra={"request_id": request_id})
        return updated


def _chosen_right(right: str | None) -> RightType | None:
    """The right the person chose on the page: one of the seven (never ``unclassified``), else a 422."""
    if right is None:
        return None
    if right not in {str(each) for each in RIGHTS}:
        raise ValidationFailed(fields=[FieldError("right", "invalid", "choose one of the seven rights")])
    return RightType(right)
