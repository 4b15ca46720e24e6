"""Pure date arithmetic relative to infusion day: day numbers and local calendar days.

All arithmetic on elapsed time is done in UTC: Python adds a timedelta to an aware datetime
by its wall clock when the time zone is a ZoneInfo, which is wrong across a clock change.

Day numbering (REFERENCE §1.1): the infusion day is day 0, the day before is day −1 and the
day after is day +1. Day numbers count *calendar days in the centre's time zone*, never
24-hour periods: the night a clock goes back has 25 hours and is still one day, and an
infusion at 00:30 local time belongs to that local date even though it is the previous
day in UTC. If a product is infused over several days, day 0 is the first infusion day
(CIBMTR [S22]).
"""

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The calendar date of an aware datetime in the centre's time zone."""
    if moment.tzinfo is None:
        raise ValueError("local_date needs an aware datetime; naive times go wrong across DST")
    return moment.astimezone(tz).date()


def day_number(day_zero: date, on: date) -> int:
    """Day relative to infusion: 0 on the infusion date, negative before, positive after."""
    return (on - day_zero).days


def format_day(number: int) -> str:
    """'day 0', 'day +28', 'day −5' as clinicians write them."""
    if number == 0:
        return "day 0"
    return f"day {number:+d}".replace("-", "\u2212")


# --- Planning check-ins ---------------------------------------------------------------------------
# Interval check-ins (vital signs every 4 hours, ICE every 12 hours) fall on the local wall
# clock: rounds happen at 08:00, 12:00, 16:00 whatever the UTC offset. On the night the clocks
# go forward an hour is skipped (01:00 does not exist in London on that date), so a slot that
# does not exist is skipped; on the night they go back, an hour happens twice and the slot is
# taken once, at its first occurrence. Milestones (day +28, month 3, year 5) land on a local
# calendar date counted from the infusion date (a month after 31 January is 28 or 29
# February), at a set local time of day.

ALLOWED_INTERVAL_HOURS = (1, 2, 3, 4, 6, 8, 12, 24)


def _exists(naive: datetime, tz: ZoneInfo) -> datetime | None:
    """The aware datetime for a local wall-clock time, or None if the clock skips it."""
    aware = naive.replace(tzinfo=tz, fold=0)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        return None
    return aware


def interval_slots(
    *,
    day_zero: date,
    tz: ZoneInfo,
    every_hours: int,
    from_day: int,
    to_day: int,
    after: datetime,
    until: datetime,
    first_hour: int = 0,
) -> list[datetime]:
    """Local wall-clock times ``first_hour`` + k × ``every_hours`` (modulo the day) on days
    ``from_day`` to ``to_day`` (inclusive) after infusion, strictly after ``after`` and
    before ``until``."""
    if every_hours not in ALLOWED_INTERVAL_HOURS:
        raise ValueError(f"every_hours must divide the day: one of {ALLOWED_INTERVAL_HOURS}, got {every_hours}")
    hours = sorted((first_hour + k * every_hours) % 24 for k in range(24 // every_hours))
    first = max(from_day, day_number(day_zero, local_date(after, tz)))
    last = min(to_day, day_number(day_zero, local_date(until, tz)))
    # Compare instants in UTC: aware datetimes sharing one ZoneInfo compare by wall clock.
    after, until = after.astimezone(UTC), until.astimezone(UTC)
    slots, seen = [], set()
    for offset in range(first, last + 1):
        day = day_zero + timedelta(days=offset)
        for hour in hours:
            moment = _exists(datetime.combine(day, time(hour)), tz)
            if moment is None:
                continue
            instant = moment.astimezone(UTC)
            if after < instant < until and instant not in seen:
                seen.add(instant)
                slots.append(moment)
    return slots


def milestone_date(day_zero: date, *, days: int = 0, months: int = 0, years: int = 0) -> date:
    """Calendar arithmetic from the infusion date: years and months first, clipped to the last
    day of a shorter month (a month after 31 January is 28 or 29 February), then days."""
    months_since_year_zero = day_zero.year * 12 + day_zero.month - 1 + years * 12 + months
    year, month_index = divmod(months_since_year_zero, 12)
    day = min(day_zero.day, calendar.monthrange(year, month_index + 1)[1])
    return date(year, month_index + 1, day) + timedelta(days=days)


def local_moment_on(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A local time on a date; a time the clock skips moves forward by the skipped hour."""
    moment = _exists(datetime.combine(day, at), tz)
    if moment is None:
        # In the gap, fold=0 reads the time with the offset from before the change, which
        # lands the skipped length of time later on the new clock (01:30 → 02:30 in London).
        moment = datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(UTC).astimezone(tz)
    return moment
