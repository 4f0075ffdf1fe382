"""Retention as a pure function of the record and the clock.

The statement promises deletion "as soon as the question is handled, at the latest after 12 months";
for registered customers "no longer than the account exists". Calendar months, not 30-day months:
``dateutil.relativedelta`` clamps the day (2028-02-29 + 12 months = 2029-02-28).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from enum import StrEnum

PROSPECT_RETENTION_MONTHS = 12


class LawfulBasis(StrEnum):
    CONTRACT = "contract"  # Art. 6(1)(b): a verified customer
    LEGITIMATE_INTERESTS = "legitimate_interests"  # Art. 6(1)(f): everyone else


def add_calendar_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus ``months`` calendar months in UTC, the day clamped to the target month's end."""
    if moment.tzinfo is None:
        raise ValueError("retention needs an aware datetime")
    # imported on first use: the verification page never adds months (its import was a share of
    # RightsApiFunction's cold first response, docs/decisions.md D86)
    from dateutil.relativedelta import relativedelta

    return moment.astimezone(UTC) + relativedelta(months=months)


def expiry_deadline(received_at: datetime, lawful_basis: LawfulBasis) -> datetime | None:
    """The latest moment an inquiry may exist, or None when only the account's closure ends it."""
    if lawful_basis is LawfulBasis.CONTRACT:
        return None
    return add_calendar_months(received_at, PROSPECT_RETENTION_MONTHS)


def expires_at_epoch(received_at: datetime, lawful_basis: LawfulBasis) -> int | None:
    """The TTL value (epoch seconds) for an inquiry: floored, so it is never later than the promise."""
    deadline = expiry_deadline(received_at, lawful_basis)
    return None if deadline is None else math.floor(deadline.timestamp())


def is_expired(expires_at: int | None, now: datetime) -> bool:
    """True once ``now`` has reached ``expires_at``: reads treat such items as already gone."""
    return expires_at is not None and now.timestamp() >= expires_at
