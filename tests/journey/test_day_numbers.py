"""Day numbers relative to infusion and vein-to-vein time, across month ends, leap years and
daylight-saving changes. Day numbers count local calendar days, never 24-hour periods."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracker.clinical.days import day_number, format_day, local_date
from tracker.clinical.stages import VeinToVein

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")


@pytest.mark.parametrize(
    ("day_zero", "on", "expected"),
    [
        (date(2026, 1, 12), date(2026, 1, 7), -5),  # lymphodepletion day −5
        (date(2026, 1, 12), date(2026, 1, 12), 0),
        (date(2026, 1, 30), date(2026, 2, 27), 28),  # across a 31-day month end
        (date(2026, 2, 10), date(2026, 3, 10), 28),  # February has 28 days in 2026
        (date(2028, 2, 10), date(2028, 3, 9), 28),  # ... and 29 in 2028
        (date(2026, 12, 20), date(2027, 1, 17), 28),  # across the year end
        (date(2026, 3, 3), date(2026, 2, 26), -5),  # day −5 across a month start
        (date(2026, 3, 1), date(2027, 3, 1), 365),
        (date(2027, 3, 1), date(2028, 3, 1), 366),  # a leap day inside the year
    ],
)
def test_day_number_counts_calendar_days(day_zero, on, expected):
    assert day_number(day_zero, on) == expected


def test_the_short_night_of_the_spring_change_is_still_one_day():
    # Clocks go forward at 01:00 GMT on 29 March 2026: that day has 23 hours.
    infused = datetime(2026, 3, 28, 22, 30, tzinfo=LONDON)
    check = datetime(2026, 3, 29, 22, 30, tzinfo=LONDON)
    assert check.astimezone(UTC) - infused.astimezone(UTC) == timedelta(hours=23)
    assert day_number(local_date(infused, LONDON), local_date(check, LONDON)) == 1


def test_the_long_night_of_the_autumn_change_is_still_one_day():
    # Clocks go back at 02:00 BST on 25 October 2026: that day has 25 hours.
    infused = datetime(2026, 10, 24, 23, 30, tzinfo=LONDON)
    check = datetime(2026, 10, 25, 23, 59, tzinfo=LONDON)
    assert check.astimezone(UTC) - infused.astimezone(UTC) > timedelta(hours=24)
    assert day_number(local_date(infused, LONDON), local_date(check, LONDON)) == 1


def test_a_just_after_midnight_infusion_belongs_to_the_local_date_not_the_utc_date():
    # 00:30 BST on 1 July is still 30 June in UTC.
    infused_utc = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    assert local_date(infused_utc, LONDON) == date(2026, 7, 1)
    assert local_date(infused_utc, NEW_YORK) == date(2026, 6, 30)


def test_day_numbers_across_the_ambiguous_hour_of_a_new_york_autumn_change():
    # 1 November 2026: 01:30 happens twice in New York. Both are on the same local day.
    first = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=0)
    second = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=1)
    assert local_date(first.astimezone(UTC), NEW_YORK) == local_date(second.astimezone(UTC), NEW_YORK)


def test_southern_hemisphere_dst_change_keeps_day_numbers():
    # Sydney clocks go back on 5 April 2026.
    infused = datetime(2026, 4, 4, 9, 0, tzinfo=SYDNEY)
    day_zero = local_date(infused, SYDNEY)
    assert day_number(day_zero, local_date(infused + timedelta(days=28), SYDNEY)) == 28


def test_local_date_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="aware"):
        local_date(datetime(2026, 1, 1, 12, 0), LONDON)  # noqa: DTZ001 - the point of the test


@pytest.mark.parametrize(("number", "text"), [(0, "day 0"), (28, "day +28"), (-5, "day \u22125")])
def test_days_are_written_as_clinicians_write_them(number, text):
    assert format_day(number) == text


def test_vein_to_vein_and_its_sub_intervals_across_a_month_end():
    v2v = VeinToVein.from_dates(
        collected_on=date(2026, 1, 20),
        shipped_on=date(2026, 1, 21),
        released_on=date(2026, 2, 9),
        delivered_on=date(2026, 2, 12),
        infused_on=date(2026, 2, 19),
    )
    assert v2v.total_days == 30
    assert (
        v2v.collection_to_shipment_days,
        v2v.shipment_to_release_days,
        v2v.release_to_delivery_days,
        v2v.delivery_to_infusion_days,
    ) == (1, 19, 3, 7)
    assert sum([1, 19, 3, 7]) == v2v.total_days


def test_vein_to_vein_leaves_unknown_intervals_empty_before_infusion():
    v2v = VeinToVein.from_dates(collected_on=date(2026, 1, 20), shipped_on=date(2026, 1, 21))
    assert v2v.total_days is None
    assert v2v.collection_to_shipment_days == 1
    assert v2v.shipment_to_release_days is None


def test_vein_to_vein_spans_the_spring_dst_change_in_whole_days():
    v2v = VeinToVein.from_dates(collected_on=date(2026, 3, 10), infused_on=date(2026, 4, 9))
    assert v2v.total_days == 30


@pytest.mark.django_db
def test_course_day_zero_is_the_local_date_of_the_first_infusion(walker, time_machine):
    from tracker.core.clock import local_moment

    time_machine.move_to(datetime(2026, 4, 20, 12, tzinfo=LONDON), tick=False)
    walker.start_eligibility(date(2026, 2, 1))
    walker.confirm_eligible(date(2026, 2, 3))
    walker.collect_and_ship(date(2026, 2, 27))
    walker.release_and_receive(date(2026, 3, 20), date(2026, 3, 23))
    walker.lymphodeplete(date(2026, 3, 27), date(2026, 3, 29))
    # Infused at 00:30 BST on 1 April, which is 23:30 on 31 March in UTC; the stay spans the
    # spring clock change of 29 March.
    walker.infuse(local_moment(date(2026, 4, 1), 0, 30))
    course = walker.course
    assert course.infusions.get().infused_at.astimezone(UTC).date() == date(2026, 3, 31)
    assert course.day_zero == date(2026, 4, 1)
    assert course.day_number(date(2026, 4, 29)) == 28
    assert course.day_number(date(2026, 3, 27)) == -5
    assert course.vein_to_vein().total_days == 33  # 27 Feb → 1 Apr, across two month ends
