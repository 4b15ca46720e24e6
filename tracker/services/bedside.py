"""Bedside recording: vital signs and neurological checks graded for CRS and ICANS, the
treatments given for them, corrections by amendment, and physician review.

Each write is one transaction: validate (errors name the field and the allowed range), grade
with ``grading.py`` from what was observed, store the grade with its inputs and reasons,
record threshold events, and rebuild the course's CRS/ICANS episodes. A recorded assessment is
never edited: ``amend_*`` writes a new row that points at the old one, with a reason.

Grades are computed once, when the assessment is recorded, from what was known then
(including whether fever may be masked by treatment given so far); the inputs are stored with
the grade, so it can always be re-derived. A later treatment record does not re-grade earlier
assessments.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tracker import bedside, grading, schedule, tasks, toxicity
from tracker.audit import save_audited
from tracker.centre_time import centre_tz
from tracker.journey import Stage
from tracker.models import (
    Intervention,
    NeuroAssessment,
    Syndrome,
    ThresholdEvent,
    ToxicityEpisode,
    TreatmentCourse,
    VitalSigns,
)
from tracker.services import scheduling
from tracker.services.journey import FUTURE_TOLERANCE, RuleRefused, _lock, _require

# Bedside monitoring starts at infusion and goes on through follow-up (re-admissions).
MONITORED_STAGES = {Stage.INFUSION, Stage.ACUTE_MONITORING, Stage.FOLLOW_UP, Stage.LONG_TERM_FOLLOW_UP}


def _utc(moment: datetime) -> datetime:
    """Incoming times as UTC instants: later arithmetic (windows, masking, 24-hour limits) is
    on elapsed time, which a local ZoneInfo datetime gets wrong across a clock change."""
    return moment.astimezone(UTC)


def _check_when(course: TreatmentCourse, moment: datetime, field: str) -> None:
    if course.stage_enum not in MONITORED_STAGES:
        raise RuleRefused(
            f"Bedside monitoring is recorded from infusion on; this course is in {course.stage_enum.label}."
        )
    if moment > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError({field: "cannot be in the future."})
    day_zero = course.day_zero
    if day_zero and schedule.local_date(moment, centre_tz()) < day_zero:
        raise ValidationError({field: f"is before the infusion (day 0 is {day_zero:%d %b %Y})."})


def _decimal(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({field: f"must be a number; got {value!r}"}) from None


def _one_decimal(values: dict, field: str) -> dict[str, str]:
    """Keep one decimal place (38.70 is 38.7); a second significant decimal is refused."""
    value = values.get(field)
    if value is None:
        return {}
    if value != value.quantize(Decimal("0.1")):
        return {field: f"{field.replace('_', ' ')}: give at most one decimal place; got {value}"}
    values[field] = value.quantize(Decimal("0.1"))
    return {}


def _range_errors(values: dict, fields: list[str]) -> dict[str, str]:
    errors = {}
    for field in fields:
        problem = bedside.range_problem(field, values.get(field))
        if problem:
            errors[field] = problem
    return errors


def _finding(build):
    """Build grading findings, turning the grader's FindingError into a field error."""
    try:
        return build()
    except grading.FindingError as error:
        raise ValidationError({error.field or "__all__": str(error)}) from None


def _review_reasons(result: grading.GradeResult, nurse_grade: int | None, syndrome: str) -> list[str]:
    reasons = []
    if nurse_grade is not None and nurse_grade != result.grade:
        reasons.append(f"Nurse judged {syndrome} grade {nurse_grade}; computed grade {result.grade}.")
    if result.needs_review:
        reasons.append(
            f"{', '.join(result.not_assessed).capitalize()} not assessed: grade from the other domains only."
        )
    return reasons


def _check_nurse_grade(nurse_grade) -> int | None:
    if nurse_grade in (None, ""):
        return None
    if not isinstance(nurse_grade, int) or not 0 <= nurse_grade <= 4:
        raise ValidationError({"nurse_judged_grade": f"must be a grade from 0 to 4; got {nurse_grade!r}"})
    return nurse_grade


# --- Vital signs (CRS) ------------------------------------------------------------------------

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


def _clean_vitals(values: dict) -> dict:
    """Check each value against its physiological range and the values against each other."""
    unknown = set(values) - set(VITAL_FIELDS)
    if unknown:
        raise ValidationError({field: "is not a vital-signs field." for field in unknown})
    values = dict(values)
    values.setdefault("temperature_unit", VitalSigns.TemperatureUnit.CELSIUS)
    values.setdefault("oxygen_device", "none")
    values.setdefault("vasopressors", [])
    errors: dict[str, str] = {}
    required = ["temperature_value", "heart_rate", "systolic_bp", "diastolic_bp", "respiratory_rate", "spo2"]
    for field in required:
        if values.get(field) in (None, ""):
            errors[field] = "is required."
    if errors:
        raise ValidationError(errors)

    temperature = values["temperature_value"] = _decimal(values["temperature_value"], "temperature_value")
    unit = values["temperature_unit"]
    if unit not in VitalSigns.TemperatureUnit.values:
        raise ValidationError({"temperature_unit": "must be C or F."})
    errors |= _one_decimal(values, "temperature_value")
    in_range = bedside.PHYSIOLOGICAL_RANGES["temperature_f" if unit == "F" else "temperature_c"]
    if not in_range.contains(temperature):
        errors["temperature_value"] = f"temperature must be {in_range.describe()}; got {temperature}"
    values["oxygen_flow_l_min"] = _decimal(values.get("oxygen_flow_l_min"), "oxygen_flow_l_min")
    errors |= _one_decimal(values, "oxygen_flow_l_min")
    errors |= _range_errors(
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
        errors["attribution_note"] = "say which other cause explains the sign (REFERENCE §11 item 7)."
    if errors:
        raise ValidationError(errors)
    return values


def _crs_episodes_before(course: TreatmentCourse, at: datetime, *, excluding: int | None = None):
    points = (
        course.vital_signs.current()
        .filter(observed_at__lt=at)
        .exclude(pk=excluding)
        .values_list("observed_at", "grade")
    )
    return toxicity.derive_episodes(toxicity.GradePoint(when, grade) for when, grade in points)


def _masking_doses(course: TreatmentCourse, until: datetime) -> list[toxicity.Dose]:
    rows = course.interventions.current().filter(
        given_at__lte=until, kind__in=[drug.value for drug in toxicity.MaskingDrug]
    )
    return [
        toxicity.Dose(given_at, toxicity.MaskingDrug(kind)) for given_at, kind in rows.values_list("given_at", "kind")
    ]


def _grade_vitals(
    course: TreatmentCourse, observed_at: datetime, values: dict, *, excluding: int | None
) -> tuple[VitalSigns, grading.GradeResult]:
    """An unsaved VitalSigns with everything derived: °C, hypotension, masking and the grade."""
    unit = values["temperature_unit"]
    temperature_c = (
        grading.fahrenheit_to_celsius(values["temperature_value"]) if unit == "F" else values["temperature_value"]
    )
    age = course.patient.age_on(schedule.local_date(observed_at, centre_tz()))
    basis = bedside.hypotension_by_pressure(
        age_years=age, systolic=values["systolic_bp"], diastolic=values["diastolic_bp"]
    )
    if values.get("hypotension_by_judgement"):
        basis = basis or "hypotension by clinical judgement"
    masked = toxicity.fever_may_be_masked(
        at=observed_at,
        crs_episodes=_crs_episodes_before(course, observed_at, excluding=excluding),
        doses=_masking_doses(course, observed_at),
    )
    findings = _finding(
        lambda: grading.CrsFindings(
            temperature_c=temperature_c,
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


@dataclass
class Recorded:
    """What a bedside write produced: the row, and the threshold events it raised."""

    observation: object
    events: list[ThresholdEvent]


def _save_graded(observation, *, by, nurse_grade, review: list[str], amends, reason: str) -> None:
    """Save a graded observation with who recorded it, the nurse's judged grade and any review
    flags; an amendment points at the original, which is kept and marked superseded."""
    observation.recorded_by, observation.nurse_judged_grade = by, nurse_grade
    observation.review_reasons, observation.needs_review = review, bool(review)
    if amends is not None:
        observation.amends, observation.amendment_reason = amends, reason
        amends.superseded = True
        save_audited(amends, by=by, reason=f"amended: {reason}")
    save_audited(observation, by=by, reason=f"amendment: {reason}" if amends else "recorded")


def _amend(model, save, *, original, by, reason: str, observed_at, nurse_judged_grade, values) -> Recorded:
    """Correct a graded observation: a new, re-graded row that amends the original, which is
    kept and marked superseded (never edited in place)."""
    course = _lock(original.course)
    original = _amendment_target(model, original, reason)
    observed_at = _utc(observed_at or original.observed_at)
    _check_when(course, observed_at, "observed_at")
    return save(
        course=course,
        by=by,
        observed_at=observed_at,
        values=values,
        nurse_judged_grade=nurse_judged_grade,
        amends=original,
        reason=reason,
    )


def _save_vitals(*, course, by, observed_at, values, nurse_judged_grade, amends=None, reason="") -> Recorded:
    values = _clean_vitals(values)
    nurse_grade = _check_nurse_grade(nurse_judged_grade)
    observation, result = _grade_vitals(course, observed_at, values, excluding=amends.pk if amends else None)
    _save_graded(
        observation,
        by=by,
        nurse_grade=nurse_grade,
        review=_review_reasons(result, nurse_grade, "CRS"),
        amends=amends,
        reason=reason,
    )
    events = _crs_threshold_events(course, observation)
    rebuild_episodes(course, Syndrome.CRS)
    _after_recording(observation, events, by=by, amendment=amends is not None)
    return Recorded(observation, events)


@transaction.atomic
def record_vital_signs(
    *, course: TreatmentCourse, by, observed_at: datetime, nurse_judged_grade: int | None = None, **values
) -> Recorded:
    """Record one set of vital signs and grade it for CRS (ASTCT 2019, REFERENCE §2)."""
    _require(by, "tracker.add_vitalsigns", "record vital signs")
    observed_at = _utc(observed_at)
    course = _lock(course)
    _check_when(course, observed_at, "observed_at")
    return _save_vitals(
        course=course, by=by, observed_at=observed_at, values=values, nurse_judged_grade=nurse_judged_grade
    )


def _amendment_target(model, original, reason: str):
    if not reason.strip():
        raise ValidationError({"reason": "say why the record is being corrected."})
    original = model.objects.select_for_update().get(pk=original.pk)
    if original.superseded:
        raise RuleRefused("This record has already been corrected; amend the latest version.")
    return original


@transaction.atomic
def amend_vital_signs(
    *, original: VitalSigns, by, reason: str, observed_at: datetime | None = None, nurse_judged_grade=None, **values
) -> Recorded:
    """Correct a recorded set of vital signs: a new, re-graded row that amends the old one,
    which is kept and marked superseded (never edited in place)."""
    _require(by, "tracker.add_vitalsigns", "correct vital signs")
    return _amend(
        VitalSigns,
        _save_vitals,
        original=original,
        by=by,
        reason=reason,
        observed_at=observed_at,
        nurse_judged_grade=nurse_judged_grade,
        values=values,
    )


def _previous(queryset, observation):
    """The latest current observation before this one in time (the grade it is compared with)."""
    return (
        queryset.current()
        .exclude(pk=observation.pk)
        .exclude(pk=observation.amends_id)
        .filter(observed_at__lte=observation.observed_at)
        .order_by("-observed_at", "-id")
        .first()
    )


def _crs_threshold_events(course: TreatmentCourse, observation: VitalSigns) -> list[ThresholdEvent]:
    previous = _previous(course.vital_signs, observation)
    had_fever = (
        course.vital_signs.current()
        .exclude(pk=observation.pk)
        .filter(observed_at__lt=observation.observed_at, temperature_c__gte=toxicity.FEVER_C)
        .exists()
    )
    kinds = toxicity.crs_events(
        temperature_c=observation.temperature_c,
        had_fever_before=had_fever,
        grade=observation.grade,
        previous_grade=previous.grade if previous else 0,
    )
    return [
        _store_event(
            course, kind, Syndrome.CRS, observation, previous.grade if previous else 0, vital_signs=observation
        )
        for kind in kinds
    ]


def _store_event(course, kind, syndrome, observation, previous_grade, **link) -> ThresholdEvent:
    label = toxicity.EVENT_LABELS[kind]
    name = Syndrome(syndrome).label
    if kind == toxicity.EventKind.FIRST_FEVER:
        summary = f"{label}: {observation.temperature_c} °C; CRS grade {observation.grade}"
    else:
        summary = f"{label}: {name} grade {observation.grade} (was {previous_grade})"
    summary = f"{summary}. {observation.grade_reasons[0]}"[:300]
    return ThresholdEvent.objects.create(
        course=course,
        kind=kind,
        syndrome=syndrome,
        grade=observation.grade,
        previous_grade=previous_grade,
        occurred_at=observation.observed_at,
        summary=summary,
        **link,
    )


def _after_recording(observation, events: list[ThresholdEvent], *, by, amendment: bool) -> None:
    """A new observation completes the check-in that asked for it; threshold events reach
    the physician at once through Celery (and at the next sweep if that message is lost)."""
    if not amendment:
        scheduling.complete_by_observation(observation, by=by)
    for event in events:
        # robust: a broker outage must not turn a saved recording into an error (the nurse would
        # enter it again); the next sweep raises the alert anyway.
        transaction.on_commit(lambda event_id=event.id: tasks.raise_threshold_alert.delay(event_id), robust=True)


def rebuild_episodes(course: TreatmentCourse, syndrome: str) -> list[ToxicityEpisode]:
    """Re-derive the course's CRS or ICANS episodes from its current assessments."""
    source = course.vital_signs if syndrome == Syndrome.CRS else course.neuro_assessments
    points = [toxicity.GradePoint(at, grade) for at, grade in source.current().values_list("observed_at", "grade")]
    day_zero = course.day_zero
    ToxicityEpisode.objects.filter(course=course, syndrome=syndrome).delete()
    return ToxicityEpisode.objects.bulk_create(
        ToxicityEpisode(
            course=course,
            syndrome=syndrome,
            number=number,
            onset_at=episode.onset_at,
            onset_day=schedule.day_number(day_zero, schedule.local_date(episode.onset_at, centre_tz())),
            max_grade=episode.max_grade,
            max_grade_at=episode.max_grade_at,
            last_positive_at=episode.last_positive_at,
            resolved_at=episode.resolved_at,
        )
        for number, episode in enumerate(toxicity.derive_episodes(points), start=1)
    )


# --- Neurological assessment (ICANS) -----------------------------------------------------------

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
    *bedside.ICE_ITEM_NAMES,
    *bedside.CAPD_ITEM_NAMES,
]


def _clean_neuro(values: dict, age: int) -> tuple[dict, int | None, int | None]:
    """Validate a neurological check; returns the values and the computed ICE or CAPD score."""
    unknown = set(values) - set(NEURO_FIELDS)
    if unknown:
        raise ValidationError({field: "is not a neurological-assessment field." for field in unknown})
    values = dict(values)
    errors: dict[str, str] = {}
    tool = values.get("tool") or (
        NeuroAssessment.Tool.ICE if age >= grading.ICE_MIN_AGE_YEARS else NeuroAssessment.Tool.CAPD
    )
    values["tool"] = tool
    if tool == NeuroAssessment.Tool.ICE and age < grading.ICE_MIN_AGE_YEARS:
        errors["tool"] = f"ICE applies from age {grading.ICE_MIN_AGE_YEARS}; this patient is {age}: use CAPD."
    items = bedside.ICE_ITEM_NAMES if tool == NeuroAssessment.Tool.ICE else bedside.CAPD_ITEM_NAMES
    other_items = bedside.CAPD_ITEM_NAMES if tool == NeuroAssessment.Tool.ICE else bedside.ICE_ITEM_NAMES
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
                ice = bedside.ice_score(values)
        else:
            bad = [name for name in items if not isinstance(values[name], int) or not 0 <= values[name] <= 4]
            if bad:
                errors[bad[0]] = f"each CAPD item is scored 0–4; got {values[bad[0]]!r}"
            else:
                capd = bedside.capd_score(values)
    if values.get("seizure_occurred"):
        if values.get("seizure_kind") not in NeuroAssessment.SeizureKind.values:
            errors["seizure_kind"] = f"choose one of {', '.join(NeuroAssessment.SeizureKind.values)}."
        duration = _decimal(values.get("seizure_duration_min"), "seizure_duration_min")
        if duration is None:
            errors["seizure_duration_min"] = "give the duration of the longest seizure in minutes."
        else:
            problem = bedside.range_problem("seizure_duration_min", duration)
            if problem:
                errors["seizure_duration_min"] = problem
            values["seizure_duration_min"] = duration
            errors |= _one_decimal(values, "seizure_duration_min")
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
        raise ValidationError(errors)
    return values, ice, capd


def _grade_neuro(
    course: TreatmentCourse, observed_at: datetime, values: dict
) -> tuple[NeuroAssessment, grading.GradeResult]:
    age = course.patient.age_on(schedule.local_date(observed_at, centre_tz()))
    values, ice, capd = _clean_neuro(values, age)
    seizure = grading.Seizure.NONE
    if values.get("seizure_occurred"):
        seizure = _finding(
            lambda: grading.classify_seizure(
                duration_minutes=values["seizure_duration_min"],
                returned_to_baseline_between=values.get("seizure_returned_to_baseline")
                if values.get("seizure_repeated")
                else None,
                on_eeg_only=values["seizure_kind"] == NeuroAssessment.SeizureKind.EEG_ONLY,
                focal=values["seizure_kind"] == NeuroAssessment.SeizureKind.FOCAL,
            )
        )
    findings = _finding(
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


def _save_neuro(*, course, by, observed_at, values, nurse_judged_grade, amends=None, reason="") -> Recorded:
    nurse_grade = _check_nurse_grade(nurse_judged_grade)
    observation, result = _grade_neuro(course, observed_at, values)
    review = _review_reasons(result, nurse_grade, "ICANS")
    if observation.not_assessable_reason:
        review = [
            f"{observation.tool.upper()} not assessable ({observation.get_not_assessable_reason_display()}).",
            *[r for r in review if "not assessed" not in r],
        ]
    _save_graded(observation, by=by, nurse_grade=nurse_grade, review=review, amends=amends, reason=reason)
    previous = _previous(course.neuro_assessments, observation)
    previous_grade = previous.grade if previous else 0
    kinds = toxicity.icans_events(grade=observation.grade, previous_grade=previous_grade)
    events = [
        _store_event(course, kind, Syndrome.ICANS, observation, previous_grade, neuro_assessment=observation)
        for kind in kinds
    ]
    rebuild_episodes(course, Syndrome.ICANS)
    _after_recording(observation, events, by=by, amendment=amends is not None)
    return Recorded(observation, events)


@transaction.atomic
def record_neuro_assessment(
    *, course: TreatmentCourse, by, observed_at: datetime, nurse_judged_grade: int | None = None, **values
) -> Recorded:
    """Record a neurological check and grade it for ICANS (ASTCT 2019, REFERENCE §3)."""
    _require(by, "tracker.add_neuroassessment", "record neurological assessments")
    observed_at = _utc(observed_at)
    course = _lock(course)
    _check_when(course, observed_at, "observed_at")
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
    """Correct a neurological check (see ``_amend``)."""
    _require(by, "tracker.add_neuroassessment", "correct neurological assessments")
    return _amend(
        NeuroAssessment,
        _save_neuro,
        original=original,
        by=by,
        reason=reason,
        observed_at=observed_at,
        nurse_judged_grade=nurse_judged_grade,
        values=values,
    )


# --- Interventions -----------------------------------------------------------------------------

INTERVENTION_FIELDS = ["kind", "agent", "dose_value", "dose_unit", "route", "indication", "given_by", "notes"]


def _dose_mg(dose_value: Decimal, dose_unit: str, weight_kg: Decimal) -> Decimal | None:
    return {
        Intervention.DoseUnit.MG: dose_value,
        Intervention.DoseUnit.G: dose_value * 1000,
        Intervention.DoseUnit.MG_PER_KG: dose_value * weight_kg,
    }.get(dose_unit)


def _build_intervention(
    course: TreatmentCourse, by, given_at: datetime, values: dict, *, excluding=None
) -> Intervention:
    unknown = set(values) - set(INTERVENTION_FIELDS)
    if unknown:
        raise ValidationError({field: "is not an intervention field." for field in unknown})
    values = {"given_by": by, **values}
    values["dose_value"] = _decimal(values.get("dose_value"), "dose_value")
    kind = values.get("kind")
    if kind not in Intervention.Kind.values:
        raise ValidationError({"kind": f"choose one of {', '.join(Intervention.Kind.values)}."})
    needs_dose = kind not in (Intervention.Kind.ICU_TRANSFER, Intervention.Kind.OTHER)
    if needs_dose and (values["dose_value"] is None or not values.get("dose_unit")):
        raise ValidationError({"dose_value": f"give the dose and its unit for {Intervention.Kind(kind).label}."})
    intervention = Intervention(course=course, given_at=given_at, **values)
    if kind == Intervention.Kind.TOCILIZUMAB:
        dose = _dose_mg(values["dose_value"], values["dose_unit"], course.patient.weight_kg)
        if dose is None:
            raise ValidationError({"dose_unit": "give tocilizumab in mg, g or mg/kg."})
        earlier = (
            course.interventions.current()
            .filter(kind=Intervention.Kind.TOCILIZUMAB, given_at__lt=given_at)
            .exclude(pk=excluding)
            .values_list("given_at", flat=True)
        )
        intervention.warnings = toxicity.tocilizumab_warnings(
            dose_mg=dose,
            weight_kg=course.patient.weight_kg,
            age_years=course.patient.age_on(schedule.local_date(given_at, centre_tz())),
            given_at=given_at,
            earlier_doses_at=list(earlier),
        )
    return intervention


@transaction.atomic
def record_intervention(*, course: TreatmentCourse, by, given_at: datetime, **values) -> Intervention:
    """Record a treatment for CRS/ICANS. Tocilizumab, steroids, anakinra, siltuximab and
    antipyretics given during a CRS episode make later fever count as masked (toxicity.py)."""
    _require(by, "tracker.add_intervention", "record interventions")
    given_at = _utc(given_at)
    course = _lock(course)
    _check_when(course, given_at, "given_at")
    intervention = _build_intervention(course, by, given_at, values)
    intervention.recorded_by = by
    return save_audited(intervention, by=by, reason="recorded")


@transaction.atomic
def amend_intervention(
    *, original: Intervention, by, reason: str, given_at: datetime | None = None, **values
) -> Intervention:
    _require(by, "tracker.add_intervention", "correct interventions")
    course = _lock(original.course)
    original = _amendment_target(Intervention, original, reason)
    given_at = _utc(given_at or original.given_at)
    _check_when(course, given_at, "given_at")
    intervention = _build_intervention(course, by, given_at, values, excluding=original.pk)
    intervention.recorded_by, intervention.amends, intervention.amendment_reason = by, original, reason
    original.superseded = True
    save_audited(original, by=by, reason=f"amended: {reason}")
    return save_audited(intervention, by=by, reason=f"amendment: {reason}")


# --- Physician review -----------------------------------------------------------------------------


@transaction.atomic
def review_assessment(*, observation, by, note: str = ""):
    """A physician confirms they have seen an assessment flagged for review (the nurse's
    judged grade differed from the computed one, or a test could not be done)."""
    if not by.has_perm("tracker.review_assessment"):
        raise PermissionDenied("Only a physician may review flagged assessments.")
    observation = type(observation).objects.select_for_update().get(pk=observation.pk)
    if not observation.needs_review:
        raise RuleRefused("This assessment is not flagged for review.")
    if observation.reviewed_at:
        raise RuleRefused("This assessment has already been reviewed.")
    observation.reviewed_by, observation.reviewed_at, observation.review_note = by, timezone.now(), note
    return save_audited(observation, by=by, reason=f"reviewed: {note}" if note else "reviewed")
