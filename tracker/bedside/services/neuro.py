"""Neurological checks graded for ICANS by the ASTCT 2019 consensus (docs/clinical-rules.md §4).

The ten ICE items (from age 12) or the eight CAPD items (under 12) are recorded one by one and
the score is computed; a test that could not be done is recorded as not assessable, never as 0.
Same shape as ``vitals``: one transaction, graded from what was observed, amendments keep the
original.
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
    review_reasons,
    save_graded,
    to_decimal,
)
from tracker.bedside.services.episodes import rebuild_episodes
from tracker.bedside.services.events import after_recording, icans_threshold_events
from tracker.clinical import grading, neuro_scores, ranges
from tracker.core.clock import as_utc, local_date
from tracker.core.errors import Refusal
from tracker.core.guards import lock, require_perm
from tracker.models import NeuroAssessment, Syndrome, TreatmentCourse

NEURO_FIELDS = [
    "tool",
    "not_assessable_reason",
    "level_of_consciousness",
    "consciousness_other_cause",
    "seizure_occurred",
    "seizure_kind",
    "seizure_duration_min",
    "seizure_repeated",
    "seizure_returned_to_baseline",
    "motor_finding",
    "raised_icp_findings",
    "attribution_note",
    *neuro_scores.ICE_ITEM_NAMES,
    *neuro_scores.CAPD_ITEM_NAMES,
]


def clean_neuro(values: dict, age: int) -> tuple[dict, int | None, int | None]:
    """Validate a neurological check; returns the values and the computed ICE or CAPD score."""
    unknown = set(values) - set(NEURO_FIELDS)
    if unknown:
        raise Refusal({field: "is not a neurological-assessment field." for field in unknown})
    values = dict(values)
    errors: dict[str, str] = {}
    tool = values.get("tool") or (
        NeuroAssessment.Tool.ICE if age >= grading.ICE_MIN_AGE_YEARS else NeuroAssessment.Tool.CAPD
    )
    values["tool"] = tool
    if tool == NeuroAssessment.Tool.ICE and age < grading.ICE_MIN_AGE_YEARS:
        errors["tool"] = f"ICE applies from age {grading.ICE_MIN_AGE_YEARS}; this patient is {age}: use CAPD."
    items = neuro_scores.ICE_ITEM_NAMES if tool == NeuroAssessment.Tool.ICE else neuro_scores.CAPD_ITEM_NAMES
    other_items = neuro_scores.CAPD_ITEM_NAMES if tool == NeuroAssessment.Tool.ICE else neuro_scores.ICE_ITEM_NAMES
    given = [name for name in items if values.get(name) is not None]
    if any(values.get(name) is not None for name in other_items):
        errors["tool"] = f"record only the {tool.upper()} items for a {tool.upper()} assessment."
    reason = values.get("not_assessable_reason", "")
    ice = capd = None
    if reason and given:
        errors["not_assessable_reason"] = "leave empty when the items were scored."
    elif not reason and len(given) != len(items):
        missing = [name for name in items if name not in given]
        errors[missing[0]] = (
            f"score all {len(items)} {tool.upper()} items (missing: {', '.join(missing)}), "
            "or give the reason it could not be done."
        )
    elif given:
        if tool == NeuroAssessment.Tool.ICE:
            bad = [name for name in items if not isinstance(values[name], bool)]
            if bad:
                errors[bad[0]] = "each ICE item is done (true) or not done (false)."
            else:
                ice = neuro_scores.ice_score(values)
        else:
            bad = [name for name in items if not isinstance(values[name], int) or not 0 <= values[name] <= 4]
            if bad:
                errors[bad[0]] = f"each CAPD item is scored 0–4; got {values[bad[0]]!r}"
            else:
                capd = neuro_scores.capd_score(values)
    if values.get("seizure_occurred"):
        if values.get("seizure_kind") not in NeuroAssessment.SeizureKind.values:
            errors["seizure_kind"] = f"choose one of {', '.join(NeuroAssessment.SeizureKind.values)}."
        duration = to_decimal(values.get("seizure_duration_min"), "seizure_duration_min")
        if duration is None:
            errors["seizure_duration_min"] = "give the duration of the longest seizure in minutes."
        else:
            problem = ranges.range_problem("seizure_duration_min", duration)
            if problem:
                errors["seizure_duration_min"] = problem
            values["seizure_duration_min"] = duration
            errors |= keep_one_decimal(values, "seizure_duration_min")
        if values.get("seizure_repeated") and values.get("seizure_returned_to_baseline") is None:
            errors["seizure_returned_to_baseline"] = "say whether the patient returned to baseline between seizures."
    else:
        for field in ("seizure_kind", "seizure_duration_min", "seizure_returned_to_baseline"):
            if values.get(field) not in (None, ""):
                errors[field] = "leave empty unless a seizure occurred."
        values["seizure_repeated"] = False
    if values.get("consciousness_other_cause") and not values.get("attribution_note", "").strip():
        errors["attribution_note"] = "say what else explains the depressed consciousness (e.g. sedating drugs)."
    if errors:
        raise Refusal(errors)
    return values, ice, capd


def derive_neuro_assessment(
    course: TreatmentCourse, observed_at: datetime, values: dict, *, age_years: int
) -> tuple[NeuroAssessment, grading.GradeResult]:
    """An unsaved NeuroAssessment with its ICE or CAPD score and ICANS grade computed from the
    recorded items (docs/clinical-rules.md §4). Reads nothing from the database, so a bulk
    builder can call it too."""
    age = age_years
    values, ice, capd = clean_neuro(values, age)
    seizure = grading.Seizure.NONE
    if values.get("seizure_occurred"):
        seizure = findings_or_refusal(
            lambda: grading.classify_seizure(
                duration_minutes=values["seizure_duration_min"],
                returned_to_baseline_between=values.get("seizure_returned_to_baseline")
                if values.get("seizure_repeated")
                else None,
                on_eeg_only=values["seizure_kind"] == NeuroAssessment.SeizureKind.EEG_ONLY,
                focal=values["seizure_kind"] == NeuroAssessment.SeizureKind.FOCAL,
            )
        )
    findings = findings_or_refusal(
        lambda: grading.IcansFindings(
            age_years=age,
            ice_score=ice,
            capd_score=capd,
            level_of_consciousness=values.get("level_of_consciousness", "alert"),
            consciousness_attributable_to_other_cause=bool(values.get("consciousness_other_cause")),
            seizure=seizure,
            motor_finding=values.get("motor_finding", "none"),
            raised_icp_findings=tuple(values.get("raised_icp_findings") or ()),
        )
    )
    result = grading.grade_icans(findings)
    inputs = {
        "age_years": age,
        "ice_score": ice,
        "capd_score": capd,
        "level_of_consciousness": str(findings.level_of_consciousness),
        "consciousness_attributable_to_other_cause": findings.consciousness_attributable_to_other_cause,
        "seizure": str(seizure),
        "motor_finding": str(findings.motor_finding),
        "raised_icp_findings": [str(f) for f in findings.raised_icp_findings],
    }
    values["raised_icp_findings"] = inputs["raised_icp_findings"]
    observation = NeuroAssessment(
        course=course,
        observed_at=observed_at,
        age_years=age,
        ice_score=ice,
        capd_score=capd,
        seizure=str(seizure),
        grade=result.grade,
        grade_reasons=list(result.reasons),
        grading_inputs=inputs,
        rule_version=result.rule_version,
        **{k: v for k, v in values.items() if k in NEURO_FIELDS and v is not None},
    )
    return observation, result


def preview_neuro_assessment(
    *, course: TreatmentCourse, observed_at: datetime, values: dict
) -> tuple[NeuroAssessment, grading.GradeResult]:
    """The ICANS grade a neurological check would get if saved now, by the same derivation as
    ``record_neuro_assessment``; nothing is written (the live preview on the form)."""
    age = course.patient.age_on(local_date(as_utc(observed_at)))
    return derive_neuro_assessment(course, as_utc(observed_at), values, age_years=age)


def _save_neuro(*, course, by, observed_at, values, nurse_judged_grade, amends=None, reason="") -> Recorded:
    nurse_grade = check_nurse_grade(nurse_judged_grade)
    age = course.patient.age_on(local_date(observed_at))
    observation, result = derive_neuro_assessment(course, observed_at, values, age_years=age)
    review = review_reasons(result, nurse_grade, "ICANS")
    if observation.not_assessable_reason:
        review = [
            f"{observation.tool.upper()} not assessable ({observation.get_not_assessable_reason_display()}).",
            *[r for r in review if "not assessed" not in r],
        ]
    save_graded(observation, by=by, nurse_grade=nurse_grade, review=review, amends=amends, reason=reason)
    events = icans_threshold_events(course, observation)
    rebuild_episodes(course, Syndrome.ICANS, by=by)
    after_recording(observation, events, by=by, amendment=amends is not None)
    return Recorded(observation, events)


@transaction.atomic
def record_neuro_assessment(
    *, course: TreatmentCourse, by, observed_at: datetime, nurse_judged_grade: int | None = None, **values
) -> Recorded:
    """Record a neurological check and grade it for ICANS (ASTCT 2019, docs/clinical-rules.md §4)."""
    require_perm(by, "tracker.add_neuroassessment", "record neurological assessments")
    observed_at = as_utc(observed_at)
    course = lock(course)
    check_when(course, observed_at, "observed_at")
    return _save_neuro(
        course=course, by=by, observed_at=observed_at, values=values, nurse_judged_grade=nurse_judged_grade
    )


@transaction.atomic
def amend_neuro_assessment(
    *,
    original: NeuroAssessment,
    by,
    reason: str,
    observed_at: datetime | None = None,
    nurse_judged_grade=None,
    **values,
) -> Recorded:
    """Correct a neurological check (see ``common.amend_graded``)."""
    require_perm(by, "tracker.add_neuroassessment", "correct neurological assessments")
    return amend_graded(
        NeuroAssessment,
        _save_neuro,
        original=original,
        by=by,
        reason=reason,
        observed_at=observed_at,
        nurse_judged_grade=nurse_judged_grade,
        values=values,
    )
