"""The legal deadlines of a rights request (GDPR Art. 12(3)), as pure functions of the dates and the clock.

- An answer is due one calendar month after receipt. Calendar months, the day clamped to the month's end
  (31 January -> 28 or 29 February), as Regulation 1182/71 counts periods in months.
- It may be extended by up to two further months, with reasons, notified inside the first month. The
  extended deadline is counted from receipt (1 + n months), so 31 January + 1 + 2 months is 30 April.
- Days left are whole UTC calendar days: 0 on the day it is due, negative once overdue.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from contact_intake.core.retention import add_calendar_months

RESPONSE_MONTHS = 1
MAX_EXTENSION_MONTHS = 2
DEFAULT_RETENTION_YEARS = 3


class ExtensionRefused(ValueError):
    """An extension the rules do not allow; ``reason`` is a short machine code (safe to log)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def due_at(received_at: datetime) -> datetime:
    """When the answer is due: ``received_at`` + one calendar month (UTC, day clamped)."""
    return add_calendar_months(received_at, RESPONSE_MONTHS)


def extended_due_at(received_at: datetime, months: int) -> datetime:
    """The deadline after an extension by ``months`` (1 or 2): receipt + 1 + ``months`` calendar months."""
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        raise ExtensionRefused("months", f"an extension is 1 to {MAX_EXTENSION_MONTHS} months")
    return add_calendar_months(received_at, RESPONSE_MONTHS + months)


def extension(
    received_at: datetime, months: int, reason: str, now: datetime, *, already_extended: bool = False
) -> datetime:
    """The extended deadline, when an extension by ``months`` with ``reason`` is allowed ``now``.

    Raises ExtensionRefused: no reason given, months outside 1..2, the request was already extended (one
    extension, notified once), or the first month is over (it must be notified inside it).
    """
    if not reason.strip():
        raise ExtensionRefused("reason", "an extension needs a reason")
    if already_extended:
        raise ExtensionRefused("already_extended", "the request was already extended")
    new_due = extended_due_at(received_at, months)
    if now.astimezone(UTC) >= due_at(received_at):
        raise ExtensionRefused("first_month_over", "an extension must be notified inside the first month")
    return new_due


def days_left(due: datetime, now: datetime) -> int:
    """Whole UTC calendar days from ``now`` to ``due``: 0 on the day it is due, negative when overdue."""
    if due.tzinfo is None or now.tzinfo is None:
        raise ValueError("deadlines need aware datetimes")
    return (due.astimezone(UTC).date() - now.astimezone(UTC).date()).days


def record_expires_at(received_at: datetime, years: int = DEFAULT_RETENTION_YEARS) -> int:
    """The request record's own TTL (epoch seconds): ``years`` calendar years after receipt, floored."""
    if years < 1:
        raise ValueError("a request record is kept at least a year")
    return math.floor(add_calendar_months(received_at, 12 * years).timestamp())
