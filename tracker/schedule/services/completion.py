"""Completing check-ins: by recording the observation they ask for, or explicitly with a note
(docs/clinical-rules.md §6.5). Completing one resolves its alerts."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tracker.core.audit import save_audited
from tracker.core.clock import as_utc, local_date, local_moment, start_of_local_day
from tracker.core.errors import CONFLICT, IN_FUTURE, REQUIRED, RULE, Refusal
from tracker.core.guards import FUTURE_TOLERANCE
from tracker.models import Alert, CheckIn, CheckInKind
from tracker.models.check_in import OPEN_STATUSES

# Check-in kinds an observation completes when it is recorded.
COMPLETED_BY_OBSERVATION = {"vital_signs": CheckInKind.VITAL_SIGNS, "neuro_assessment": CheckInKind.ICE_CAPD}
# An observation completes a check-in due at most this long before it (a round done late);
# anything older stays missed.
LATE_COMPLETION_LIMIT = timedelta(hours=24)


def _resolve_alerts(check_in: CheckIn, *, now: datetime, resolution: str) -> None:
    Alert.objects.filter(check_in=check_in).unresolved().update(
        status=Alert.Status.RESOLVED, resolved_at=now, resolution=resolution, next_escalation_at=None
    )


def _finish(check_in: CheckIn, *, by, at: datetime, note: str = "", **link) -> CheckIn:
    late = at > check_in.window_closes_at or check_in.status == CheckIn.Status.MISSED
    check_in.status = CheckIn.Status.COMPLETED_LATE if late else CheckIn.Status.COMPLETED
    check_in.completed_at, check_in.completed_by, check_in.completion_note = at, by, note
    for name, value in link.items():
        setattr(check_in, name, value)
    save_audited(check_in, by=by, reason="completed late" if late else "completed")
    _resolve_alerts(check_in, now=at, resolution=f"check-in {check_in.get_status_display().lower()}")
    return check_in


def complete_by_observation(observation, *, by) -> CheckIn | None:
    """Recording the observation a check-in asks for completes it (and links to it): the
    latest open check-in of that kind whose window had opened, due at most 24 hours before."""
    link = "vital_signs" if observation._meta.model_name == "vitalsigns" else "neuro_assessment"
    at = observation.observed_at
    check_in = (
        CheckIn.objects.select_for_update()
        .filter(
            course=observation.course,
            kind=COMPLETED_BY_OBSERVATION[link],
            status__in=OPEN_STATUSES,
            window_opens_at__lte=at,
            due_at__gte=at - LATE_COMPLETION_LIMIT,
        )
        .order_by("-due_at")
        .first()
    )
    if check_in is None:
        return None
    return _finish(check_in, by=by, at=at, **{link: observation})


@transaction.atomic
def complete_check_in(*, check_in: CheckIn, by, note: str, at: datetime | None = None) -> CheckIn:
    """Complete a check-in explicitly, with a note (labs reviewed, phone call made, scan done).
    ``at`` is when it was done, if earlier than now."""
    if not by.has_perm("tracker.complete_checkin"):
        raise PermissionDenied("You do not have permission to complete check-ins.")
    if not note.strip():
        raise Refusal("say what was done.", field="note", code=REQUIRED)
    now = timezone.now()
    at = as_utc(at or now)
    if at > now + FUTURE_TOLERANCE:
        raise Refusal("cannot be in the future.", field="at", code=IN_FUTURE)
    check_in = CheckIn.objects.select_for_update().get(pk=check_in.pk)
    if not check_in.is_open:
        raise Refusal(f"This check-in is already {check_in.get_status_display().lower()}.", code=CONFLICT)
    if at < check_in.window_opens_at - timedelta(hours=24):
        raise Refusal("This check-in is not due yet.", code=RULE)
    return _finish(check_in, by=by, at=at, note=note)


def complete_milestones(course, *, kinds, on, by, **link) -> list[CheckIn]:
    """A response assessment or a laboratory result completes the follow-up milestones it
    answers (docs/clinical-rules.md §6.4): for each kind, the open check-in whose window holds
    the date of the sample or scan (the nearest due if several). It is on time when that date
    is inside the window, whenever it is recorded. The caller holds the course lock."""
    completed = []
    for kind in kinds:
        candidates = CheckIn.objects.select_for_update().filter(
            course=course,
            kind=kind,
            status__in=OPEN_STATUSES,
            window_opens_at__lt=start_of_local_day(on + timedelta(1)),
        )
        nearest = min(
            (c for c in candidates if local_date(c.window_closes_at) >= on),
            key=lambda c: abs((local_date(c.due_at) - on).days),
            default=None,
        )
        if nearest is not None:
            at = min(timezone.now(), max(nearest.window_opens_at, local_moment(on, 12)))
            if local_date(nearest.window_closes_at) >= on:
                at = min(at, nearest.window_closes_at)
            completed.append(_finish(nearest, by=by, at=at, **link))
    return completed
