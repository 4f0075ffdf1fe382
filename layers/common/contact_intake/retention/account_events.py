"""The shop's account events (EventBridge, source ``shop.accounts``) applied to the accounts mirror.

EventBridge delivers at least once and in no particular order, so an event is applied only when it is
newer than what is stored: ``version`` = the event's time, then the event type's rank (a closure beats an
e-mail change stamped the same second, which beats an opening). A closed account is never reopened by an
e-mail change; only an AccountOpened newer than the closure opens it again.

AccountOpened and AccountEmailChanged bring the account's identity along (docs/decisions.md D61): once the
event is the one the mirror holds, every inquiry of the customer (GSI ``by_customer``) gets the account's
address and its subject key, each write conditional on no newer event having been applied to that item
(``identity_version``), and the recordings tied to the account's former keys move to the new key. A replay
or a retry after a partial run does the same again; an older event, out of order, changes nothing.

AccountClosed marks the account closed, drops its subject key (the row stays as a tombstone, so a late
older event cannot bring the account back) and erases every inquiry of that customer with its tickets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contact_intake.core.dynamo import iso
from contact_intake.core.observability import MetricUnit, logger, metrics
from contact_intake.core.subject import InvalidAddress, normalise_email, subject_key
from contact_intake.intake.accounts import Account, AccountStatus, AccountStore
from contact_intake.intake.models import CustomerNumber
from contact_intake.retention.erasure import Eraser, ErasureReason, ErasureSummary

if TYPE_CHECKING:
    from contact_intake.intake.store import InquiryStore

ACCOUNT_SOURCE = "shop.accounts"
# How long a closed account's tombstone stays: far longer than EventBridge retries an event (24 h) or a
# failed one waits in the DLQ (14 days), so no older event can arrive after it is gone.
TOMBSTONE_RETENTION = timedelta(days=90)


class AccountEventType(StrEnum):
    OPENED = "AccountOpened"
    EMAIL_CHANGED = "AccountEmailChanged"
    CLOSED = "AccountClosed"


_RANK = {AccountEventType.OPENED: 0, AccountEventType.EMAIL_CHANGED: 1, AccountEventType.CLOSED: 2}


class AccountDetail(BaseModel):
    """The ``detail`` of a shop.accounts event. The address is used for its HMAC and then forgotten."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    customer_number: CustomerNumber
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)] | None = (
        Field(default=None, repr=False)
    )


@dataclass(frozen=True)
class AccountChange:
    """One shop.accounts event as the mirror applies it (``api/eventbridge.py`` reads it from EventBridge's
    envelope): the event's id, its type, when it happened at the shop, and its detail."""

    event_id: str
    kind: AccountEventType
    at: datetime
    detail: AccountDetail


class InvalidAccountEvent(Exception):
    """The event does not have the agreed shape. The message names fields, never their values."""

    def __init__(self, fields: list[str]) -> None:
        self.fields = fields
        super().__init__(f"invalid shop.accounts event: {', '.join(fields) or 'shape'}")


def event_version(at: datetime, kind: AccountEventType) -> str:
    """The order of account events: their time (UTC, fixed width, so the strings compare as the times
    do), then the type's rank."""
    return f"{iso(at)}#{_RANK[kind]}"


@dataclass(frozen=True)
class AccountEventResult:
    applied: bool  # False: an older or repeated event, nothing changed in the mirror
    erased: ErasureSummary | None = None  # for AccountClosed
    inquiries_moved: int = 0  # inquiries given the account's (new) address
    recordings_moved: int = 0  # recordings moved from a former address's key


class RecordingsFollower(Protocol):
    """The recordings ledger as the mirror moves it (contact_intake.recordings.store.RecordingLedger)."""

    def follow_account(self, former_key: str, key: str) -> int: ...


@dataclass(kw_only=True, frozen=True, eq=False, repr=False)
class AccountMirror:
    """Applies shop.accounts events to AccountsTable; AccountClosed erases that customer's inquiries."""

    accounts: AccountStore
    eraser: Eraser
    pepper: Callable[[], bytes]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    inquiries: InquiryStore | None = None
    recordings: RecordingsFollower | None = None

    def apply(self, event: AccountChange) -> AccountEventResult:
        """Apply one event. Raises InvalidAccountEvent (an opening or e-mail change without an address),
        ServiceUnavailable or HelpdeskError (a closure's erasure did not finish: the event is retried)."""
        kind = event.kind
        number = event.detail.customer_number
        at = event.at
        version = event_version(at, kind)
        if kind is AccountEventType.CLOSED:
            applied = self.accounts.put_if_newer(
                Account(number, AccountStatus.CLOSED, subject_key=None),
                version=version,
                updated_at=at,
                may_replace_closed=True,
                expires_at=int((self.clock() + TOMBSTONE_RETENTION).timestamp()),
            )
            # always, even for a repeated or out-of-date closure: an earlier run may have stopped midway
            erased = self.eraser.erase_customer(number, ErasureReason.ACCOUNT_CLOSED)
            self._log(event, applied, erased=erased.erased)
            return AccountEventResult(applied=applied, erased=erased)
        if not event.detail.email:
            raise InvalidAccountEvent(["detail.email"])
        try:
            address = normalise_email(event.detail.email)  # the one canonical spelling (D60)
        except InvalidAddress:
            raise InvalidAccountEvent(["detail.email"]) from None
        key = subject_key(address, self.pepper())
        applied = self.accounts.put_if_newer(
            Account(number, AccountStatus.OPEN, subject_key=key),
            version=version,
            updated_at=at,
            may_replace_closed=kind is AccountEventType.OPENED,  # only a newer opening reopens
            expires_at=None,
        )
        # also when not applied: a repeat of the current event finishes what an earlier run began
        inquiries, recordings = self._follow(number, address, key, version)
        self._log(event, applied, inquiries_moved=inquiries, recordings_moved=recordings)
        return AccountEventResult(applied=applied, inquiries_moved=inquiries, recordings_moved=recordings)

    def _follow(self, number: str, address: str, key: str, version: str) -> tuple[int, int]:
        """Give the customer's inquiries and recordings the account's identity, when this event is the one
        the mirror holds (a consistent read); (inquiries, recordings) moved."""
        if self.inquiries is None:
            return 0, 0
        account = self.accounts.get(number, consistent=True)
        if account is None or account.version != version or account.status is not AccountStatus.OPEN:
            return 0, 0  # a newer event holds the account: it brings the identity along itself
        inquiries = sum(
            self.inquiries.follow_account(
                inquiry_id, customer_number=number, email=address, key=key, version=version
            )
            for inquiry_id in list(self.inquiries.keys_by_customer(number))
        )
        recordings = 0
        if self.recordings is not None:
            for former in sorted(account.former_subject_keys):
                recordings += self.recordings.follow_account(former, key)
        return inquiries, recordings

    @staticmethod
    def _log(event: AccountChange, applied: bool, **counts: Any) -> None:
        metrics.add_metric(
            name="AccountEventApplied" if applied else "AccountEventStale", unit=MetricUnit.Count, value=1
        )
        # the event's id and type only: the customer number and the address are personal data
        logger.info(
            "account event",
            extra={"event_id": event.event_id, "detail_type": str(event.kind), "applied": applied, **counts},
        )
