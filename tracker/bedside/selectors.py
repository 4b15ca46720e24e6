"""Reads of bedside monitoring that pages share: a course's monitoring panel and the ward."""

from django.db.models import OuterRef, QuerySet, Subquery

from tracker.clinical import days, neuro_scores
from tracker.clinical.stages import Stage
from tracker.core.clock import centre_tz
from tracker.models import Intervention, NeuroAssessment, TreatmentCourse, VitalSigns

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


CHART_LIST = [
    ("temperature", "Temperature", "°C"),
    ("heart_rate", "Heart rate", "/min"),
    ("systolic", "Systolic pressure", "mmHg"),
    ("spo2", "SpO₂", "%"),
    ("ice", "ICE score", "0–10"),
]
CHART_LIMIT = 3000  # points per series: a 28-day stay at hourly readings is well under it
DAY_SECONDS = 86400
MARKED_INTERVENTIONS = {
    Intervention.Kind.TOCILIZUMAB: "Tocilizumab",
    Intervention.Kind.CORTICOSTEROID: "Steroid",
    Intervention.Kind.ANAKINRA: "Anakinra",
    Intervention.Kind.SILTUXIMAB: "Siltuximab",
    Intervention.Kind.ICU_TRANSFER: "ICU transfer",
}


def _day(moment, infused_at) -> float:
    return round((moment - infused_at).total_seconds() / DAY_SECONDS, 3)


def _peak(points: list[dict], key: str, *, lowest: bool = False) -> dict | None:
    values = [p for p in points if p.get(key) is not None]
    if not values:
        return None
    return (min if lowest else max)(values, key=lambda p: p[key])


def course_charts(course: TreatmentCourse) -> dict | None:
    """Every current vital-signs set, neurological check and marked treatment of the course,
    as points over days since the first infusion, for the course page's charts, their tables
    and their text summaries. Three queries however long the stay."""
    infused_at = course.first_infusion_at
    if infused_at is None:
        return None
    tz = centre_tz()
    zero = days.local_date(infused_at, tz)

    def label(moment) -> str:
        return days.format_day(days.day_number(zero, days.local_date(moment, tz)))

    vitals = [
        {
            "day": _day(at, infused_at),
            "at": at,
            "when": label(at),
            "temperature": float(temp),
            "heart_rate": hr,
            "systolic": sbp,
            "spo2": spo2,
            "crs": grade,
        }
        for at, temp, hr, sbp, spo2, grade in course.vital_signs.current()
        .order_by("observed_at")
        .values_list("observed_at", "temperature_c", "heart_rate", "systolic_bp", "spo2", "grade")[:CHART_LIMIT]
    ]
    neuro = [
        {"day": _day(at, infused_at), "at": at, "when": label(at), "ice": ice, "capd": capd, "icans": grade}
        for at, ice, capd, grade in course.neuro_assessments.current()
        .order_by("observed_at")
        .values_list("observed_at", "ice_score", "capd_score", "grade")[:CHART_LIMIT]
    ]
    marks = [
        {"day": _day(at, infused_at), "at": at, "when": label(at), "label": MARKED_INTERVENTIONS[kind], "kind": kind}
        for at, kind in course.interventions.current()
        .filter(kind__in=list(MARKED_INTERVENTIONS))
        .order_by("given_at")
        .values_list("given_at", "kind")[:CHART_LIMIT]
    ]
    summary = []
    for key, name, unit, lowest in (
        ("temperature", "Temperature", "°C", False),
        ("heart_rate", "Heart rate", "/min", False),
        ("systolic", "Systolic pressure", "mmHg", True),
        ("spo2", "SpO₂", "%", True),
    ):
        peak = _peak(vitals, key, lowest=lowest)
        if peak:
            latest = vitals[-1]
            summary.append(
                f"{name}: {'lowest' if lowest else 'highest'} {peak[key]} {unit} on {label(peak['at'])}; "
                f"latest {latest[key]} {unit} ({label(latest['at'])})."
            )
    for key, name, source in (("crs", "CRS", vitals), ("icans", "ICANS", neuro)):
        peak = _peak(source, key)
        if peak:
            summary.append(f"{name}: highest grade {peak[key]} on {label(peak['at'])}; latest grade {source[-1][key]}.")
    ice_peak = _peak(neuro, "ice", lowest=True)
    if ice_peak:
        summary.append(f"ICE score: lowest {ice_peak['ice']}/10 on {label(ice_peak['at'])}.")
    if marks:
        summary.append("Treatments marked: " + "; ".join(f"{m['label']} on {label(m['at'])}" for m in marks) + ".")
    return {
        "vitals": vitals,
        "neuro": neuro,
        "marks": marks,
        "summary": summary,
        "chart_list": CHART_LIST,
        "data": {
            "vitals": [{k: v for k, v in p.items() if k != "at"} for p in vitals],
            "neuro": [{k: v for k, v in p.items() if k != "at"} for p in neuro],
            "marks": [{k: v for k, v in p.items() if k != "at"} for p in marks],
        },
    }
