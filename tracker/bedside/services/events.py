"""Threshold events: a recording that crossed a threshold becomes an event, and the event an
urgent alert to the physician (docs/clinical-rules.md §5.5)."""

from tracker.bedside.services.common import previous_observation
from tracker.clinical import grading, toxicity
from tracker.core.queue import enqueue_on_commit
from tracker.models import Syndrome, ThresholdEvent, TreatmentCourse, VitalSigns
from tracker.schedule.services import completion


def threshold_event(course, kind, syndrome, observation, previous_grade, **link) -> ThresholdEvent:
    """The (unsaved) event for one threshold a recording crossed, with its summary."""
    label = toxicity.EVENT_LABELS[kind]
    name = Syndrome(syndrome).label
    if kind == toxicity.EventKind.FIRST_FEVER:
        summary = f"{label}: {observation.temperature_c} °C; CRS grade {observation.grade}"
    else:
        summary = f"{label}: {name} grade {observation.grade} (was {previous_grade})"
    summary = f"{summary}. {observation.grade_reasons[0]}"[:300]
    return ThresholdEvent(
        course=course,
        kind=kind,
        syndrome=syndrome,
        grade=observation.grade,
        previous_grade=previous_grade,
        occurred_at=observation.observed_at,
        summary=summary,
        **link,
    )


def crs_threshold_events(course: TreatmentCourse, observation: VitalSigns) -> list[ThresholdEvent]:
    previous = previous_observation(course.vital_signs, observation)
    previous_grade = previous.grade if previous else 0
    had_fever = (
        course.vital_signs.current()
        .exclude(pk=observation.pk)
        .filter(observed_at__lt=observation.observed_at, temperature_c__gte=grading.FEVER_THRESHOLD_C)
        .exists()
    )
    kinds = toxicity.crs_events(
        temperature_c=observation.temperature_c,
        had_fever_before=had_fever,
        grade=observation.grade,
        previous_grade=previous_grade,
    )
    events = [
        threshold_event(course, kind, Syndrome.CRS, observation, previous_grade, vital_signs=observation)
        for kind in kinds
    ]
    return [_saved(event, by=observation.recorded_by) for event in events]


def icans_threshold_events(course: TreatmentCourse, observation) -> list[ThresholdEvent]:
    previous = previous_observation(course.neuro_assessments, observation)
    previous_grade = previous.grade if previous else 0
    kinds = toxicity.icans_events(grade=observation.grade, previous_grade=previous_grade)
    events = [
        threshold_event(course, kind, Syndrome.ICANS, observation, previous_grade, neuro_assessment=observation)
        for kind in kinds
    ]
    return [_saved(event, by=observation.recorded_by) for event in events]


def _saved(event: ThresholdEvent, *, by) -> ThresholdEvent:
    # The event is history-tracked: its first row names the person whose recording crossed it.
    event._history_user = by
    event.save()
    return event


def after_recording(observation, events: list[ThresholdEvent], *, by, amendment: bool) -> None:
    """A new observation completes the check-in that asked for it; threshold events reach
    the physician at once through Celery (and at the next sweep if that message is lost)."""
    if not amendment:
        completion.complete_by_observation(observation, by=by)
    for event in events:
        enqueue_on_commit("tracker.tasks.raise_threshold_alert", event.id)
