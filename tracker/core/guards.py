"""Checks every write makes before it changes anything: permission, stage, "not in the
future", and the row lock that serialises concurrent writers on one course."""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tracker.clinical.stages import Stage
from tracker.core.errors import IN_FUTURE, RULE, Refusal

# A little clock skew between a bedside device and the server is not "in the future"
# (docs/clinical-rules.md §2.8).
FUTURE_TOLERANCE = timedelta(minutes=5)


def require_perm(user, perm: str, action: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(f"You do not have permission to {action}.")


def check_not_future(moment: datetime | date, field: str, now: datetime) -> None:
    """A clinical date or time may not be later than now (a time may be a few minutes ahead)."""
    if isinstance(moment, datetime):
        if moment > now + FUTURE_TOLERANCE:
            raise Refusal("cannot be in the future.", field=field, code=IN_FUTURE)
    elif moment > timezone.localdate(now):
        raise Refusal("cannot be in the future.", field=field, code=IN_FUTURE)


def lock(instance):
    """Re-read a row under a row lock, so two concurrent writes cannot both pass the rules
    against the same old state (on SQLite the IMMEDIATE transaction serialises writers)."""
    return type(instance).objects.select_for_update().get(pk=instance.pk)


def require_stage(course, allowed: set[Stage], what: str) -> None:
    if course.stage_enum not in allowed:
        names = " or ".join(sorted(s.label for s in allowed))
        raise Refusal(f"{what} can be recorded in {names}; this course is in {course.stage_enum.label}.", code=RULE)
