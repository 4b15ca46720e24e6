"""Pure schedule arithmetic: wall-clock slots across daylight-saving changes, and milestones on
local calendar dates."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
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


def test_hourly_slots_take_the_repeated_autumn_hour_twice_so_no_gap_exceeds_an_hour():
    # 25 October 2026: 02:00 BST becomes 01:00 GMT; 01:00 local happens twice. Taking it once
    # left two hours between 01:00 BST and 02:00 GMT (docs/clinical-rules.md §6.2).
    found = slots(
        date(2026, 10, 24),
        1,
        datetime(2026, 10, 25, 0, 30, tzinfo=LONDON),
        datetime(2026, 10, 25, 3, 30, tzinfo=LONDON),
    )
    assert [s.strftime("%H:%M%z") for s in found] == ["01:00+0100", "01:00+0000", "02:00+0000", "03:00+0000"]
    assert len({s.astimezone(UTC) for s in found}) == len(found)


def test_four_hourly_slots_get_the_slot_the_autumn_change_would_drop():
    # 22:00 BST then 02:00 GMT is 5 hours: 01:00 GMT (4 hours after 22:00 BST) is inserted.
    found = slots(
        date(2026, 10, 20),
        4,
        datetime(2026, 10, 24, 20, tzinfo=LONDON),
        datetime(2026, 10, 25, 8, tzinfo=LONDON),
        first_hour=2,
    )
    assert [s.strftime("%H:%M%z") for s in found] == ["22:00+0100", "01:00+0000", "02:00+0000", "06:00+0000"]


def test_two_hourly_slots_get_the_slot_the_autumn_change_would_drop():
    found = slots(
        date(2026, 10, 20), 2, datetime(2026, 10, 24, 23, tzinfo=LONDON), datetime(2026, 10, 25, 5, tzinfo=LONDON)
    )
    assert [s.strftime("%H:%M%z") for s in found] == ["00:00+0100", "01:00+0000", "02:00+0000", "04:00+0000"]


def test_a_three_hourly_rule_at_01_gets_the_slot_the_spring_change_skips():
    # 29 March 2026: 01:00 does not exist; 22:00 GMT to 04:00 BST would be 5 hours.
    found = slots(
        date(2026, 3, 20),
        3,
        datetime(2026, 3, 28, 20, tzinfo=LONDON),
        datetime(2026, 3, 29, 8, tzinfo=LONDON),
        first_hour=1,
    )
    assert [s.strftime("%H:%M%z") for s in found] == ["22:00+0000", "02:00+0100", "04:00+0100", "07:00+0100"]


def test_a_four_hourly_rule_has_a_shorter_gap_in_spring_and_no_extra_slot():
    # 22:00 GMT to 02:00 BST is 3 hours: early, never late, so nothing is inserted.
    found = slots(
        date(2026, 3, 20),
        4,
        datetime(2026, 3, 28, 20, tzinfo=LONDON),
        datetime(2026, 3, 29, 8, tzinfo=LONDON),
        first_hour=2,
    )
    assert [s.strftime("%H:%M%z") for s in found] == ["22:00+0000", "02:00+0100", "06:00+0100"]


def test_a_daily_rule_keeps_its_wall_clock_time_and_a_skipped_time_moves_forward():
    found = slots(
        date(2026, 3, 20),
        24,
        datetime(2026, 3, 27, tzinfo=LONDON),
        datetime(2026, 3, 31, tzinfo=LONDON),
        first_hour=1,
    )
    assert [s.strftime("%d %H:%M%z") for s in found] == [
        "27 01:00+0000",
        "28 01:00+0000",
        "29 02:00+0100",
        "30 01:00+0100",
    ]
    autumn = slots(
        date(2026, 10, 20),
        24,
        datetime(2026, 10, 24, tzinfo=LONDON),
        datetime(2026, 10, 27, tzinfo=LONDON),
        first_hour=6,
    )
    assert [s.strftime("%d %H:%M%z") for s in autumn] == ["24 06:00+0100", "25 06:00+0000", "26 06:00+0000"]


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


# --- Properties over every day of a year (docs/clinical-rules.md §6.2) ------------------------
# Three zones whose clocks change on different dates and in opposite seasons: London (01:00 UTC
# on the last Sundays of March and October), New York (02:00 local on the second Sunday of
# March and the first of November) and Sydney (southern hemisphere: back in April, forward in
# October). Every distinct grid of each sub-daily interval is planned over the whole of 2026.

ZONES = ["Europe/London", "America/New_York", "Australia/Sydney"]
SUB_DAILY_HOURS = [1, 2, 3, 4, 6, 8, 12]
YEAR = [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]


def year_of_slots(zone: str, every: int, first_hour: int, day_zero: date = YEAR[0], days: int = len(YEAR)):
    tz = ZoneInfo(zone)
    return interval_slots(
        day_zero=day_zero,
        tz=tz,
        every_hours=every,
        first_hour=first_hour,
        from_day=0,
        to_day=days - 1,
        after=datetime.combine(day_zero, time(), tzinfo=tz) - timedelta(hours=1),
        until=datetime.combine(day_zero + timedelta(days=days), time(), tzinfo=tz),
    )


def gaps(found):
    instants = [s.astimezone(UTC) for s in found]
    return [b - a for a, b in zip(instants, instants[1:], strict=False)]


@pytest.mark.parametrize("every", SUB_DAILY_HOURS)
@pytest.mark.parametrize("zone", ZONES)
def test_no_two_consecutive_slots_are_further_apart_than_the_interval_on_any_day_of_the_year(zone, every):
    tz = ZoneInfo(zone)
    for first_hour in range(every):  # every distinct grid: hours first_hour + k × every
        found = year_of_slots(zone, every, first_hour)
        assert max(gaps(found)) <= timedelta(hours=every), (zone, every, first_hour)
        assert min(gaps(found)) > timedelta(0)  # increasing instants, none twice
        assert {s.date() for s in found} == set(YEAR)  # every day of the year has its rounds
        grid = {(first_hour + k * every) % 24 for k in range(24 // every)}
        instants = [s.astimezone(UTC) for s in found]
        off_grid = [i for i, s in enumerate(found) if s.hour not in grid or s.minute]
        # Off the wall clock only where a clock change forced a slot in, exactly N hours after
        # the one before; a year has two changes, so at most two such slots.
        assert all(instants[i] - instants[i - 1] == timedelta(hours=every) for i in off_grid)
        assert len(off_grid) <= 2
        # Every other slot is on the local wall clock: on each day without a clock change,
        # every hour of the grid is there (a change day is covered by the gap property).
        on_grid = {(s.date(), s.hour) for s in found if s.hour in grid and not s.minute}
        steady = [day for day in YEAR if _offset_all_day(day, tz)]
        assert len(steady) == len(YEAR) - 2
        assert all((day, hour) in on_grid for day in steady for hour in grid)


def _offset_all_day(day: date, tz: ZoneInfo) -> bool:
    """True when the UTC offset is the same at the start and the end of the local day."""
    start = datetime.combine(day, time(), tzinfo=tz).utcoffset()
    end = datetime.combine(day, time(23, 59), tzinfo=tz).utcoffset()
    return start == end


@pytest.mark.parametrize("zone", ZONES)
def test_a_daily_rule_keeps_its_local_time_on_every_day_of_the_year(zone):
    tz = ZoneInfo(zone)
    for first_hour in range(24):
        found = year_of_slots(zone, 24, first_hour)
        assert [s.date() for s in found] == YEAR  # once a day, every day
        for s in found:
            skipped = _exists_locally(s.date(), first_hour, tz) is False
            # The wall-clock hour, or (the one night the clock skips it) an hour later.
            assert (s.hour, s.minute) == ((first_hour + 1, 0) if skipped else (first_hour, 0)), s


def _exists_locally(day: date, hour: int, tz: ZoneInfo) -> bool:
    naive = datetime.combine(day, time(hour))
    return naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    every=st.sampled_from([*SUB_DAILY_HOURS, 24]),
    first_hour=st.integers(0, 23),
    day_zero=st.sampled_from(YEAR),
    window_start_minutes=st.integers(0, 20 * 24 * 60),
    window_hours=st.integers(1, 72),
)
def test_a_rolling_horizon_plans_the_same_slots_as_the_whole_range(
    zone, every, first_hour, day_zero, window_start_minutes, window_hours
):
    # The planner asks for a 48-hour horizon at a time; the slots it gets must not depend on
    # where the window starts, or a re-plan would move or drop an inserted slot.
    whole = year_of_slots(zone, every, first_hour, day_zero=day_zero, days=21)
    after = datetime.combine(day_zero, time(), tzinfo=ZoneInfo(zone)).astimezone(UTC) + timedelta(
        minutes=window_start_minutes
    )
    until = after + timedelta(hours=window_hours)
    window = interval_slots(
        day_zero=day_zero,
        tz=ZoneInfo(zone),
        every_hours=every,
        first_hour=first_hour,
        from_day=0,
        to_day=20,
        after=after,
        until=until,
    )
    assert window == [s for s in whole if after < s < until]
    if every < 24:
        assert all(gap <= timedelta(hours=every) for gap in gaps(window))
