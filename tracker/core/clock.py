"""The centre's clock: its time zone (CENTRE_TIME_ZONE), local calendar days, and instants of a
local wall-clock time. Day numbers and milestone dates are counted in local calendar days
(docs/clinical-rules.md §1); elapsed-time arithmetic is done on UTC instants."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings

from tracker.clinical import days


def centre_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_date(moment: datetime) -> date:
    """The centre's calendar date of an aware instant."""
    return days.local_date(moment, centre_tz())


def start_of_local_day(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=centre_tz())


def local_moment(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """The instant (in UTC) of a local wall-clock time in the centre's time zone, so that
    adding a timedelta to it adds elapsed time, also across a clock change."""
    return days.local_moment_on(day, time(hour, minute), centre_tz()).astimezone(UTC)


def as_utc(moment: datetime) -> datetime:
    """Incoming times as UTC instants: later arithmetic (windows, masking, 24-hour limits) is
    on elapsed time, which a local ZoneInfo datetime gets wrong across a clock change."""
    return moment.astimezone(UTC)
