"""Retention: 12 calendar months, day clamped, in UTC, never later than the promise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from contact_intake.core.retention import (
    LawfulBasis,
    add_calendar_months,
    expires_at_epoch,
    expiry_deadline,
    is_expired,
)

P = LawfulBasis.LEGITIMATE_INTERESTS


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        # ordinary day
        (datetime(2026, 11, 25, 4, 24, 36, tzinfo=UTC), datetime(2027, 11, 25, 4, 24, 36, tzinfo=UTC)),
        # leap day clamps to 28 February of the next (common) year
        (datetime(2028, 2, 29, 12, 0, tzinfo=UTC), datetime(2029, 2, 28, 12, 0, tzinfo=UTC)),
        # 28 February of a common year stays the 28th in the leap year after (not the 29th)
        (datetime(2027, 2, 28, 12, 0, tzinfo=UTC), datetime(2028, 2, 28, 12, 0, tzinfo=UTC)),
        # month ends: 31st stays 31st where the month has one
        (datetime(2026, 1, 31, 0, 0, tzinfo=UTC), datetime(2027, 1, 31, 0, 0, tzinfo=UTC)),
        (datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC), datetime(2027, 12, 31, 23, 59, 59, tzinfo=UTC)),
        # a second before and at midnight UTC stay on their own day
        (
            datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=UTC),
            datetime(2027, 6, 30, 23, 59, 59, 999999, tzinfo=UTC),
        ),
        (datetime(2026, 7, 1, 0, 0, 0, tzinfo=UTC), datetime(2027, 7, 1, 0, 0, 0, tzinfo=UTC)),
    ],
)
def test_prospect_deadline_is_twelve_calendar_months(received: datetime, deadline: datetime) -> None:
    assert expiry_deadline(received, P) == deadline


def test_local_time_near_midnight_is_counted_in_utc() -> None:
    # 00:30 in Amsterdam on 1 March is still 29 February in UTC (a leap day)
    amsterdam = timezone(timedelta(hours=1))
    received = datetime(2028, 3, 1, 0, 30, tzinfo=amsterdam)
    assert expiry_deadline(received, P) == datetime(2029, 2, 28, 23, 30, tzinfo=UTC)


def test_twelve_months_is_not_360_or_365_days() -> None:
    received = datetime(2027, 3, 1, tzinfo=UTC)  # the year after spans 29 Feb 2028
    deadline = expiry_deadline(received, P)
    assert deadline is not None
    assert (deadline - received).days == 366


def test_verified_customers_have_no_deadline_of_their_own() -> None:
    received = datetime(2026, 11, 25, tzinfo=UTC)
    assert expiry_deadline(received, LawfulBasis.CONTRACT) is None
    assert expires_at_epoch(received, LawfulBasis.CONTRACT) is None


def test_epoch_is_floored_never_later_than_the_deadline() -> None:
    received = datetime(2026, 11, 25, 4, 24, 36, 999999, tzinfo=UTC)
    epoch = expires_at_epoch(received, P)
    assert epoch == int(datetime(2027, 11, 25, 4, 24, 36, tzinfo=UTC).timestamp())
    assert datetime.fromtimestamp(epoch, UTC) <= expiry_deadline(received, P)  # type: ignore[operator]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_calendar_months(datetime(2026, 1, 1), 12)


@pytest.mark.parametrize(
    ("expires_at", "now", "expired"),
    [
        (None, datetime(2099, 1, 1, tzinfo=UTC), False),
        (1_800_000_000, datetime.fromtimestamp(1_799_999_999, UTC), False),
        (1_800_000_000, datetime.fromtimestamp(1_800_000_000, UTC), True),
        (1_800_000_000, datetime.fromtimestamp(1_800_000_001, UTC), True),
    ],
)
def test_is_expired_at_and_after_the_deadline(expires_at: int | None, now: datetime, expired: bool) -> None:
    assert is_expired(expires_at, now) is expired


def test_every_day_of_a_leap_cycle_lands_within_twelve_months() -> None:
    day = datetime(2027, 1, 1, 12, tzinfo=UTC)
    while day < datetime(2029, 1, 1, tzinfo=UTC):
        deadline = expiry_deadline(day, P)
        assert deadline is not None
        assert deadline.year == day.year + 1
        assert deadline.month == day.month
        assert deadline.day == min(day.day, 28 if (day.month == 2 and deadline.year % 4) else day.day)
        assert 365 <= (deadline - day).days <= 366
        day += timedelta(days=1)
