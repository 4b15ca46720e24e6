"""What the bedside writes share: when a record may be made, reading numbers, range checks,
the grader's errors as field errors, review flags, and saving a graded observation or the
amendment that corrects it (docs/clinical-rules.md §5.7)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from tracker.clinical import grading, ranges
from tracker.clinical.stages import POST_INFUSION_STAGES
from tracker.core.audit import amendment_target, save_recorded
from tracker.core.clock import as_utc, local_date
from tracker.core.errors import IN_FUTURE, RULE, Refusal
from tracker.core.guards import FUTURE_TOLERANCE, lock
from tracker.models import ThresholdEvent, TreatmentCourse


def check_when(course: TreatmentCourse, moment: datetime, field: str) -> None:
    """Bedside records are made from infusion on (re-admissions in follow-up included), not in
    the future, and not before day 0."""
    if course.stage_enum not in POST_INFUSION_STAGES:
        raise Refusal(
            f"Bedside monitoring is recorded from infusion on; this course is in {course.stage_enum.label}.", code=RULE
        )
    if moment > timezone.now() + FUTURE_TOLERANCE:
        raise Refusal("cannot be in the future.", field=field, code=IN_FUTURE)
    day_zero = course.day_zero
    if day_zero and local_date(moment) < day_zero:
        raise Refusal(f"is before the infusion (day 0 is {day_zero:%d %b %Y}).", field=field)


def to_decimal(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise Refusal(f"must be a number; got {value!r}", field=field) from None


def keep_one_decimal(values: dict, field: str) -> dict[str, str]:
    """Keep one decimal place (38.70 is 38.7); a second significant decimal is refused."""
    value = values.get(field)
    if value is None:
        return {}
    if value != value.quantize(Decimal("0.1")):
        return {field: f"{field.replace('_', ' ')}: give at most one decimal place; got {value}"}
    values[field] = value.quantize(Decimal("0.1"))
    return {}


def range_errors(values: dict, fields: list[str]) -> dict[str, str]:
    errors = {}
    for field in fields:
        problem = ranges.range_problem(field, values.get(field))
        if problem:
            errors[field] = problem
    return errors


def findings_or_refusal(build):
    """Build grading findings, turning the grader's FindingError into a field refusal."""
    try:
        return build()
    except grading.FindingError as error:
        raise Refusal(str(error), field=error.field or "__all__") from None


def review_reasons(result: grading.GradeResult, nurse_grade: int | None, syndrome: str) -> list[str]:
    """Why a physician should look: the nurse judged another grade, or a domain was not assessed."""
    reasons = []
    if nurse_grade is not None and nurse_grade != result.grade:
        reasons.append(f"Nurse judged {syndrome} grade {nurse_grade}; computed grade {result.grade}.")
    if result.needs_review:
        reasons.append(
            f"{', '.join(result.not_assessed).capitalize()} not assessed: grade from the other domains only."
        )
    return reasons


def check_nurse_grade(nurse_grade) -> int | None:
    if nurse_grade in (None, ""):
        return None
    if not isinstance(nurse_grade, int) or not 0 <= nurse_grade <= 4:
        raise Refusal(f"must be a grade from 0 to 4; got {nurse_grade!r}", field="nurse_judged_grade")
    return nurse_grade


@dataclass
class Recorded:
    """What a bedside write produced: the row, and the threshold events it raised."""

    observation: object
    events: list[ThresholdEvent]


def save_graded(observation, *, by, nurse_grade, review: list[str], amends, reason: str) -> None:
    """Save a graded observation with who recorded it, the nurse's judged grade and any review
    flags; an amendment points at the original, which is kept and marked superseded."""
    observation.nurse_judged_grade = nurse_grade
    observation.review_reasons, observation.needs_review = review, bool(review)
    save_recorded(observation, by=by, amends=amends, reason=reason)


def previous_observation(queryset, observation):
    """The latest current observation before this one in time (the grade it is compared with)."""
    return (
        queryset.current()
        .exclude(pk=observation.pk)
        .exclude(pk=observation.amends_id)
        .filter(observed_at__lte=observation.observed_at)
        .order_by("-observed_at", "-id")
        .first()
    )


def amend_graded(model, save, *, original, by, reason: str, observed_at, nurse_judged_grade, values) -> Recorded:
    """Correct a graded observation: a new, re-graded row that amends the original, which is
    kept and marked superseded (never edited in place). ``save`` is the record's own save."""
    course = lock(original.course)
    original = amendment_target(model, original, reason)
    observed_at = as_utc(observed_at or original.observed_at)
    check_when(course, observed_at, "observed_at")
    return save(
        course=course,
        by=by,
        observed_at=observed_at,
        values=values,
        nurse_judged_grade=nurse_judged_grade,
        amends=original,
        reason=reason,
    )
