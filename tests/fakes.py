"""In-memory fakes of our own ports (STYLE: fakes over mocks for our own interfaces)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from contact_intake.core.errors import CaptchaRejected, CaptchaUnavailable
from contact_intake.intake.models import InquiryRecord
from contact_intake.intake.queue import EnqueueFailed, claim_check
from contact_intake.intake.store import AccountNotOpen, InquiryExists
from tests.builders import NOW


class FakeVerifier:
    """Like the local emulator: ``pass:`` once, ``down:`` unavailable, anything else rejected."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.calls = 0

    def verify(self, token: str, remote_ip: str | None) -> None:
        self.calls += 1
        if token.startswith("down:"):
            raise CaptchaUnavailable(reason="unreachable")
        if not token.startswith("pass:"):
            raise CaptchaRejected(reason="invalid-input-response")
        if token in self.used:
            raise CaptchaRejected(reason="timeout-or-duplicate")
        self.used.add(token)


class FakeStore:
    def __init__(self, accounts: FakeCustomers | None = None) -> None:
        self.accounts = accounts
        self.before_customer_write: Callable[[], None] | None = None
        self.items: dict[str, InquiryRecord] = {}
        self.puts = 0
        self.gets = 0

    def put_new(self, record: InquiryRecord) -> None:
        self.puts += 1
        if record.inquiry_id in self.items:
            raise InquiryExists(self.items[record.inquiry_id])
        self.items[record.inquiry_id] = record

    def put_new_customer(self, record: InquiryRecord) -> None:
        """The transaction: the id must be free and ``accounts`` (FakeCustomers) must hold the account
        open for the record's subject key at this moment. ``before_customer_write`` runs first: whatever
        a test wants to happen between the intake's check and its write."""
        if self.before_customer_write is not None:
            self.before_customer_write()
        self.puts += 1
        if record.inquiry_id in self.items:
            raise InquiryExists(self.items[record.inquiry_id])
        number = record.customer_number or ""
        if self.accounts is None or self.accounts.accounts.get(number) != (record.subject_key, "open"):
            raise AccountNotOpen()
        self.items[record.inquiry_id] = record

    def get(self, inquiry_id: str) -> InquiryRecord | None:
        self.gets += 1
        return self.items.get(inquiry_id)


class FakeQueue:
    def __init__(self, *, failing: bool = False) -> None:
        self.bodies: list[str] = []
        self.failing = failing

    def send(self, inquiry_id: str, delay_seconds: int = 0) -> None:
        if self.failing:
            raise EnqueueFailed("ClientError")
        self.bodies.append(claim_check(inquiry_id))


class FakeClock:
    """A clock that moves only when told to: ``clock()`` is now, ``clock.advance(seconds=...)`` moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class FakeCustomers:
    """The accounts mirror as the intake asks it. ``accounts``: number -> (subject key, "open"|"closed")."""

    def __init__(self) -> None:
        self.accounts: dict[str, tuple[str, str]] = {}
        self.lookups: list[str] = []

    def is_verified(self, customer_number: str, subject: str) -> bool:
        self.lookups.append(customer_number)
        return self.accounts.get(customer_number) == (subject, "open")
