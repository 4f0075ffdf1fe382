"""What the rights service's use cases share: the collaborators, the acknowledgement with its link, the
notification of the person, and queueing the worker with an undo when the queue refuses."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from contact_intake.core.errors import (
    ConfigurationError,
    ContactIntakeError,
    FieldError,
    ServiceUnavailable,
    ValidationFailed,
)
from contact_intake.core.observability import MetricUnit, logger, metrics
from contact_intake.core.subject import InvalidAddress, normalise_email
from contact_intake.rights import deadlines
from contact_intake.rights.acknowledgements import AcknowledgementLimit
from contact_intake.rights.models import (
    CORRECTABLE_FIELDS,
    SYSTEM_ACTOR,
    AuditAction,
    AuditEntry,
    QueueAction,
    RightsRequest,
    RightType,
)
from contact_intake.rights.outbound import ContextValue, Mailer, MailFailed
from contact_intake.rights.queue import EnqueueFailed, RightsQueue
from contact_intake.rights.store import RightsRequestStore, attr
from contact_intake.rights.templates import MailTemplate
from contact_intake.rights.tokens import TOKEN_TTL, IssuedToken, issue_token

VERIFY_PATH = "/rights-requests/verify"


class ServiceBase:
    """The collaborators (injected by contact_intake.rights.wiring) and the steps the use cases share."""

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

    def _verify_base(self, api_url: str | None) -> str:
        base = (api_url or self._api_url).rstrip("/")
        if not base:
            raise ConfigurationError("no public API URL for the verification link (PUBLIC_API_URL)")
        return base

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


def checked_corrections(right: RightType, corrections: Mapping[str, str] | None) -> dict[str, str]:
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
