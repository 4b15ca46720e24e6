"""Reads of bedside monitoring that pages share: a course's monitoring panel and the ward."""

from django.db.models import OuterRef, QuerySet, Subquery

from tracker.clinical import neuro_scores
from tracker.clinical.stages import Stage
from tracker.models import NeuroAssessment, TreatmentCourse, VitalSigns

RECENT_VITALS = 12
RECENT_NEURO = 8
RECENT_INTERVENTIONS = 10
RECENT_EVENTS = 10


def course_monitoring(course: TreatmentCourse) -> dict | None:
    """Current grades, episodes, threshold events and recent records, in a fixed number of
    queries however long the stay."""
    if course.day_zero is None:
        return None
    vitals = list(course.vital_signs.current().select_related("recorded_by", "amends")[:RECENT_VITALS])
    neuro = list(course.neuro_assessments.current().select_related("recorded_by", "amends")[:RECENT_NEURO])
    # Every flagged assessment still unreviewed, however old, not only the recent ones shown.
    to_review = [
        *course.vital_signs.current().filter(needs_review=True, reviewed_at__isnull=True),
        *course.neuro_assessments.current().filter(needs_review=True, reviewed_at__isnull=True),
    ]
    return {
        "crs_now": vitals[0] if vitals else None,
        "icans_now": neuro[0] if neuro else None,
        "vitals": vitals,
        "neuro": neuro,
        "interventions": list(
            course.interventions.current().select_related("given_by", "amends")[:RECENT_INTERVENTIONS]
        ),
        "episodes": list(course.toxicity_episodes.all()),
        "events": list(course.threshold_events.all()[:RECENT_EVENTS]),
        "to_review": to_review,
        "ice_items": neuro_scores.ICE_ITEMS,
    }


def ward_courses(user) -> QuerySet[TreatmentCourse]:
    """Courses in acute monitoring (days 0 to 28) that this user may see, with their latest
    CRS and ICANS grades and temperature as annotations (no query per row)."""
    latest_vitals = VitalSigns.objects.current().filter(course=OuterRef("pk")).order_by("-observed_at", "-id")
    latest_neuro = NeuroAssessment.objects.current().filter(course=OuterRef("pk")).order_by("-observed_at", "-id")
    return (
        TreatmentCourse.objects.visible_to(user)
        .filter(stage=Stage.ACUTE_MONITORING)
        .select_related("patient", "treating_physician")
        .with_journey_dates()
        .annotate(
            crs_grade=Subquery(latest_vitals.values("grade")[:1]),
            crs_at=Subquery(latest_vitals.values("observed_at")[:1]),
            icans_grade=Subquery(latest_neuro.values("grade")[:1]),
            icans_at=Subquery(latest_neuro.values("observed_at")[:1]),
            temperature_c=Subquery(latest_vitals.values("temperature_c")[:1]),
        )
        .order_by("patient__family_name", "patient__given_name")
    )
