"""Outcome rows from the database: one `CourseFacts` per treatment course, in a fixed number of queries.

The rules of what counts (denominators, responses, events, censoring) are in
`tracker.outcomes.definitions` and docs/clinical-rules.md §10; this module only reads what the
tracker recorded and hands it over as plain values. Every related table is read once, filtered
by a subquery of the chosen courses (never a list of ids), so the number of queries is the same
for 1 course or 10,000 and no database parameter limit is reached.

Where each fact comes from (docs/clinical-rules.md §10.7):
- leukapheresis: the first `Leukapheresis.collected_on`; infusion: the local date of the first
  `Infusion.infused_at` (day 0, as `TreatmentCourse.day_zero`);
- day +28 assessment: the current response assessment whose day is within the day +28
  milestone window (day +21 to day +42, the default protocol's response milestone: 7 days
  before, 14 after), the one nearest day +28 (the earlier on a tie);
- best overall response: `tracker.clinical.response.best_overall_response` over the current
  assessments in time order; the first response: the first assessment that is a response;
- relapse or progression, death, transplant and new therapy: the first current event of each
  kind (a transplant before relapse is consolidative, definitions Decision 9); last contact:
  the latest current contact event;
- CRS and ICANS maxima: the highest grade of the course's toxicity episodes, 0 when the course
  was graded at the bedside (current vital signs for CRS, a neuro assessment for ICANS) without
  an episode,
  None (not recorded) when it was never graded; onset: the day of the first episode; duration:
  calendar days from each episode's onset to its last positive observation, inclusive, summed;
- tocilizumab and corticosteroids: any current intervention of that kind;
- vein-to-vein: from the collection of the newest manufacturing run to infusion
  (`TreatmentCourse.vein_to_vein`); cell dose per kg: the first infusion's dose as CAR-positive
  cells per kg (×10⁶/kg as given, or a total dose divided by the patient's weight);
- age at infusion: whole years from the date of birth to the infusion date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Min, QuerySet

from tracker.clinical import days, response
from tracker.clinical.products import PRODUCTS
from tracker.core.clock import centre_tz
from tracker.core.errors import Refusal
from tracker.models import (
    CourseEvent,
    ImportedHistory,
    Infusion,
    Intervention,
    ManufacturingRun,
    NeuroAssessment,
    ResponseAssessment,
    ToxicityEpisode,
    TreatmentCourse,
    VitalSigns,
)
from tracker.outcomes.definitions import (
    CourseFacts,
    Origin,
    SubgroupDimension,
    age_group,
    counts_as_response,
    subgroup_level,
)

# The default protocol's day +28 response milestone window (tracker/default_protocol.py:
# 7 days before, 14 days after): an assessment on day +21 to day +42 is the day +28 assessment.
DAY28 = 28
DAY28_WINDOW = (21, 42)
# The landmark for the transplant comparison: day +90 by default (issue 12), at most 2 years.
DEFAULT_LANDMARK_DAY = 90
MAX_LANDMARK_DAY = 730

CELLS_PER_UNIT = {
    Infusion.DoseUnit.CELLS_E6: Decimal(10) ** 6,
    Infusion.DoseUnit.CELLS_E6_PER_KG: Decimal(10) ** 6,
    Infusion.DoseUnit.CELLS_E8: Decimal(10) ** 8,
}


@dataclass(frozen=True)
class OutcomeFilters:
    """The filters of the outcomes page, the API and `manage.py outcomes` (issue 12 item 3)."""

    diagnosis: str = ""  # a TreatmentCourse.Diagnosis code
    product: str = ""  # a product code
    target_antigen: str = ""  # e.g. CD19; a course matches when its product targets it
    age_group: str = ""  # "under 18", "18-64", "65 and over"
    infused_from: date | None = None
    infused_to: date | None = None

    def keep(self, facts: CourseFacts, diagnosis: str) -> bool:
        if self.diagnosis and diagnosis != self.diagnosis:
            return False
        if self.product and facts.product != self.product:
            return False
        if self.target_antigen and self.target_antigen not in facts.target_antigens:
            return False
        if self.age_group and age_group(facts.age_at_infusion) != self.age_group:
            return False
        if self.infused_from and (facts.infused_on is None or facts.infused_on < self.infused_from):
            return False
        return not (self.infused_to and (facts.infused_on is None or facts.infused_on > self.infused_to))


AGE_GROUPS = ("under 18", "18-64", "65 and over")


def parse_filters(params) -> tuple[OutcomeFilters, Origin, int]:
    """The filters, origin and landmark day from query parameters (a page's or the API's).

    Raises `Refusal` naming each bad parameter and what it allows.
    """
    problems: dict[str, str] = {}
    diagnosis = params.get("diagnosis", "") or ""
    if diagnosis and diagnosis not in TreatmentCourse.Diagnosis.values:
        problems["diagnosis"] = f"must be one of {', '.join(TreatmentCourse.Diagnosis.values)}."
    product = params.get("product", "") or ""
    if product and product not in PRODUCTS:
        problems["product"] = f"must be one of {', '.join(PRODUCTS)}."
    group = params.get("age_group", "") or ""
    if group and group not in AGE_GROUPS:
        problems["age_group"] = f"must be one of {', '.join(AGE_GROUPS)}."
    dates = {}
    for name in ("infused_from", "infused_to"):
        value = params.get(name, "") or ""
        try:
            dates[name] = date.fromisoformat(value) if value else None
        except ValueError:
            problems[name] = "must be an ISO date (YYYY-MM-DD)."
    origin_value = params.get("origin", "") or Origin.INFUSION.value
    if origin_value not in {o.value for o in Origin}:
        problems["origin"] = f"must be one of {', '.join(o.value for o in Origin)}."
    landmark = params.get("landmark_day", "") or str(DEFAULT_LANDMARK_DAY)
    if not landmark.isdigit() or not 0 < int(landmark) <= MAX_LANDMARK_DAY:
        problems["landmark_day"] = f"must be a whole number of days from 1 to {MAX_LANDMARK_DAY}."
    if problems:
        raise Refusal(problems)
    filters = OutcomeFilters(
        diagnosis=diagnosis,
        product=product,
        target_antigen=(params.get("target_antigen", "") or "").strip().upper(),
        age_group=group,
        **dates,
    )
    return filters, Origin(origin_value), int(landmark)


def _first(values: Iterable[date]) -> date | None:
    values = [value for value in values if value is not None]
    return min(values) if values else None


def _years_between(born_on: date, on: date) -> int:
    return on.year - born_on.year - ((on.month, on.day) < (born_on.month, born_on.day))


def _cells_per_kg(infusion: Infusion | None, weight_kg: Decimal | None) -> float | None:
    if infusion is None:
        return None
    cells = infusion.dose_value * CELLS_PER_UNIT[infusion.dose_unit]
    if infusion.dose_unit != Infusion.DoseUnit.CELLS_E6_PER_KG:
        if not weight_kg:
            return None
        cells = cells / weight_kg
    return float(cells)


def _grouped(rows: Iterable, key: str = "course_id") -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


def _day28_category(disease, assessments: list[ResponseAssessment]) -> str | None:
    low, high = DAY28_WINDOW
    in_window = [a for a in assessments if low <= a.day <= high]
    if disease is None or not in_window:
        return None
    return min(in_window, key=lambda a: (abs(a.day - DAY28), a.day)).category


def _toxicity(episodes: list[ToxicityEpisode], graded: bool, day_zero: date, syndrome: str):
    """(maximum grade, onset day, duration days) of one syndrome for one course."""
    mine = sorted((e for e in episodes if e.syndrome == syndrome), key=lambda e: e.onset_at)
    if not mine:
        return (0 if graded else None), None, None
    tz = centre_tz()
    onset = days.day_number(day_zero, days.local_date(mine[0].onset_at, tz))
    duration = sum((days.local_date(e.last_positive_at, tz) - days.local_date(e.onset_at, tz)).days + 1 for e in mine)
    return max(e.max_grade for e in mine), max(onset, 0), duration


def course_facts(courses: QuerySet[TreatmentCourse]) -> list[tuple[TreatmentCourse, CourseFacts]]:
    """Each course of `courses` with its `CourseFacts`, in 11 queries whatever their number."""
    courses = courses.select_related("patient").annotate(
        first_infused_at=Min("infusions__infused_at"), first_collected_on=Min("collections__collected_on")
    )
    chosen = courses.values("pk")
    course_list = list(courses.prefetch_related("target_antigens").order_by("pk"))
    infusions = _grouped(Infusion.objects.filter(course__in=chosen).order_by("infused_at", "pk"))
    runs = _grouped(
        ManufacturingRun.objects.filter(course__in=chosen).select_related("collection").order_by("-created_at", "-pk")
    )
    assessments = _grouped(ResponseAssessment.objects.current().filter(course__in=chosen).order_by("assessed_on", "pk"))
    events = _grouped(CourseEvent.objects.current().filter(course__in=chosen).order_by("occurred_on", "pk"))
    episodes = _grouped(ToxicityEpisode.objects.filter(course__in=chosen))
    treated = defaultdict(set)
    kinds = (Intervention.Kind.TOCILIZUMAB, Intervention.Kind.CORTICOSTEROID)
    for course_id, kind in (
        Intervention.objects.current().filter(course__in=chosen, kind__in=kinds).values_list("course_id", "kind")
    ):
        treated[course_id].add(kind)
    graded = {
        "crs": set(
            VitalSigns.objects.current()
            .filter(course__in=chosen)
            .order_by()
            .values_list("course_id", flat=True)
            .distinct()
        ),
        "icans": set(
            NeuroAssessment.objects.current()
            .filter(course__in=chosen)
            .order_by()
            .values_list("course_id", flat=True)
            .distinct()
        ),
    }

    imported = {record.course_id: record for record in ImportedHistory.objects.filter(course__in=chosen)}

    result = []
    tz = centre_tz()
    for course in course_list:
        if course.pk in imported:
            result.append((course, _imported_facts(course, imported[course.pk])))
            continue
        disease = response.disease_for_diagnosis(course.diagnosis)
        day_zero = days.local_date(course.first_infused_at, tz) if course.first_infused_at else None
        result.append(
            (course, _facts(course, disease, day_zero, infusions, runs, assessments, events, episodes, treated, graded))
        )
    return result


def _facts(course, disease, day_zero, infusions, runs, assessments, events, episodes, treated, graded) -> CourseFacts:
    infused = day_zero is not None
    mine = assessments.get(course.pk, []) if disease is not None and infused else []
    categories = [a.category for a in mine]
    best = response.best_overall_response(disease, categories) if mine else None
    responded_on = None
    if best is not None and counts_as_response(disease, best):
        responded_on = next(a.assessed_on for a in mine if counts_as_response(disease, a.category))
    by_kind: dict[str, list[CourseEvent]] = defaultdict(list)
    for event in events.get(course.pk, []):
        by_kind[event.kind].append(event)
    deaths = by_kind[CourseEvent.Kind.DEATH]
    contacts = [e.occurred_on for e in by_kind[CourseEvent.Kind.LAST_CONTACT]]
    crs = icans = (None, None, None)
    if infused:
        course_episodes = episodes.get(course.pk, [])
        crs = _toxicity(course_episodes, course.pk in graded["crs"], day_zero, "crs")
        icans = _toxicity(course_episodes, course.pk in graded["icans"], day_zero, "icans")
    course_runs = runs.get(course.pk, [])
    vein_to_vein = None
    if infused and course_runs:
        vein_to_vein = max((day_zero - course_runs[0].collection.collected_on).days, 0)
    first_infusion = infusions.get(course.pk, [None])[0]
    apheresed_on = course.first_collected_on
    if apheresed_on is not None and infused and apheresed_on > day_zero:
        apheresed_on = None  # a collection after the infusion is for another product, not this one
    return CourseFacts(
        course_id=str(course.public_id),
        diagnosis_group=disease,
        apheresed_on=apheresed_on,
        infused_on=day_zero,
        day28_category=_day28_category(disease, mine),
        best_category=str(best) if best is not None else None,
        responded_on=responded_on,
        relapse_on=_first(e.occurred_on for e in by_kind[CourseEvent.Kind.RELAPSE]),
        death_on=deaths[0].occurred_on if deaths else None,
        death_cause=deaths[0].get_death_cause_display() if deaths and deaths[0].death_cause else "",
        transplant_on=_first(e.occurred_on for e in by_kind[CourseEvent.Kind.TRANSPLANT]),
        new_therapy_on=_first(e.occurred_on for e in by_kind[CourseEvent.Kind.NEW_THERAPY]),
        last_contact_on=max(contacts) if contacts else None,
        crs_max_grade=crs[0],
        crs_onset_day=crs[1],
        crs_duration_days=crs[2],
        icans_max_grade=icans[0],
        icans_onset_day=icans[1],
        icans_duration_days=icans[2],
        tocilizumab=infused and Intervention.Kind.TOCILIZUMAB in treated[course.pk],
        steroids=infused and Intervention.Kind.CORTICOSTEROID in treated[course.pk],
        vein_to_vein_days=vein_to_vein,
        product=course.product,
        target_antigens=tuple(antigen.code for antigen in course.target_antigens.all()),
        age_at_infusion=_years_between(course.patient.born_on, day_zero) if infused else None,
        baseline_marrow_blasts_percent=(
            float(course.baseline_marrow_blasts_pct) if course.baseline_marrow_blasts_pct is not None else None
        ),
        cell_dose_per_kg=_cells_per_kg(first_infusion, course.patient.weight_kg) if infused else None,
    )


def _imported_facts(course: TreatmentCourse, record: ImportedHistory) -> CourseFacts:
    """An imported course's facts, as the programme's history gave them (history_import)."""
    disease = response.disease_for_diagnosis(course.diagnosis)
    leukapheresis, infused = record.leukapheresis_on, record.infused_on
    return CourseFacts(
        course_id=str(course.public_id),
        diagnosis_group=disease,
        apheresed_on=leukapheresis,
        infused_on=infused,
        day28_category=record.day28_response or None,
        best_category=record.best_response or None,
        relapse_on=record.relapse_on,
        death_on=record.death_on,
        death_cause=record.death_cause,
        transplant_on=record.transplant_on,
        last_contact_on=record.last_contact_on,
        crs_max_grade=record.crs_max_grade,
        icans_max_grade=record.icans_max_grade,
        tocilizumab=record.tocilizumab,
        steroids=record.steroids,
        vein_to_vein_days=(infused - leukapheresis).days if leukapheresis else None,
        product=course.product,
        target_antigens=tuple(antigen.code for antigen in course.target_antigens.all()),
        age_at_infusion=_years_between(course.patient.born_on, infused),
        baseline_marrow_blasts_percent=(
            float(course.baseline_marrow_blasts_pct) if course.baseline_marrow_blasts_pct is not None else None
        ),
        cell_dose_per_kg=float(record.cell_dose_per_kg) if record.cell_dose_per_kg is not None else None,
    )


def outcome_facts(courses: QuerySet[TreatmentCourse], filters: OutcomeFilters | None = None) -> list[CourseFacts]:
    """The `CourseFacts` of `courses` that pass `filters`, in course order."""
    filters = filters or OutcomeFilters()
    return [facts for course, facts in course_facts(courses) if filters.keep(facts, course.diagnosis)]


def visible_outcome_facts(user, filters: OutcomeFilters | None = None) -> list[CourseFacts]:
    """The outcome rows of every course `user` may see (`TreatmentCourse.objects.visible_to`)."""
    return outcome_facts(TreatmentCourse.objects.visible_to(user), filters)


def subgroup_levels(facts: Iterable[CourseFacts], dimension: SubgroupDimension | str) -> list[str]:
    return sorted({subgroup_level(f, dimension) for f in facts})
