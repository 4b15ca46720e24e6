"""What the follow-up writes share: the day a dated record falls on, the checks on that date,
and choices checked against a model's (docs/clinical-rules.md §8)."""

from datetime import date

from django.utils import timezone

from tracker.core.errors import CONFLICT, IN_FUTURE, RULE, Refusal
from tracker.models import TreatmentCourse


def follow_up_day(course: TreatmentCourse, on, field: str) -> int:
    """The day number of a follow-up record's date, after checking the date: a real date, not in
    the future, not before the infusion (day 0) and not after the patient's death."""
    if not isinstance(on, date):
        raise Refusal(f"must be a date (YYYY-MM-DD); got {on!r}", field=field)
    day_zero = course.day_zero
    if day_zero is None:
        raise Refusal("Follow-up is recorded from infusion on; this course has no infusion yet.", code=RULE)
    if on > timezone.localdate():
        raise Refusal("cannot be in the future.", field=field, code=IN_FUTURE)
    if on < day_zero:
        raise Refusal(f"is before the infusion (day 0 is {day_zero:%d %b %Y}).", field=field)
    died_on = course.patient.died_on
    if died_on and on > died_on:
        raise Refusal(f"is after the patient's death ({died_on:%d %b %Y}).", field=field, code=CONFLICT)
    return (on - day_zero).days


def choose(value, choices, field: str, *, blank: bool = False) -> str:
    if blank and value in (None, ""):
        return ""
    if value not in choices.values:
        raise Refusal(f"choose one of {', '.join(v for v in choices.values if v)}; got {value!r}", field=field)
    return value
