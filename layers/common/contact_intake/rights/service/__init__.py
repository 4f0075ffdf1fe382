"""The rights engine: requests come in (by e-mail or through the DPO), are verified by mailbox control,
queued for the worker, and handled by the DPO's decisions (docs/architecture.md §7).

Promises kept here:

- **Nothing is revealed to a sender.** ``receive`` never looks at what data exists: every address gets the
  same acknowledgement with a verification link, through the same calls (a PutItem, a SendEmail and an
  UpdateItem), so neither the mail nor its timing says whether we hold anything.
- **One live link per address.** With an AcknowledgementLimit (the e-mail channel), a mail from an address
  whose last link is still live, or that had its daily cap of acknowledgements, is stored and audited
  (``acknowledgement_suppressed``) but gets no mail: forged mail cannot make us mail-bomb anyone. What
  decides is only what was sent to the address before, never what data exists.
- **Data only to a verified mailbox.** A request runs only after its single-use link was followed (or the
  DPO verified the person); the worker answers to the stored address, never to a ``From:`` line.
- **Deadlines.** Due one calendar month after receipt; one extension by up to two months, with reasons,
  notified inside the first month; a refusal states reasons and the right to complain (Art. 12(3)-(4)).
- **Notify, then record.** A DPO action mails the person first and records the state change and its audit
  entry in one conditional write afterwards: a failure can at worst repeat a notification, never lose one.
  Work is queued after the write; when the queue refuses, the write is undone (audited) and the caller
  gets a 503, so a retry starts from the same state.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from contact_intake.core.errors import (
    ConfigurationError,
    ContactIntakeError,
    FieldError,
    ServiceUnavailable,
    ValidationFailed,
)
from contact_intake.core.observability import MetricUnit, logger, metrics
from contact_intake.core.subject import InvalidAddress, keyed_digest, normalise_email, subject_key
from contact_intake.rights import deadlines
from contact_intake.rights.acknowledgements import AcknowledgementLimit, Decision
from contact_intake.rights.errors import TokenGone, TransitionRefused
from contact_intake.rights.models import (
    CORRECTABLE_FIELDS,
    OPEN_STATUSES,
    RIGHTS,
    SYSTEM_ACTOR,
    AuditAction,
    AuditEntry,
    Channel,
    QueueAction,
    RequestStatus,
    RightsRequest,
    RightType,
    dpo_actor,
    right_choice_counts,
)
from contact_intake.rights.outbound import ContextValue, Mailer, MailFailed, Months, language_of
from contact_intake.rights.queue import EnqueueFailed, RightsQueue
from contact_intake.rights.store import RequestExists, RequestSummary, RightsRequestStore, attr
from contact_intake.rights.templates import MailTemplate
from contact_intake.rights.tokens import (
    TOKEN_TTL,
    IssuedToken,
    hash_token,
    is_well_formed,
    issue_token,
    token_matches,
)

VERIFY_PATH = "/rights-requests/verify"
OPEN = "open"


@dataclass(frozen=True)
class ListedRequest:
    """A line of the DPO's list: the summary and the whole days left until the deadline that applies."""

    summary: RequestSummary
    days_left: int


class RightsService:
    """The rights engine's operations. Collaborators are injected (contact_intake.rights.wiring)."""

    def __init__(
        self,
        *,
        store: RightsRequestStore,
        queue: RightsQueue,
        mailer: Mailer,
        pepper: Callable[[], bytes],
        api_url: str = "",
        retention_years: int = deadlines.DEFAULT_RETENTION_YEARS,
        token_ttl: timedelta = TOKEN_TTL,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        new_token: Callable[[datetime], IssuedToken] | None = None,
        acknowledgements: AcknowledgementLimit | None = None,
    ) -> None:
        self._store = store
        self._queue = queue
        self._mailer = mailer
        self._pepper = pepper
        self._api_url = api_url.rstrip("/")
        self._retention_years = retention_years
        self._token_ttl = token_ttl
        self._clock = clock
        self._new_token = new_token or (lambda now: issue_token(now, ttl=self._token_ttl))
        self._acknowledgements = acknowledgements

    # ---------------------------------------------------------------- requests coming in

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
        checked = _checked_corrections(kind, corrections)
        actor = dpo_actor(principal)
        if not identity_verified:
            base = self._verify_base(api_url)
            token = self._new_token(now)
            request = self._new_request(
                request_id=self._request_id(None),
                right=kind,
                channel=Channel.DPO,
                email=email,
                locale=locale,
                received_at=received,
                token=token,
                corrections=checked,
                audit=[AuditEntry(now, actor, AuditAction.RECEIVED)],
            )
            self._store.create(request)
            request = self._acknowledge(request, token, base, undo_on_failure=True)
            metrics.add_metric(name="RightsRequestReceived", unit=MetricUnit.Count, value=1)
            return request
        request = self._new_request(
            request_id=self._request_id(None),
            right=kind,
            channel=Channel.DPO,
            email=email,
            locale=locale,
            received_at=received,
            token=None,
            corrections=checked,
            audit=[
                AuditEntry(now, actor, AuditAction.RECEIVED),
                AuditEntry(now, actor, AuditAction.VERIFIED_BY_DPO),
            ],
        )
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

    # ---------------------------------------------------------------- the DPO

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
        checked = _checked_corrections(new_type, corrections) if corrections else request.corrections
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

    # ---------------------------------------------------------------- helpers

    def _verify_base(self, api_url: str | None) -> str:
        base = (api_url or self._api_url).rstrip("/")
        if not base:
            raise ConfigurationError("no public API URL for the verification link (PUBLIC_API_URL)")
        return base

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

    def _acknowledge(
        self, request: RightsRequest, token: IssuedToken, base: str, *, undo_on_failure: bool
    ) -> RightsRequest:
        """Send the acknowledgement with the link, then record that it went out. When the mail fails, a
        request nobody will retry is deleted (``undo_on_failure``) and the caller gets ServiceUnavailable."""
        context: dict[str, ContextValue] = {
            "reference": request.request_id,
            "right": request.type,
            "due_date": request.due_at,
            "verify_url": f"{base}{VERIFY_PATH}?token={token.token}",
            "valid_days": self._token_ttl.days,
        }
        try:
            self._mailer.send(request.email, MailTemplate.ACKNOWLEDGEMENT, request.locale, context)
        except MailFailed as failed:
            logger.warning(
                "acknowledgement not sent", extra={"request_id": request.request_id, "error": str(failed)}
            )
            if undo_on_failure:
                self._store.delete(request.request_id)
            raise ServiceUnavailable() from None
        metrics.add_metric(name="AcknowledgementsSent", unit=MetricUnit.Count, value=1)
        now = self._clock()
        try:
            return self._store.update(
                request.request_id,
                expect=(),
                set_fields={"acknowledged_at": attr(now)},
                audit=(AuditEntry(now, SYSTEM_ACTOR, AuditAction.ACKNOWLEDGED),),
            )
        except ContactIntakeError as error:  # the mail went out: a retry would send a second one
            logger.warning(
                "acknowledgement sent but not recorded",
                extra={"request_id": request.request_id, "error": type(error).__name__},
            )
            metrics.add_metric(name="RightsAuditWriteFailed", unit=MetricUnit.Count, value=1)
            return request

    def _suppress(self, request: RightsRequest, decision: Decision, now: datetime) -> RightsRequest:
        """Record that ``request`` got no acknowledgement (the address has a live link, or had its daily
        cap): stored and audited for the DPO, no mail."""
        metrics.add_metric(name="AcknowledgementsSuppressed", unit=MetricUnit.Count, value=1)
        return self._store.update(
            request.request_id,
            expect=(),
            audit=(AuditEntry(now, SYSTEM_ACTOR, AuditAction.ACKNOWLEDGEMENT_SUPPRESSED, {decision: 1}),),
        )

    def _notify(
        self, request: RightsRequest, template: MailTemplate, extra: Mapping[str, ContextValue]
    ) -> None:
        """Mail the person about ``request``; ServiceUnavailable when SES fails (nothing was changed)."""
        context: dict[str, ContextValue] = {
            "reference": request.request_id,
            "right": request.type,
            "received_date": request.received_at,
            **extra,
        }
        try:
            self._mailer.send(request.email, template, request.locale, context)
        except MailFailed as failed:
            logger.warning(
                "notification not sent",
                extra={"request_id": request.request_id, "template": str(template), "error": str(failed)},
            )
            raise ServiceUnavailable() from None

    def _queue_or_undo(self, request: RightsRequest, action: QueueAction, undo: Callable[[], object]) -> None:
        """Queue ``action`` for the worker; when the queue refuses, undo the write that preceded it and raise
        ServiceUnavailable, so a retry starts from the state before."""
        try:
            self._queue.send(request.request_id, action)
        except EnqueueFailed:
            logger.warning(
                "rights work not queued", extra={"request_id": request.request_id, "action": str(action)}
            )
            try:
                undo()
            except ContactIntakeError as error:
                logger.error(
                    "could not undo after a queue failure",
                    extra={"request_id": request.request_id, "error": type(error).__name__},
                )
            raise ServiceUnavailable() from None


def _to_milliseconds(moment: datetime) -> datetime:
    """UTC, to the millisecond: what the table stores (so an answer shows what a later read shows)."""
    utc = moment.astimezone(UTC)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


def _suppressed(request: RightsRequest) -> bool:
    return any(entry.action == AuditAction.ACKNOWLEDGEMENT_SUPPRESSED for entry in request.audit)


def _chosen_right(right: str | None) -> RightType | None:
    """The right the person chose on the page: one of the seven (never ``unclassified``), else a 422."""
    if right is None:
        return None
    if right not in {str(each) for each in RIGHTS}:
        raise ValidationFailed(fields=[FieldError("right", "invalid", "choose one of the seven rights")])
    return RightType(right)


def _require_open(request: RightsRequest) -> None:
    if not request.is_open:
        raise TransitionRefused(f"status_{request.status}", f"The request is {request.status}: it is closed.")


def _checked_corrections(right: RightType, corrections: Mapping[str, str] | None) -> dict[str, str]:
    """Corrections a rectification may carry (CORRECTABLE_FIELDS, non-empty one-line values)."""
    if not corrections:
        return {}
    if right is not RightType.RECTIFICATION:
        raise ValidationFailed(
            fields=[FieldError("corrections", "invalid", "only a rectification has corrections")]
        )
    problems = [
        FieldError(f"corrections.{name}", "invalid", "not a correctable field")
        for name in corrections
        if name not in CORRECTABLE_FIELDS
    ]
    problems += [
        FieldError(f"corrections.{name}", "invalid", "must be one non-empty line")
        for name, value in corrections.items()
        if name in CORRECTABLE_FIELDS and (not value.strip() or any(c in value for c in "\r\n"))
    ]
    if problems:
        raise ValidationFailed(fields=problems)
    checked = {name: value.strip() for name, value in corrections.items()}
    if "email" in checked:
        try:
            checked["email"] = normalise_email(checked["email"])
        except InvalidAddress as invalid:
            raise ValidationFailed(
                fields=[FieldError("corrections.email", "invalid", str(invalid))]
            ) from None
    return checked
