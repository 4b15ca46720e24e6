"""Vital signs graded for CRS by the ASTCT 2019 consensus (docs/clinical-rules.md §3, §5).

Each write is one transaction: validate (errors name the field and the allowed range), derive
°C, hypotension and fever masking, grade with ``tracker.clinical.grading`` from what was
observed, store the grade with its inputs and reasons, record threshold events, and rebuild the
course's CRS episodes. A recorded set is never edited: ``amend_vital_signs`` writes a new row
that points at the old one, with a reason.

Grades are computed once, when the set is recorded, from what was known then (including whether
fever may be masked by treatment given so far); the inputs are stored with the grade, so it can
always be re-derived. A later treatment record does not re-grade earlier assessments.
"""

from datetime import datetime

from django.db import transaction

from tracker.bedside.services.common import (
    Recorded,
    amend_graded,
    check_nurse_grade,
    check_when,
    findings_or_refusal,
    keep_one_decimal,
    range_errors,
    review_reasons,
    save_graded,
    to_decimal,
)
from tracker.bedside.services.episodes import rebuild_episodes
from tracker.bedside.services.events import after_recording, crs_threshold_events
from tracker.clinical import grading, hypotension, ranges, toxicity
from tracker.core.clock import as_utc, local_date
from tracker.core.errors import Refusal
from tracker.core.guards import lock, require_perm
from tracker.models import Syndrome, TreatmentCourse, VitalSigns

VITAL_FIELDS = [
    "temperature_value",
    "temperature_unit",
    "temperature_site",
    "heart_rate",
    "systolic_bp",
    "diastolic_bp",
    "respiratory_rate",
    "spo2",
    "oxygen_device",
    "oxygen_flow_l_min",
    "fio2_pct",
    "vasopressors",
    "hypotension_by_judgement",
    "fever_other_cause",
    "hypotension_other_cause",
    "hypoxia_other_cause",
    "attribution_note",
]
REQUIRED_VITALS = ["temperature_value", "heart_rate", "systolic_bp", "diastolic_bp", "respiratory_rate", "spo2"]


def clean_vitals(values: dict) -> dict:
    """Check each value against its physiological range and the values against each other."""
    unknown = set(values) - set(VITAL_FIELDS)
    if unknown:
        raise Refusal({field: "is not a vital-signs field." for field in unknown})
    values = dict(values)
    values.setdefault("temperature_unit", VitalSigns.TemperatureUnit.CELSIUS)
    values.setdefault("oxygen_device", "none")
    values.setdefault("vasopressors", [])
    errors: dict[str, str] = {}
    for field in REQUIRED_VITALS:
        if values.get(field) in (None, ""):
            errors[field] = "is required."
    if errors:
        raise Refusal(errors, code="required")

    temperature = values["temperature_value"] = to_decimal(values["temperature_value"], "temperature_value")
    unit = values["temperature_unit"]
    if unit not in VitalSigns.TemperatureUnit.values:
        raise Refusal("must be C or F.", field="temperature_unit")
    errors |= keep_one_decimal(values, "temperature_value")
    in_range = ranges.PHYSIOLOGICAL_RANGES["temperature_f" if unit == "F" else "temperature_c"]
    if not in_range.contains(temperature):
        errors["temperature_value"] = f"temperature must be {in_range.describe()}; got {temperature}"
    values["oxygen_flow_l_min"] = to_decimal(values.get("oxygen_flow_l_min"), "oxygen_flow_l_min")
    errors |= keep_one_decimal(values, "oxygen_flow_l_min")
    errors |= range_errors(
        values,
        ["heart_rate", "systolic_bp", "diastolic_bp", "respiratory_rate", "spo2", "oxygen_flow_l_min", "fio2_pct"],
    )
    systolic, diastolic = values["systolic_bp"], values["diastolic_bp"]
    if "systolic_bp" not in errors and "diastolic_bp" not in errors and diastolic >= systolic:
        errors["diastolic_bp"] = f"diastolic ({diastolic} mmHg) must be lower than systolic ({systolic} mmHg)."
    vasopressors = values["vasopressors"]
    allowed = [v.value for v in grading.Vasopressor]
    if not isinstance(vasopressors, list | tuple) or any(v not in allowed for v in vasopressors):
        errors["vasopressors"] = f"choose from {', '.join(allowed)}; got {vasopressors!r}"
    elif len(set(vasopressors)) != len(vasopressors):
        errors["vasopressors"] = "list each agent once."
    else:
        values["vasopressors"] = sorted(vasopressors, key=allowed.index)
    attributed = [f for f in ("fever_other_cause", "hypotension_other_cause", "hypoxia_other_cause") if values.get(f)]
    if attributed and not values.get("attribution_note", "").strip():
        errors["attribution_note"] = "say which other cause explains the sign (docs/clinical-rules.md §3.2)."
    if errors:
        raise Refusal(errors)
    return values


def crs_episodes_before(course: TreatmentCourse, at: datetime, *, excluding: int | None = None):
    points = (
        course.vital_signs.current()
        .filter(observed_at__lt=at)
        .exclude(pk=excluding)
        .values_list("observed_at", "grade")
    )
    return toxicity.derive_episodes(toxicity.GradePoint(when, grade) for when, grade in points)


def masking_doses(course: TreatmentCourse, until: datetime) -> list[toxicity.Dose]:
    rows = course.interventions.current().filter(
        given_at__lte=until, kind__in=[drug.value for drug in toxicity.MaskingDrug]
    )
    return [
        toxicity.Dose(given_at, toxicity.MaskingDrug(kind)) for given_at, kind in rows.values_list("given_at", "kind")
    ]


def derive_vital_signs(
    course: TreatmentCourse,
    observed_at: datetime,
    values: dict,
    *,
    age_years: int,
    crs_episodes: list[toxicity.Episode],
    doses: list[toxicity.Dose],
) -> tuple[VitalSigns, grading.GradeResult]:
    """An unsaved VitalSigns with everything derived from cleaned values and what was known
    before it (the course's CRS episodes and masking doses so far): °C, hypotension by age
    (docs/clinical-rules.md §5.2), fever masking (§5.3) and the CRS grade (§3). Reads nothing
    from the database, so a bulk builder can call it too."""
    unit = values["temperature_unit"]
    # A °F reading is graded on its exact conversion and stored rounded to hundredths, for
    # display only (docs/clinical-rules.md §3.2, §3.5; grading decision 6).
    exact_c = grading.fahrenheit_to_celsius(values["temperature_value"]) if unit == "F" else values["temperature_value"]
    temperature_c = grading.celsius_for_display(exact_c) if unit == "F" else exact_c
    basis = hypotension.hypotension_by_pressure(
        age_years=age_years, systolic=values["systolic_bp"], diastolic=values["diastolic_bp"]
    )
    if values.get("hypotension_by_judgement"):
        basis = basis or "hypotension by clinical judgement"
    masked = toxicity.fever_may_be_masked(at=observed_at, crs_episodes=crs_episodes, doses=doses)
    findings = findings_or_refusal(
        lambda: grading.CrsFindings(
            temperature_c=exact_c,
            fever_attributable_to_other_cause=bool(values.get("fever_other_cause")),
            fever_masked_by_treatment=masked,
            hypotension=basis is not None,
            vasopressors=tuple(values["vasopressors"]),
            hypotension_attributable_to_other_cause=bool(values.get("hypotension_other_cause")),
            oxygen_device=values["oxygen_device"],
            oxygen_flow_l_min=values["oxygen_flow_l_min"],
            hypoxia_attributable_to_other_cause=bool(values.get("hypoxia_other_cause")),
        )
    )
    result = grading.grade_crs(findings)
    inputs = {
        "temperature_c": str(temperature_c),
        **({"temperature_f": str(values["temperature_value"])} if unit == "F" else {}),
        "fever_attributable_to_other_cause": findings.fever_attributable_to_other_cause,
        "fever_masked_by_treatment": masked,
        "hypotension": findings.hypotension,
        "vasopressors": [str(v) for v in findings.vasopressors],
        "hypotension_attributable_to_other_cause": findings.hypotension_attributable_to_other_cause,
        "oxygen_device": str(findings.oxygen_device),
        "oxygen_flow_l_min": None if findings.oxygen_flow_l_min is None else str(findings.oxygen_flow_l_min),
        "hypoxia_attributable_to_other_cause": findings.hypoxia_attributable_to_other_cause,
    }
    return VitalSigns(
        course=course,
        observed_at=observed_at,
        temperature_c=temperature_c,
        hypotension=basis is not None,
        hypotension_basis=basis or "",
        fever_masked=masked,
        grade=result.grade,
        grade_reasons=list(result.reasons),
        grading_inputs=inputs,
        rule_version=result.rule_version,
        **{k: v for k, v in values.items() if k in VITAL_FIELDS},
    ), result


def grade_vital_signs(
    course: TreatmentCourse, observed_at: datetime, values: dict, *, excluding: int | None = None
) -> tuple[VitalSigns, grading.GradeResult]:
    """Clean and grade a set of vital signs against what the course's record says so far."""
    values = clean_vitals(values)
    return derive_vital_signs(
        course,
        observed_at,
        values,
        age_years=course.patient.age_on(local_date(observed_at)),
        crs_episodes=crs_episodes_before(course, observed_at, excluding=excluding),
        doses=masking_doses(course, observed_at),
    )


def preview_vital_signs(
    *, course: TreatmentCourse, observed_at: datetime, values: dict, amends: VitalSigns | None = None
) -> tuple[VitalSigns, grading.GradeResult]:
    """The CRS grade a set of vital signs would get if saved now, by the same cleaning and
    derivation as ``record_vital_signs``; nothing is written (the live preview on the form).
    A correction is graded as its amendment would be, without the row it replaces."""
    return grade_vital_signs(course, as_utc(observed_at), values, excluding=amends.pk if amends else None)


def _save_vitals(*, course, by, observed_at, values, nurse_judged_grade, amends=None, reason="") -> Recorded:
    nurse_grade = check_nurse_grade(nurse_judged_grade)
    observation, result = grade_vital_signs(course, observed_at, values, excluding=amends.pk if amends else None)
    save_graded(
        observation,
        by=by,
        nurse_grade=nurse_grade,
        review=review_reasons(result, nurse_grade, "CRS"),
        amends=amends,
        reason=reason,
    )
    events = crs_threshold_events(course, observation)
    rebuild_episodes(course, Syndrome.CRS, by=by)
    after_recording(observation, events, by=by, amendment=amends is not None)
    return Recorded(observation, events)


@transaction.atomic
def record_vital_signs(
    *, course: TreatmentCourse, by, observed_at: datetime, nurse_judged_grade: int | None = None, **values
) -> Recorded:
    """Record one set of vital signs and grade it for CRS (ASTCT 2019, docs/clinical-rules.md §3)."""
    require_perm(by, "tracker.add_vitalsigns", "record vital signs")
    observed_at = as_utc(observed_at)
    course = lock(course)
    check_when(course, observed_at, "observed_at")
    return _save_vitals(
        course=course, by=by, observed_at=observed_at, values=values, nurse_judged_grade=nurse_judged_grade
    )


@transaction.atomic
def amend_vital_signs(
    *, original: VitalSigns, by, reason: str, observed_at: datetime | None = None, nurse_judged_grade=None, **values
) -> Recorded:
    """Correct a recorded set of vital signs: a new, re-graded row that amends the old one,
    which is kept and marked superseded (never edited in place)."""
    require_perm(by, "tracker.add_vitalsigns", "correct vital signs")
    return amend_graded(
        VitalSigns,
        _save_vitals,
        original=original,
        by=by,
        reason=reason,
        observed_at=observed_at,
        nurse_judged_grade=nurse_judged_grade,
        values=values,
    )
