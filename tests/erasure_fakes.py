"""In-memory fakes of the ports the Eraser, the webhook and the sweeper use (the stores and the helpdesk).

They share one ``log`` of what was written where, in order, so a test can assert the erasure's order:
ticket, then ledger, then item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from contact_intake.core.retention import is_expired
from contact_intake.helpdesk.freshdesk import HelpdeskServerError, Ticket
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
    """Tickets by id: (requester e-mail, inquiry id). ``down`` makes every call a 500."""

    def __init__(self, log: list[str]) -> None:
        self.log = log
        self.tickets: dict[int, tuple[str, str]] = {}
        self.down = False
        self.calls: list[str] = []

    def add_ticket(self, ticket_id: int, email: str, inquiry_id: str) -> None:
        self.tickets[ticket_id] = (email, inquiry_id)

    def delete_ticket(self, ticket_id: int) -> None:
        self.calls.append(f"delete_ticket:{ticket_id}")
        if self.down:
            raise HelpdeskServerError("delete_ticket", status=500)
        self.log.append(f"ticket:{ticket_id}")
        self.tickets.pop(ticket_id, None)  # a 404 counts as done, as in FreshdeskClient

    def list_tickets_by_requester_email(self, email: str, *, updated_since: datetime | None) -> list[Ticket]:
        self.calls.append("list_tickets")
        if self.down:
            raise HelpdeskServerError("list_tickets", status=500)
        return [
            Ticket(id=tid, custom_fields={"cf_inquiry_id": inquiry})
            for tid, (owner, inquiry) in sorted(self.tickets.items())
            if owner == email
        ]

    def create_ticket(self, draft: Any) -> Ticket:  # part of the forwarder's port; erasure never creates
        raise AssertionError("erasure must never create a ticket")
