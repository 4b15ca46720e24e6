"""Late effects (docs/clinical-rules.md §9): laboratory values (IgG and its replacement, CD19+
B cells, the blood count behind ICAHT), infections, and the diagnoses a physician makes
(second primary malignancy, IEC-HS). Values are range-checked like the vital signs; an IgG
result completes the IgG milestone."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from tracker.clinical import immune_reconstitution as immune
from tracker.clinical import lab_ranges
from tracker.clinical.findings import FindingError
from tracker.core.audit import amendment_target, save_recorded
from tracker.core.errors import REQUIRED, Refusal
from tracker.core.guards import lock, require_perm
from tracker.follow_up.services.common import choose, follow_up_day
from tracker.models import CheckInKind, Infection, LabResult, LateDiagnosis, TreatmentCourse
from tracker.schedule.services.completion import complete_milestones

# Infections in the 12 months before a low IgG count as "recurrent" when there are two or more
# (docs/clinical-rules.md §9.1).
RECURRENT_INFECTION_WINDOW = timedelta(days=365)
RECURRENT_INFECTION_COUNT = 2
# Laboratory values are stored to 3 decimal places (LabResult); a finer value is refused.
LAB_PRECISION = Decimal("0.001")


def _lab_values(values: dict) -> dict:
    checked, errors = {}, {}
    for field in LabResult.VALUE_FIELDS:
        value = values.get(field)
        if value in (None, ""):
            continue
        try:
            number = lab_ranges.check_lab_value(field, value)
        except FindingError as error:
            errors[field] = str(error)
            continue
        if number != number.quantize(LAB_PRECISION):
            errors[field] = f"give at most 3 decimal places; got {number}"
        else:
            checked[field] = number.quantize(LAB_PRECISION)
    if errors:
        raise Refusal(errors)
    if not checked:
        raise Refusal("give at least one laboratory value.", field="__all__", code=REQUIRED)
    return checked


def plain(value: Decimal) -> Decimal:
    """392.000 as 392 and 0.500 as 0.5, for the words shown with a value."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def interpret(course: TreatmentCourse, collected_on: date, values: dict) -> list[str]:
    """What the values mean, in words: hypogammaglobulinaemia and replacement, B-cell aplasia."""
    values = {name: plain(value) for name, value in values.items()}
    words = []
    if "igg_mg_dl" in values:
        since = collected_on - RECURRENT_INFECTION_WINDOW
        infections = course.infections.current().filter(onset_on__gte=since, onset_on__lte=collected_on).count()
        result = immune.assess_igg(values["igg_mg_dl"], recurrent_infections=infections >= RECURRENT_INFECTION_COUNT)
        words += result.reasons
    if "cd19_cells_per_ul" in values:
        words += immune.b_cell_aplasia(
            values["cd19_cells_per_ul"], lymphocytes_10e9_per_l=values.get("lymphocytes_10e9_per_l")
        ).reasons
    return list(words)


def build_lab_result(course: TreatmentCourse, *, collected_on, immunoglobulin_replacement="", **values) -> LabResult:
    unknown = set(values) - set(LabResult.VALUE_FIELDS)
    if unknown:
        raise Refusal({field: "is not a laboratory value." for field in unknown})
    day = follow_up_day(course, collected_on, "collected_on")
    checked = _lab_values(values)
    replacement = choose(immunoglobulin_replacement, LabResult.Replacement, "immunoglobulin_replacement", blank=True)
    return LabResult(
        course=course,
        collected_on=collected_on,
        day=day,
        immunoglobulin_replacement=replacement,
        interpretation=interpret(course, collected_on, checked),
        **checked,
    )


@transaction.atomic
def record_lab_result(*, course: TreatmentCourse, by, collected_on: date, **values) -> LabResult:
    require_perm(by, "tracker.add_labresult", "record laboratory results")
    course = lock(course)
    result = save_recorded(build_lab_result(course, collected_on=collected_on, **values), by=by)
    if result.igg_mg_dl is not None:
        complete_milestones(course, kinds=[CheckInKind.IGG_LEVEL], on=collected_on, by=by, lab_result=result)
    return result


def _kept_values(original, names) -> dict:
    return {name: getattr(original, name) for name in names}


@transaction.atomic
def amend_lab_result(*, original: LabResult, by, reason: str, collected_on=None, **values) -> LabResult:
    require_perm(by, "tracker.add_labresult", "correct laboratory results")
    course = lock(original.course)
    original = amendment_target(LabResult, original, reason)
    kept = _kept_values(original, (*LabResult.VALUE_FIELDS, "immunoglobulin_replacement"))
    result = build_lab_result(course, collected_on=collected_on or original.collected_on, **(kept | values))
    return save_recorded(result, by=by, amends=original, reason=reason)


INFECTION_FIELDS = ("organism_type", "organism", "site", "severity", "notes")


def build_infection(course: TreatmentCourse, *, onset_on, **values) -> Infection:
    unknown = set(values) - set(INFECTION_FIELDS)
    if unknown:
        raise Refusal({field: "is not an infection field." for field in unknown})
    day = follow_up_day(course, onset_on, "onset_on")
    choose(values.get("organism_type"), Infection.Organism, "organism_type")
    choose(values.get("site"), Infection.Site, "site")
    choose(values.get("severity"), Infection.Severity, "severity")
    return Infection(course=course, onset_on=onset_on, day=day, **values)


@transaction.atomic
def record_infection(*, course: TreatmentCourse, by, onset_on: date, **values) -> Infection:
    require_perm(by, "tracker.add_infection", "record infections")
    course = lock(course)
    return save_recorded(build_infection(course, onset_on=onset_on, **values), by=by)


@transaction.atomic
def amend_infection(*, original: Infection, by, reason: str, onset_on=None, **values) -> Infection:
    require_perm(by, "tracker.add_infection", "correct infections")
    course = lock(original.course)
    original = amendment_target(Infection, original, reason)
    values = _kept_values(original, INFECTION_FIELDS) | values
    return save_recorded(
        build_infection(course, onset_on=onset_on or original.onset_on, **values), by=by, amends=original, reason=reason
    )


DIAGNOSIS_FIELDS = ("kind", "description", "t_cell_origin", "manufacturer_notified_on", "notes")


def build_late_diagnosis(course: TreatmentCourse, *, diagnosed_on, **values) -> LateDiagnosis:
    unknown = set(values) - set(DIAGNOSIS_FIELDS)
    if unknown:
        raise Refusal({field: "is not a diagnosis field." for field in unknown})
    day = follow_up_day(course, diagnosed_on, "diagnosed_on")
    kind = choose(values.get("kind"), LateDiagnosis.Kind, "kind")
    if not (values.get("description") or "").strip():
        raise Refusal("describe the diagnosis.", field="description", code=REQUIRED)
    notified = values.get("manufacturer_notified_on")
    if notified is not None and notified < diagnosed_on:
        raise Refusal("is before the diagnosis.", field="manufacturer_notified_on")
    if kind != LateDiagnosis.Kind.SECOND_MALIGNANCY and (notified or values.get("t_cell_origin") is not None):
        raise Refusal("belongs to a second primary malignancy.", field="t_cell_origin")
    return LateDiagnosis(course=course, diagnosed_on=diagnosed_on, day=day, **values)


@transaction.atomic
def record_late_diagnosis(*, course: TreatmentCourse, by, diagnosed_on: date, **values) -> LateDiagnosis:
    """A physician's diagnosis of a second primary malignancy or IEC-HS. A second malignancy
    stays flagged until the manufacturer has been told (FDA 2024, docs/clinical-rules.md §9.5)."""
    require_perm(by, "tracker.add_latediagnosis", "record late diagnoses")
    course = lock(course)
    return save_recorded(build_late_diagnosis(course, diagnosed_on=diagnosed_on, **values), by=by)


@transaction.atomic
def amend_late_diagnosis(*, original: LateDiagnosis, by, reason: str, diagnosed_on=None, **values) -> LateDiagnosis:
    require_perm(by, "tracker.add_latediagnosis", "correct late diagnoses")
    course = lock(original.course)
    original = amendment_target(LateDiagnosis, original, reason)
    values = _kept_values(original, DIAGNOSIS_FIELDS) | values
    diagnosis = build_late_diagnosis(course, diagnosed_on=diagnosed_on or original.diagnosed_on, **values)
    return save_recorded(diagnosis, by=by, amends=original, reason=reason)
