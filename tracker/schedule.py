"""Pure date arithmetic relative to infusion day: day numbers and local calendar days.

Day numbering (REFERENCE §1.1): the infusion day is day 0, the day before is day −1 and the
day after is day +1. Day numbers count *calendar days in the centre's time zone*, never
24-hour periods: the night a clock goes back has 25 hours and is still one day, and an
infusion at 00:30 local time belongs to that local date even though it is the previous
day in UTC. If a product is infused over several days, day 0 is the first infusion day
(CIBMTR [S22]).
"""

from datetime import date, datetime
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
