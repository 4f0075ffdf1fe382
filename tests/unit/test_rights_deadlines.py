"""Rights request deadlines (Art. 12(3)): one calendar month, one extension by up to two more months with a
reason inside the first month, days left, and the record's own retention. Calendar months, day clamped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contact_intake.rights import deadlines
from contact_intake.rights.deadlines import ExtensionRefused


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(2026, 1, 15), at(2026, 2, 15)),
        (at(2026, 1, 31), at(2026, 2, 28)),  # clamped to February's end
        (at(2028, 1, 31), at(2028, 2, 29)),  # leap year
        (at(2028, 1, 30), at(2028, 2, 29)),
        (at(2028, 2, 29), at(2028, 3, 29)),  # from a leap day: the same day next month
        (at(2026, 3, 31), at(2026, 4, 30)),
        (at(2026, 5, 31), at(2026, 6, 30)),
        (at(2026, 8, 31), at(2026, 9, 30)),
        (at(2026, 10, 31), at(2026, 11, 30)),
        (at(2026, 12, 31), at(2027, 1, 31)),  # over the year's end
        (at(2026, 12, 15, 23, 59), at(2027, 1, 15, 23, 59)),  # the time of day is kept
    ],
)
def test_due_one_calendar_month_after_receipt(received: datetime, due: datetime) -> None:
    assert deadlines.due_at(received) == due


def test_due_is_counted_in_utc() -> None:
    amsterdam = timezone(timedelta(hours=1))
    # 1 February 00:30 in Amsterdam is 31 January 23:30 UTC: due 28 February 23:30 UTC
    received = datetime(2026, 2, 1, 0, 30, tzinfo=amsterdam)
    assert deadlines.due_at(received) == at(2026, 2, 28, 23, 30)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        deadlines.due_at(datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="aware"):
        deadlines.days_left(datetime(2026, 1, 1), at(2026, 1, 1))


@pytest.mark.parametrize(
    ("received", "months", "extended"),
    [
        (at(2026, 1, 15), 1, at(2026, 3, 15)),
        (at(2026, 1, 15), 2, at(2026, 4, 15)),
        # counted from receipt (1 + n months), not from the clamped first deadline (28 Feb + 2 = 28 Apr)
        (at(2026, 1, 31), 2, at(2026, 4, 30)),
        (at(2026, 1, 31), 1, at(2026, 3, 31)),
        (at(2027, 12, 31), 1, at(2028, 2, 29)),  # into a leap February
        (at(2026, 11, 30), 2, at(2027, 2, 28)),
        (at(2026, 12, 31), 2, at(2027, 3, 31)),
    ],
)
def test_extended_deadline(received: datetime, months: int, extended: datetime) -> None:
    assert deadlines.extended_due_at(received, months) == extended
    assert deadlines.extension(received, months, "complex request", received) == extended


@pytest.mark.parametrize("months", [0, 3, -1, 12])
def test_extension_is_one_or_two_months(months: int) -> None:
    with pytest.raises(ExtensionRefused) as refused:
        deadlines.extension(at(2026, 1, 15), months, "reason", at(2026, 1, 16))
    assert refused.value.reason == "months"


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_extension_needs_a_reason(reason: str) -> None:
    with pytest.raises(ExtensionRefused) as refused:
        deadlines.extension(at(2026, 1, 15), 2, reason, at(2026, 1, 16))
    assert refused.value.reason == "reason"


def test_extension_only_inside_the_first_month() -> None:
    received = at(2026, 1, 31, 12, 0)
    # the last moment inside the month: 28 February 11:59:59
    last = deadlines.due_at(received) - timedelta(seconds=1)
    assert deadlines.extension(received, 2, "volume of records", last) == at(2026, 4, 30, 12, 0)
    for too_late in (deadlines.due_at(received), at(2026, 3, 1), at(2026, 12, 31)):
        with pytest.raises(ExtensionRefused) as refused:
            deadlines.extension(received, 2, "volume of records", too_late)
        assert refused.value.reason == "first_month_over"


def test_extension_only_once() -> None:
    with pytest.raises(ExtensionRefused) as refused:
        deadlines.extension(at(2026, 1, 15), 1, "again", at(2026, 1, 20), already_extended=True)
    assert refused.value.reason == "already_extended"


@pytest.mark.parametrize(
    ("due", "now", "left"),
    [
        (at(2026, 2, 15, 10), at(2026, 1, 15, 10), 31),
        (at(2026, 2, 15, 10), at(2026, 2, 14, 23, 59), 1),
        (at(2026, 2, 15, 10), at(2026, 2, 15, 0, 1), 0),  # due today
        (at(2026, 2, 15, 10), at(2026, 2, 15, 11), 0),  # due today, the hour passed: still the day itself
        (at(2026, 2, 15, 10), at(2026, 2, 16, 9), -1),  # overdue
        (at(2028, 3, 1, 0), at(2028, 2, 28, 23), 2),  # over a leap day
        (at(2027, 3, 1, 0), at(2027, 2, 28, 23), 1),
    ],
)
def test_days_left_are_whole_utc_calendar_days(due: datetime, now: datetime, left: int) -> None:
    assert deadlines.days_left(due, now) == left


def test_days_left_compare_utc_dates_whatever_the_offsets() -> None:
    tokyo = timezone(timedelta(hours=9))
    # the same instant written in Tokyo time: 16 January 03:00 is 15 January 18:00 UTC
    assert deadlines.days_left(at(2026, 1, 16, 1), datetime(2026, 1, 16, 3, tzinfo=tokyo)) == 1


@pytest.mark.parametrize(
    ("received", "years", "expires"),
    [
        (at(2026, 1, 15), 3, at(2029, 1, 15)),
        (at(2028, 2, 29), 3, at(2031, 2, 28)),  # a leap day clamped
        (at(2028, 2, 29), 4, at(2032, 2, 29)),
        (at(2026, 6, 30), 1, at(2027, 6, 30)),
    ],
)
def test_record_retention_in_calendar_years(received: datetime, years: int, expires: datetime) -> None:
    assert deadlines.record_expires_at(received, years) == int(expires.timestamp())


def test_record_retention_default_is_three_years_and_at_least_one() -> None:
    assert deadlines.record_expires_at(at(2026, 1, 15)) == int(at(2029, 1, 15).timestamp())
    with pytest.raises(ValueError, match="at least a year"):
        deadlines.record_expires_at(at(2026, 1, 15), 0)


def test_record_retention_is_floored_to_whole_seconds() -> None:
    received = datetime(2026, 1, 15, 10, 0, 0, 999_999, tzinfo=UTC)
    assert deadlines.record_expires_at(received, 3) == int(at(2029, 1, 15).timestamp())


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 12, 31),
        timezones=st.just(UTC),
    ),
    st.sampled_from([1, 2]),
)
def test_deadlines_are_ordered_and_bounded(received: datetime, months: int) -> None:
    due = deadlines.due_at(received)
    extended = deadlines.extended_due_at(received, months)
    # a calendar month is 28 to 31 days; the extension comes after the first deadline, 1 + n months later
    assert timedelta(days=28) <= due - received <= timedelta(days=31)
    assert due < extended <= received + timedelta(days=31 * (1 + months))
    assert deadlines.days_left(due, received) >= 28
