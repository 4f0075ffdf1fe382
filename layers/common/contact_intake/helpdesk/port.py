"""The helpdesk as the rest of the code sees it: one port in domain verbs, its values and its errors.

The forwarder opens a ticket per inquiry and, after a lost answer, finds it by the inquiry id; the Eraser
deletes an inquiry's tickets; the rights worker deletes, restricts, reads and corrects what the helpdesk
keeps about a person. Nothing here names a helpdesk product, its fields or its API: that is the adapter's
(``contact_intake.helpdesk.freshdesk`` today, built by ``contact_intake.helpdesk.wiring.build_helpdesk``).
A second helpdesk is a second adapter of this ``Helpdesk`` protocol.

Every failure is a ``HelpdeskError`` whose ``permanent`` says whether a retry can help. Error messages name
the operation, the HTTP status and the helpdesk's machine codes only: never a credential, an address, a
name or a ticket's text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict, Field

# ---------------------------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class FieldProblem:
    """One field the helpdesk refused, and its machine code; never the message (it may echo the value)."""

    field: str
    code: str


class HelpdeskError(Exception):
    """Base of every helpdesk failure. ``permanent``: retrying the same call cannot succeed."""

    permanent: ClassVar[bool] = False

    def __init__(self, operation: str, *, status: int | None = None, reason: str = "") -> None:
        self.operation = operation
        self.status = status
        self.reason = reason
        super().__init__(self._describe())

    def _describe(self) -> str:
        text = f"helpdesk {self.operation} failed"
        if self.status is not None:
            text += f": HTTP {self.status}"
        return f"{text} ({self.reason})" if self.reason else text


class HelpdeskValidationError(HelpdeskError):
    """400: the helpdesk refused the payload; ``problems`` lists the fields and codes."""

    permanent = True

    def __init__(self, operation: str, *, problems: tuple[FieldProblem, ...], reason: str = "") -> None:
        self.problems = problems
        listed = "; ".join(f"{p.field}: {p.code}" if p.field else p.code for p in problems)
        super().__init__(operation, status=400, reason=listed or reason or "validation_failed")


class HelpdeskAuthError(HelpdeskError):
    """401/403: the credential is missing, wrong, or lacks the permission."""

    permanent = True


class HelpdeskNotFound(HelpdeskError):
    """404: no such ticket or contact (or it was deleted)."""

    permanent = True


class HelpdeskRejected(HelpdeskError):
    """Any other 4xx (405, 409 duplicate, 415, ...): the request itself is wrong."""

    permanent = True


class HelpdeskRateLimited(HelpdeskError):
    """429: come back after ``retry_after_seconds``."""

    def __init__(self, operation: str, *, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(operation, status=429, reason=f"retry after {retry_after_seconds}s")


class HelpdeskServerError(HelpdeskError):
    """5xx, or a success answer we cannot read."""


class HelpdeskTimeout(HelpdeskError):
    """No answer in time. For a create, the ticket may still have been made: look it up before retrying."""


class HelpdeskUnavailable(HelpdeskError):
    """The helpdesk could not be reached (DNS, refused connection, TLS, reset)."""


# ---------------------------------------------------------------------------------------------- values


class TicketDraft(BaseModel):
    """What the forwarder asks the helpdesk to open. Personal fields stay out of ``repr``."""

    model_config = ConfigDict(frozen=True)

    inquiry_id: str
    requester_email: str = Field(repr=False)
    requester_name: str = Field(repr=False)
    subject: str = Field(repr=False)
    message: str = Field(repr=False)
    locale: str | None = None


@dataclass(frozen=True)
class Ticket:
    """A ticket as the domain knows it: its id, and the inquiry it was opened for (None: not ours)."""

    id: int
    inquiry_id: str | None = None


@dataclass(frozen=True)
class MessageCopy:
    """One message on a ticket (a reply, a note, the person's own mail), as the export reads it.

    ``private``: an internal note (True also when the helpdesk did not say); ``incoming``: written to us
    rather than by us; ``from_requester``: the helpdesk says the ticket's requester wrote it; addresses as
    the helpdesk gives them (``a@x`` or ``"Name" <a@x>``)."""

    id: int
    private: bool
    incoming: bool
    from_requester: bool
    text: str = field(repr=False)
    created_at: Any = None
    author: str | None = field(default=None, repr=False)
    to: tuple[str, ...] = field(default=(), repr=False)
    cc: tuple[str, ...] = field(default=(), repr=False)
    bcc: tuple[str, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class TicketCopy:
    """One of the person's tickets with every message on it. ``status``: open, pending, resolved, closed
    or other; ``copied_addresses``: every other address the ticket itself names (cc, forwards, ...)."""

    id: int
    subject: str = field(repr=False)
    status: str
    description: str = field(repr=False)
    created_at: Any = None
    updated_at: Any = None
    copied_addresses: tuple[str, ...] = field(default=(), repr=False)
    messages: tuple[MessageCopy, ...] = ()


# the helpdesk contact's fields that are the person's own data (the export's contact section)
CONTACT_FIELDS: tuple[str, ...] = (
    "name",
    "email",
    "phone",
    "mobile",
    "language",
    "time_zone",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class ContactCopy:
    """The person's helpdesk contact: ``fields`` holds each of CONTACT_FIELDS (None where unknown);
    ``other_fields`` counts the contact's further non-empty fields about the person (not the helpdesk's
    own bookkeeping), which the export leaves for the DPO's review."""

    fields: dict[str, Any] = field(repr=False)
    other_fields: int = 0


@dataclass(frozen=True)
class HelpdeskCopy:
    """Everything the helpdesk keeps about one person: their contact and their tickets (for the access
    and portability export)."""

    contact: ContactCopy | None = None
    tickets: tuple[TicketCopy, ...] = ()

    @property
    def conversation_count(self) -> int:
        return sum(len(ticket.messages) for ticket in self.tickets)


# ------------------------------------------------------------------------------------------------ port


class Helpdesk(Protocol):
    """The helpdesk in the domain's verbs. Every call raises HelpdeskError on failure."""

    def open_ticket(self, draft: TicketDraft) -> Ticket:
        """Open a ticket for an inquiry. No idempotency: on a transient error the ticket may exist, so a
        retry looks with ``find_inquiry_tickets`` first (the forwarder's exactly-one-ticket logic)."""
        ...

    def find_inquiry_tickets(
        self, requester_email: str, inquiry_id: str, *, since: datetime | None = None
    ) -> list[Ticket]:
        """The tickets opened for this inquiry, oldest first, read from the tickets themselves (never a
        lagging search index). ``since``: when the create was sent (None: any time)."""
        ...

    def requester_tickets(self, email: str) -> list[Ticket]:
        """Every ticket whose requester is this address (whoever opened it)."""
        ...

    def delete_ticket(self, ticket_id: int) -> None:
        """Delete a ticket. Idempotent: one already gone counts as done."""
        ...

    def delete_requester(self, email: str) -> bool:
        """Delete the person's helpdesk contact for good; False when there is none."""
        ...

    def set_restricted(self, ticket_id: int, restricted: bool) -> bool:
        """Mark a ticket restricted (Art. 18, 19) or lift the mark; False when it already was so."""
        ...

    def read_copy(self, email: str) -> HelpdeskCopy:
        """The person's contact and tickets with every message (tickets deleted meanwhile are left out)."""
        ...

    def update_requester(self, email: str, *, name: str | None = None, new_email: str | None = None) -> bool:
        """Correct the person's contact (Art. 16, 19); False when there is no contact at this address."""
        ...
