"""Events after infusion (docs/clinical-rules.md §8): relapse or progression, death, a new
anticancer therapy, a consolidative transplant, loss to follow-up and contacts. A death closes
the course (its open check-ins are cancelled with the reason) and is refused while records
exist after its date; a relapse is recorded on the course, which stays in follow-up."""

from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from tracker.clinical.stages import ALLOWED_TRANSITIONS, Stage
from tracker.core.audit import amendment_target, save_audited, save_recorded
from tracker.core.clock import centre_tz
from tracker.core.errors import CONFLICT, REQUIRED, Refusal
from tracker.core.guards import lock, require_perm
from tracker.follow_up.services.common import choose, follow_up_day
from tracker.journey import services as journey
from tracker.models import CourseEvent, TreatmentCourse

EVENT_FIELDS = ("sites", "antigen_negative", "isolated_extramedullary", "death_cause", "therapy", "donor_type", "notes")
# The details each kind needs, and those it may not have.
REQUIRED_DETAILS = {
    CourseEvent.Kind.RELAPSE: ("sites",),
    CourseEvent.Kind.DEATH: ("death_cause",),
    CourseEvent.Kind.NEW_THERAPY: ("therapy",),
    CourseEvent.Kind.TRANSPLANT: ("donor_type",),
}
RELAPSE_ONLY = ("sites", "antigen_negative", "isolated_extramedullary")


def records_after(course: TreatmentCourse, on: date) -> list[str]:
    """What was recorded on this course after a date: a death on that date would contradict it."""
    end = datetime.combine(on, time.max, tzinfo=centre_tz())
    found = {
        "vital signs": course.vital_signs.current().filter(observed_at__gt=end),
        "neuro checks": course.neuro_assessments.current().filter(observed_at__gt=end),
        "treatments": course.interventions.current().filter(given_at__gt=end),
        "response assessments": course.response_assessments.current().filter(assessed_on__gt=on),
        "laboratory results": course.lab_results.current().filter(collected_on__gt=on),
        "infections": course.infections.current().filter(onset_on__gt=on),
        "events": course.course_events.current().filter(occurred_on__gt=on),
    }
    return [name for name, rows in found.items() if rows.exists()]


def build_event(course: TreatmentCourse, *, kind, occurred_on, excluding=None, **details) -> CourseEvent:
    kind = choose(kind, CourseEvent.Kind, "kind")
    unknown = set(details) - set(EVENT_FIELDS)
    if unknown:
        raise Refusal({field: "is not an event field." for field in unknown})
    day = follow_up_day(course, occurred_on, "occurred_on")
    details = {name: value for name, value in details.items() if value not in (None, "", [])}
    for field in REQUIRED_DETAILS.get(kind, ()):
        if field not in details:
            raise Refusal(f"is required for {CourseEvent.Kind(kind).label.lower()}.", field=field, code=REQUIRED)
    if kind != CourseEvent.Kind.RELAPSE:
        for field in RELAPSE_ONLY:
            if details.get(field):
                raise Refusal("belongs to a relapse.", field=field)
    sites = list(details.pop("sites", []))
    for site in sites:
        choose(site, CourseEvent.Site, "sites")
    if details.get("isolated_extramedullary") and CourseEvent.Site.MARROW in sites:
        raise Refusal(
            "an isolated extramedullary relapse does not involve the marrow.", field="isolated_extramedullary"
        )
    if "death_cause" in details:
        choose(details["death_cause"], CourseEvent.DeathCause, "death_cause")
    if "donor_type" in details:
        choose(details["donor_type"], CourseEvent.DonorType, "donor_type")
    if kind == CourseEvent.Kind.DEATH:
        earlier_death = course.course_events.current().filter(kind=CourseEvent.Kind.DEATH).exclude(pk=excluding)
        if earlier_death.exists():
            raise Refusal("A death is already recorded on this course; amend it instead.", code=CONFLICT)
        later = records_after(course, occurred_on)
        if later:
            raise Refusal(
                f"{', '.join(later).capitalize()} are recorded after {occurred_on:%d %b %Y}; correct them or the date.",
                field="occurred_on",
                code=CONFLICT,
            )
    return CourseEvent(course=course, kind=kind, occurred_on=occurred_on, day=day, sites=sites, **details)


def _close_for_death(course: TreatmentCourse, event: CourseEvent, *, by) -> None:
    """Death closes the course (the stage machine cancels the open check-ins with the reason);
    a course already closed keeps its stage and the patient's date of death is recorded."""
    note = f"Died on day {event.day}: {event.get_death_cause_display().lower()}"
    if Stage.DIED in ALLOWED_TRANSITIONS.get(course.stage_enum, ()):
        end_of_day = datetime.combine(event.occurred_on, time(23, 59), tzinfo=centre_tz())
        last_move = course.stage_entered_at
        occurred_at = min(timezone.now(), max(end_of_day, last_move) if last_move else end_of_day)
        journey.transition_course(course=course, to=Stage.DIED, by=by, note=note, occurred_at=occurred_at)
    patient = course.patient
    if patient.died_on != event.occurred_on:
        patient.died_on = event.occurred_on
        save_audited(patient, by=by, reason=note)


@transaction.atomic
def record_event(*, course: TreatmentCourse, by, kind: str, occurred_on: date, **details) -> CourseEvent:
    """Record an event after infusion. A death closes the course."""
    require_perm(by, "tracker.add_courseevent", "record events")
    course = lock(course)
    event = build_event(course, kind=kind, occurred_on=occurred_on, **details)
    if kind == CourseEvent.Kind.DEATH:
        require_perm(by, "tracker.change_stage", "record a death (it closes the course)")
    save_recorded(event, by=by)
    if kind == CourseEvent.Kind.DEATH:
        _close_for_death(course, event, by=by)
    return event


@transaction.atomic
def amend_event(*, original: CourseEvent, by, reason: str, occurred_on: date | None = None, **details) -> CourseEvent:
    """Correct an event's date or details (not its kind: record the right event instead)."""
    require_perm(by, "tracker.add_courseevent", "correct events")
    course = lock(original.course)
    original = amendment_target(CourseEvent, original, reason)
    kept = {name: getattr(original, name) for name in EVENT_FIELDS}
    event = build_event(
        course,
        kind=original.kind,
        occurred_on=occurred_on or original.occurred_on,
        excluding=original.pk,
        **(kept | details),
    )
    save_recorded(event, by=by, amends=original, reason=reason)
    if event.kind == CourseEvent.Kind.DEATH and course.patient.died_on != event.occurred_on:
        patient = course.patient
        patient.died_on = event.occurred_on
        save_audited(patient, by=by, reason=f"date of death corrected: {reason}")
    return event
