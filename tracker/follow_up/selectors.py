"""Reads of a course's follow-up: its response assessments with the rules that span them (best
overall response, IMWG confirmation, a PET response pending month 3), its events, and its late
effects with ICAHT and neutrophil recovery computed from the blood counts. A fixed number of
queries whatever the course's length."""

from dataclasses import dataclass, field

from tracker.clinical import cytopenia, response
from tracker.models import CourseEvent, LabResult, ResponseAssessment, TreatmentCourse


@dataclass
class AssessmentRow:
    assessment: ResponseAssessment
    label: str
    confirmed: bool | None  # myeloma only: None where confirmation does not apply
    pending_month_3: bool


@dataclass
class FollowUp:
    disease: response.Disease | None
    assessments: list[AssessmentRow]
    best: str | None
    best_label: str
    latest: AssessmentRow | None
    events: list[CourseEvent]
    labs: list[LabResult]
    infections: list
    diagnoses: list
    icaht: cytopenia.IcahtResult | None
    recovery: cytopenia.RecoveryResult | None
    latest_igg: LabResult | None
    alerts: list[str] = field(default_factory=list)

    @property
    def has_anything(self) -> bool:
        return bool(self.assessments or self.events or self.labs or self.infections or self.diagnoses)


def assessment_rows(disease: response.Disease, assessments: list[ResponseAssessment]) -> list[AssessmentRow]:
    categories = [a.category for a in assessments]
    confirmations = (
        response.myeloma_confirmations(categories) if disease == response.Disease.MYELOMA else [None] * len(categories)
    )
    rows = []
    for assessment, confirmed in zip(assessments, confirmations, strict=True):
        pending = disease == response.Disease.LYMPHOMA and response.pet_response_pending(
            assessment.category, int(assessment.findings.get("deauville_score", 0)), assessment.day
        )
        rows.append(
            AssessmentRow(
                assessment, response.category_label(disease, assessment.category), confirmed, pending_month_3=pending
            )
        )
    return rows


def anc_series(labs: list[LabResult]) -> list[cytopenia.AncMeasurement]:
    return [cytopenia.AncMeasurement(lab.day, lab.anc_10e9_per_l) for lab in labs if lab.anc_10e9_per_l is not None]


def course_follow_up(course: TreatmentCourse) -> FollowUp | None:
    """Everything after infusion, for the course page; None before infusion (7 queries)."""
    if course.day_zero is None:
        return None
    disease = response.disease_for_diagnosis(course.diagnosis)
    assessments = list(course.response_assessments.current().select_related("recorded_by", "released_by"))
    rows = assessment_rows(disease, assessments) if disease else []
    best = response.best_overall_response(disease, [a.category for a in assessments]) if disease and rows else None
    events = list(course.course_events.current().select_related("recorded_by"))
    labs = list(course.lab_results.current())
    series = anc_series(labs)
    censor = next((e.day for e in events if e.kind == CourseEvent.Kind.DEATH), None)
    diagnoses = list(course.late_diagnoses.current())
    alerts = [
        f"Second primary malignancy (day {d.day}): tell the manufacturer (FDA 2024)."
        for d in diagnoses
        if d.manufacturer_to_be_told
    ]
    return FollowUp(
        disease=disease,
        assessments=rows,
        best=best.value if best else None,
        best_label=response.category_label(disease, best) if best else "",
        latest=rows[-1] if rows else None,
        events=events,
        labs=labs,
        infections=list(course.infections.current()),
        diagnoses=diagnoses,
        icaht=cytopenia.grade_icaht(series, censored_from_day=censor) if series else None,
        recovery=cytopenia.neutrophil_recovery(series) if series else None,
        latest_igg=next((lab for lab in reversed(labs) if lab.igg_mg_dl is not None), None),
        alerts=alerts,
    )


def released_response(course: TreatmentCourse) -> tuple[ResponseAssessment, str] | None:
    """The latest response a physician has released to the patient, in plain words."""
    disease = response.disease_for_diagnosis(course.diagnosis)
    latest = (
        course.response_assessments.current().filter(released_at__isnull=False).order_by("-assessed_on", "-id").first()
    )
    if latest is None or disease is None:
        return None
    return latest, response.patient_words(disease, latest.category, test_name(latest))


MILESTONE_DAYS = {28: "day +28", 90: "month 3", 180: "month 6", 365: "month 12"}


def test_name(assessment: ResponseAssessment) -> str:
    """The test as the patient knows it: "day +28 marrow", "month 3 PET-CT scan"."""
    nearest = min(MILESTONE_DAYS, key=lambda day: abs(day - assessment.day))
    when = MILESTONE_DAYS[nearest] if abs(nearest - assessment.day) <= 14 else f"day +{assessment.day}"
    what = {
        ResponseAssessment.Disease.B_ALL: "marrow",
        ResponseAssessment.Disease.LYMPHOMA: "PET-CT scan",
        ResponseAssessment.Disease.MYELOMA: "myeloma tests",
    }[assessment.disease]
    return f"{when} {what}"
