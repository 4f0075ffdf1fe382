"""The helpdesk's webhook: a ticket was resolved or closed, so the question has been handled.

The statement promises deletion "as soon as the question is fully handled" for everyone without an
account, and "no longer than the account exists" for customers. So, for a resolved or closed ticket:

- a prospect's inquiry (``legitimate_interests``) is erased with its ticket: at once through the Eraser
  when the grace period is 0 days, else marked ``resolved`` with ``expires_at`` moved forward to now +
  grace (never later than it was), and the sweeper erases it then;
- a customer's inquiry (``contract``) is marked ``resolved`` and stays until the account closes;
- a restricted inquiry (Art. 18) is marked ``resolved`` and nothing is erased: restriction means "keep,
  do not use" until the DPO lifts it; its 12-month deadline still holds.

Unknown or already erased inquiries answer 202 with nothing done (the helpdesk may retry a delivery).
A ticket id that is not the one recorded for the inquiry is a 409 and changes nothing: only the ticket
that the forwarder created for an inquiry can end it.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from contact_intake.core.errors import ServiceUnavailable, TicketMismatch, Unauthorized
from contact_intake.core.observability import MetricUnit, logger, metrics
from contact_intake.core.retention import LawfulBasis
from contact_intake.retention.erasure import Eraser, ErasureReason

if TYPE_CHECKING:
    from contact_intake.intake.store import InquiryStore

# the helpdesk's automation sends the status name ("Resolved", "Closed"): compared case-insensitively
RESOLVING_STATUSES = frozenset({"resolved", "closed"})
# surrounding white space is allowed (and dropped): a placeholder in the rule's JSON may be padded
_INQUIRY_ID = r"^\s*[A-Za-z0-9_.:-]{0,128}\s*$"


def _trimmed_lower(value: str) -> str:
    return value.strip().lower()


class HelpdeskEvent(BaseModel):
    """The webhook body the helpdesk's automation rule sends (our contract; the rule that fills it in for
    the helpdesk in use: docs/operations.md "Helpdesk webhook")."""

    model_config = ConfigDict(extra="ignore", title="HelpdeskEvent")

    # pydantic's lax mode also takes "4711": a placeholder written inside quotes arrives as text
    ticket_id: int = Field(gt=0, description="The ticket's id.")
    # the limits apply to the value as sent, as the document states them; white space and case are dropped
    # afterwards, so "Resolved " means resolved
    status: Annotated[str, StringConstraints(max_length=64), AfterValidator(_trimmed_lower)] = Field(
        description="The ticket's status name: resolved and closed end the inquiry; anything else is ignored."
    )
    inquiry_id: Annotated[str, StringConstraints(pattern=_INQUIRY_ID), AfterValidator(str.strip)] = Field(
        default="", description="The ticket's inquiry-id field: empty for tickets this system did not create."
    )


class ResolutionOutcome(StrEnum):
    ERASED = "erased"  # a prospect's inquiry and its ticket are gone
    SCHEDULED = "scheduled"  # a prospect's inquiry is resolved; the sweeper erases it after the grace period
    RESOLVED = "resolved"  # a customer's (or a restricted) inquiry is marked resolved and kept
    IGNORED = "ignored"  # a status that does not end the question, or a ticket without an inquiry id
    UNKNOWN = "unknown"  # no such inquiry (never existed, or already erased)


class WebhookAuthenticator:
    """Checks the shared secret header. The expected value comes from SSM (cached) at each call."""

    def __init__(self, secret: Callable[[], str]) -> None:
        self._secret = secret

    def check(self, presented: str | None) -> None:
        """Raises Unauthorized unless ``presented`` equals the secret (compared in constant time)."""
        try:
            expected = self._secret().encode("utf-8")
        except Exception as exc:  # SSM unreachable or the parameter missing: fail closed, retryable
            logger.error("webhook secret unavailable", extra={"error_type": type(exc).__name__})
            raise ServiceUnavailable() from None
        given = (presented or "").encode("utf-8")
        if not presented or not hmac.compare_digest(given, expected):
            metrics.add_metric(name="WebhookUnauthorized", unit=MetricUnit.Count, value=1)
            raise Unauthorized()


class ResolutionService:
    def __init__(
        self,
        *,
        store: InquiryStore,
        eraser: Eraser,
        grace: timedelta,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._eraser = eraser
        self._grace = grace
        self._clock = clock

    def ticket_changed(self, event: HelpdeskEvent) -> ResolutionOutcome:
        """Act on one webhook delivery; safe to repeat. Raises TicketMismatch (409), HelpdeskError or
        ServiceUnavailable (the erasure did not finish: the helpdesk's retry completes it)."""
        outcome = self._decide(event)
        metrics.add_metric(name=f"HelpdeskEvent_{outcome}", unit=MetricUnit.Count, value=1)
        logger.info(
            "helpdesk event",
            extra={"inquiry_id": event.inquiry_id, "ticket_id": event.ticket_id, "outcome": str(outcome)},
        )
        return outcome

    def _decide(self, event: HelpdeskEvent) -> ResolutionOutcome:
        if event.status not in RESOLVING_STATUSES or not event.inquiry_id:
            return ResolutionOutcome.IGNORED
        record = self._store.get(event.inquiry_id)
        if record is None:
            return ResolutionOutcome.UNKNOWN
        if record.helpdesk_ticket_id != event.ticket_id:
            logger.warning(
                "helpdesk event for another ticket",
                extra={
                    "inquiry_id": event.inquiry_id,
                    "ticket_id": event.ticket_id,
                    "recorded_ticket_id": record.helpdesk_ticket_id,
                },
            )
            raise TicketMismatch()
        if record.lawful_basis is LawfulBasis.CONTRACT or record.restricted:
            return self._mark_resolved(event.inquiry_id, expires_at=None)
        if self._grace <= timedelta(0):
            self._eraser.erase_inquiry(event.inquiry_id, ErasureReason.RESOLVED)
            return ResolutionOutcome.ERASED
        deadline = int((self._clock() + self._grace).timestamp())
        if record.expires_at is not None:
            deadline = min(deadline, record.expires_at)  # earlier only: never past the 12-month promise
        outcome = self._mark_resolved(event.inquiry_id, expires_at=deadline)
        return ResolutionOutcome.SCHEDULED if outcome is ResolutionOutcome.RESOLVED else outcome

    def _mark_resolved(self, inquiry_id: str, *, expires_at: int | None) -> ResolutionOutcome:
        if not self._store.mark_resolved(inquiry_id, expires_at=expires_at):
            return ResolutionOutcome.UNKNOWN  # erased between the read and the write
        return ResolutionOutcome.RESOLVED
