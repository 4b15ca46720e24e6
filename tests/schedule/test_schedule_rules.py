"""Pure schedule arithmetic: wall-clock slots across daylight-saving changes, and milestones on
local calendar dates."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.clinical.days import interval_slots, local_moment_on, milestone_date

LONDON = ZoneInfo("Europe/London")


def slots(day_zero, every, after, until, first_hour=0, from_day=0, to_day=30, tz=LONDON):
    return interval_slots(
        day_zero=day_zero,
        tz=tz,
        every_hours=every,
        first_hour=first_hour,
        from_day=from_day,
        to_day=to_day,
        after=after,
        until=until,
    )


def test_four_hourly_slots_fall_on_the_local_clock():
    found = slots(
        date(2026, 1, 10),
        4,
        datetime(2026, 1, 10, 10, 30, tzinfo=LONDON),
        datetime(2026, 1, 11, 7, tzinfo=LONDON),
        first_hour=2,
    )
    assert [s.strftime("%d %H:%M") for s in found] == ["10 14:00", "10 18:00", "10 22:00", "11 02:00", "11 06:00"]


def test_the_day_range_is_inclusive_and_counts_from_infusion_day():
    found = slots(
        date(2026, 1, 10),
        24,
        datetime(2026, 1, 9, tzinfo=LONDON),
        datetime(2026, 2, 1, tzinfo=LONDON),
        first_hour=9,
        from_day=0,
        to_day=2,
    )
    assert [s.date() for s in found] == [date(2026, 1, 10), date(2026, 1, 11), date(2026, 1, 12)]


def test_hourly_slots_skip_the_hour_the_clock_skips_in_spring():
    # 29 March 2026: 01:00 GMT becomes 02:00 BST; 01:00 local does not exist.
    found = slots(
        date(2026, 3, 28), 1, datetime(2026, 3, 28, 23, 30, tzinfo=LONDON), datetime(2026, 3, 29, 3, 30, tzinfo=LONDON)
    )
    assert [s.strftime("%H:%M%z") for s in found] == ["00:00+0000", "02:00+0100", "03:00+0100"]
    gaps = {b.astimezone(UTC) - a.astimezone(UTC) for a, b in zip(found, found[1:], strict=False)}
    assert gaps == {timedelta(hours=1)}


def test_hourly_slots_take_the_repeated_autumn_hour_once():
    # 25 October 2026: 02:00 BST becomes 01:00 GMT; 01:00 local happens twice.
    found = slots(
        date(2026, 10, 24),
        1,
        datetime(2026, 10, 25, 0, 30, tzinfo=LONDON),
        datetime(2026, 10, 25, 3, 30, tzinfo=LONDON),
    )
    assert [s.strftime("%H:%M%z") for s in found] == ["01:00+0100", "02:00+0000", "03:00+0000"]
    assert len({s.astimezone(UTC) for s in found}) == len(found)


def test_slots_across_a_dst_change_stay_at_the_same_local_times():
    found = slots(
        date(2026, 3, 27),
        4,
        datetime(2026, 3, 27, 0, 0, tzinfo=LONDON),
        datetime(2026, 3, 31, tzinfo=LONDON),
        first_hour=2,
    )
    assert {s.strftime("%H:%M") for s in found} == {"02:00", "06:00", "10:00", "14:00", "18:00", "22:00"}


@pytest.mark.parametrize("every", [5, 7, 9])
def test_intervals_must_divide_the_day(every):
    with pytest.raises(ValueError, match="divide the day"):
        slots(date(2026, 1, 1), every, datetime(2026, 1, 1, tzinfo=LONDON), datetime(2026, 1, 2, tzinfo=LONDON))


@pytest.mark.parametrize(
    ("day_zero", "offset", "expected"),
    [
        (date(2026, 1, 31), {"months": 1}, date(2026, 2, 28)),  # clipped to the month end
        (date(2028, 1, 31), {"months": 1}, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 12), {"days": 28}, date(2026, 2, 9)),
        (date(2026, 11, 30), {"months": 3}, date(2027, 2, 28)),
        (date(2028, 2, 29), {"years": 1}, date(2029, 2, 28)),
        (date(2026, 1, 12), {"years": 15}, date(2041, 1, 12)),
        (date(2026, 1, 12), {"days": 100}, date(2026, 4, 22)),
    ],
)
def test_milestones_land_on_calendar_dates(day_zero, offset, expected):
    assert milestone_date(day_zero, **offset) == expected


def test_a_milestone_after_the_spring_change_is_still_at_9_local_time():
    due = local_moment_on(milestone_date(date(2026, 3, 1), days=28), time(9), LONDON)
    assert due.strftime("%Y-%m-%d %H:%M %Z") == "2026-03-29 09:00 BST"
    assert due.astimezone(UTC).hour == 8


def test_a_local_time_the_clock_skips_moves_forward():
    assert local_moment_on(date(2026, 3, 29), time(1, 30), LONDON).strftime("%H:%M%z") == "02:30+0100"


@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    every=st.sampled_from([1, 2, 3, 4, 6, 8, 12, 24]),
    first_hour=st.integers(0, 23),
    zone=st.sampled_from(["Europe/London", "America/New_York", "Australia/Sydney", "UTC"]),
)
def test_slots_are_increasing_instants_on_the_local_clock(start, every, first_hour, zone):
    tz = ZoneInfo(zone)
    after = start.replace(tzinfo=UTC)
    found = interval_slots(
        day_zero=after.astimezone(tz).date(),
        tz=tz,
        every_hours=every,
        first_hour=first_hour,
        from_day=0,
        to_day=3,
        after=after,
        until=after + timedelta(days=3),
    )
    instants = [s.astimezone(UTC) for s in found]
    assert instants == sorted(set(instants))
    assert all(after < i < after + timedelta(days=3) for i in instants)
    allowed = {(first_hour + k * every) % 24 for k in range(24 // every)}
    assert all(s.astimezone(tz).hour in allowed and s.minute == 0 for s in found)
