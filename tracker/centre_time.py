"""The centre's time zone, from the CENTRE_TIME_ZONE setting: local calendar days, day
numbers and milestone dates are counted in it."""

from zoneinfo import ZoneInfo

from django.conf import settings


def centre_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)
