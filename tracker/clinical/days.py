"""Pure date arithmetic relative to infusion day: day numbers and local calendar days.

All arithmetic on elapsed time is done in UTC: Python adds a timedelta to an aware datetime
by its wall clock when the time zone is a ZoneInfo, which is wrong across a clock change.

Day numbering (docs/clinical-rules.md §2.8): the infusion day is day 0, the day before is day −1 and the
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
# clock: rounds happen at 08:00, 12:00, 16:00 whatever the UTC offset. A protocol's "at least
# every N hours" is elapsed time, though, and a clock change moves the wall clock under it
# (docs/clinical-rules.md §6.2):
#
# - When the clocks go back (London, late October: 02:00 BST becomes 01:00 GMT) the night has
#   25 hours, so wall-clock slots 22:00 BST and 02:00 GMT are 5 hours apart. For a rule
#   shorter than a day, the slot the clock change would drop is inserted, N hours after the
#   slot before it (01:00 GMT here), so no two consecutive slots are ever more than N hours
#   apart. An hourly rule takes the repeated 01:00 twice.
# - When the clocks go forward (late March) the night has 23 hours. A wall-clock slot the clock
#   skips (01:00 in London) does not exist; if dropping it leaves a gap longer than N hours
#   (a 3-hourly rule at 01:00), the slot is inserted N hours after the one before (02:00 BST).
#   Otherwise the gap is simply an hour shorter (22:00 GMT to 02:00 BST, 3 hours, for a
#   4-hourly rule): checking early is acceptable, checking late is not.
# - Daily and longer rules keep their local wall-clock time (labs at 06:00 every day); a time
#   the clock skips moves forward by the skipped hour, and a repeated time is taken once, at
#   its first occurrence.
#
# Milestones (day +28, month 3, year 5) land on a local calendar date counted from the
# infusion date (a month after 31 January is 28 or 29 February), at a set local time of day.

ALLOWED_INTERVAL_HOURS = (1, 2, 3, 4, 6, 8, 12, 24)
HOURS_IN_DAY = 24


def _exists(naive: datetime, tz: ZoneInfo) -> datetime | None:
    """The aware datetime for a local wall-clock time, or None if the clock skips it."""
    aware = naive.replace(tzinfo=tz, fold=0)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        return None
    return aware


def _wall_clock_instants(
    day_zero: date, tz: ZoneInfo, hours: list[int], first_day: int, last_day: int, *, daily: bool
) -> list[datetime]:
    """UTC instants of the local hours on days ``first_day`` to ``last_day``, in order, each
    once. A skipped local time is dropped (``daily``: moved forward by the skipped hour)."""
    instants = set()
    for offset in range(first_day, last_day + 1):
        day = day_zero + timedelta(days=offset)
        for hour in hours:
            if daily:
                moment = local_moment_on(day, time(hour), tz)
            else:
                moment = _exists(datetime.combine(day, time(hour)), tz)
                if moment is None:
                    continue
            instants.add(moment.astimezone(UTC))
    return sorted(instants)


def _fill_gaps(instants: list[datetime], step: timedelta) -> list[datetime]:
    """Insert a slot ``step`` after the one before wherever two consecutive slots are further
    apart than ``step`` (a clock change shifted the wall clock under the interval)."""
    filled: list[datetime] = []
    for instant in instants:
        while filled and instant - filled[-1] > step:
            filled.append(filled[-1] + step)
        filled.append(instant)
    return filled


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
    before ``until``, in the centre's time zone. For rules shorter than a day, no two
    consecutive slots are more than ``every_hours`` apart in elapsed time, also across a clock
    change (see above); the slots in any window are the same as in the whole range."""
    if every_hours not in ALLOWED_INTERVAL_HOURS:
        raise ValueError(f"every_hours must divide the day: one of {ALLOWED_INTERVAL_HOURS}, got {every_hours}")
    hours = sorted((first_hour + k * every_hours) % HOURS_IN_DAY for k in range(HOURS_IN_DAY // every_hours))
    # One day more on each side than the window needs: the slot before the first one in the
    # window decides whether a slot must be inserted, so a rolling horizon plans the same
    # slots as planning the whole range at once.
    first = max(from_day, day_number(day_zero, local_date(after, tz)) - 1)
    last = min(to_day, day_number(day_zero, local_date(until, tz)) + 1)
    daily = every_hours == HOURS_IN_DAY
    instants = _wall_clock_instants(day_zero, tz, hours, first, last, daily=daily)
    if not daily:
        instants = _fill_gaps(instants, timedelta(hours=every_hours))
    # Compare instants in UTC: aware datetimes sharing one ZoneInfo compare by wall clock.
    after, until = after.astimezone(UTC), until.astimezone(UTC)
    return [instant.astimezone(tz) for instant in instants if after < instant < until]


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
