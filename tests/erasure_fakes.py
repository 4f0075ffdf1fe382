"""In-memory fakes of the ports the Eraser, the webhook and the sweeper use: the stores, and the helpdesk
port (``FakeHelpdesk``: contact_intake.helpdesk.port.Helpdesk in memory).

They share one ``log`` of what was written where, in order, so a test can assert the erasure's order:
ticket, then ledger, then item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from contact_intake.core.retention import is_expired
from contact_intake.helpdesk.port import (
    ContactCopy,
    HelpdeskCopy,
    HelpdeskServerError,
    Ticket,
    TicketCopy,
    TicketDraft,
)
from contact_intake.intake.models import InquiryRecord, InquiryStatus
from contact_intake.intake.store import expiry_day, utc_day
from contact_intake.retention.ledger import ErasureEntry
from tests.fakes import FakeStore


class FakeInquiryStore(FakeStore):
    """FakeStore with the methods of InquiryStore that erasure, resolution and the sweeper use."""

    def __init__(self, log: list[str], clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        super().__init__()
        self.log = log
        self.clock = clock
        self.released: set[str] = set()

    def add(self, record: InquiryRecord) -> InquiryRecord:
        self.items[record.inquiry_id] = record
        return record

    def get(self, inquiry_id: str) -> InquiryRecord | None:
        record = self.items.get(inquiry_id)
        return None if record is None or is_expired(record.expires_at, self.clock()) else record

    def read_any(self, inquiry_id: str) -> InquiryRecord | None:
        return self.items.get(inquiry_id)

    def delete(self, inquiry_id: str) -> None:
        self.log.append(f"item:{inquiry_id}")
        self.items.pop(inquiry_id, None)

    def mark_resolved(self, inquiry_id: str, *, expires_at: int | None = None) -> bool:
        record = self.items.get(inquiry_id)
        if record is None:
            return False
        record.status = InquiryStatus.RESOLVED
        if expires_at is not None:
            record.expires_at = expires_at
        self.log.append(f"resolved:{inquiry_id}")
        return True

    def release_pending(self, inquiry_id: str) -> bool:
        record = self.items.get(inquiry_id)
        if record is None or record.status is not InquiryStatus.RECEIVED:
            return False
        self.released.add(inquiry_id)
        return True

    def keys_by_subject(self, subject_key: str) -> Iterator[str]:
        return iter([r.inquiry_id for r in self.items.values() if r.subject_key == subject_key])

    def keys_by_customer(self, customer_number: str) -> Iterator[str]:
        return iter([r.inquiry_id for r in self.items.values() if r.customer_number == customer_number])

    def keys_expired_on(self, day: str, now: datetime) -> Iterator[str]:
        return iter(
            [
                r.inquiry_id
                for r in self.items.values()
                if r.expires_at is not None
                and expiry_day(r.expires_at) == day
                and r.expires_at <= now.timestamp()
            ]
        )

    def keys_pending_on(self, day: str, received_before: datetime) -> Iterator[str]:
        return iter(
            [
                r.inquiry_id
                for r in self.items.values()
                if r.status is InquiryStatus.RECEIVED
                and r.inquiry_id not in self.released
                and utc_day(r.received_at) == day
                and r.received_at < received_before
            ]
        )


class FakeLedger:
    def __init__(self, log: list[str]) -> None:
        self.log = log
        self.entries: dict[tuple[str, str], ErasureEntry] = {}

    def record(self, entry: ErasureEntry) -> bool:
        self.log.append(f"ledger:{entry.inquiry_id}")
        key = (entry.subject_key, entry.inquiry_id)
        if key in self.entries:
            return False
        self.entries[key] = entry
        return True


class FakeHelpdesk:
    """The helpdesk port in memory: tickets by id as (requester e-mail, inquiry id), the contacts by
    address (name), the restricted tickets. ``down`` makes every call a 500; ``calls`` lists them."""

    def __init__(self, log: list[str]) -> None:
        self.log = log
        self.tickets: dict[int, tuple[str, str]] = {}
        self.contacts: dict[str, str] = {}
        self.restricted: set[int] = set()
        self.down = False
        self.calls: list[str] = []

    def add_ticket(self, ticket_id: int, email: str, inquiry_id: str) -> None:
        self.tickets[ticket_id] = (email, inquiry_id)

    def _call(self, operation: str) -> None:
        self.calls.append(operation)
        if self.down:
            raise HelpdeskServerError(operation.split(":", maxsplit=1)[0], status=500)

    def open_ticket(self, draft: TicketDraft) -> Ticket:  # the forwarder's verb; erasure never creates
        raise AssertionError("erasure must never create a ticket")

    def delete_ticket(self, ticket_id: int) -> None:
        self._call(f"delete_ticket:{ticket_id}")
        self.log.append(f"ticket:{ticket_id}")
        self.tickets.pop(ticket_id, None)  # one already gone counts as done, as the port says

    def find_inquiry_tickets(
        self, requester_email: str, inquiry_id: str, *, since: datetime | None = None
    ) -> list[Ticket]:
        self._call("list_tickets")
        return [t for t in self.requester_tickets(requester_email, count=False) if t.inquiry_id == inquiry_id]

    def requester_tickets(self, email: str, *, count: bool = True) -> list[Ticket]:
        if count:
            self._call("list_tickets")
        return [
            Ticket(id=tid, inquiry_id=inquiry)
            for tid, (owner, inquiry) in sorted(self.tickets.items())
            if owner == email
        ]

    def delete_requester(self, email: str) -> bool:
        self._call("delete_contact")
        return self.contacts.pop(email, None) is not None

    def set_restricted(self, ticket_id: int, restricted: bool) -> bool:
        self._call(f"restrict:{ticket_id}")
        if (ticket_id in self.restricted) == restricted:
            return False
        (self.restricted.add if restricted else self.restricted.discard)(ticket_id)
        return True

    def read_copy(self, email: str) -> HelpdeskCopy:
        self._call("read_copy")
        name = self.contacts.get(email)
        contact = ContactCopy(fields={"name": name, "email": email}) if name is not None else None
        tickets = tuple(
            TicketCopy(id=t.id, subject="", status="open", description="")
            for t in self.requester_tickets(email)
        )
        return HelpdeskCopy(contact=contact, tickets=tickets)

    def update_requester(self, email: str, *, name: str | None = None, new_email: str | None = None) -> bool:
        self._call("update_contact")
        if email not in self.contacts or (name is None and new_email is None):
            return False
        current = self.contacts.pop(email)
        self.contacts[new_email or email] = name if name is not None else current
        return True
