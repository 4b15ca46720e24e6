"""Response assessments (docs/clinical-rules.md §7): the findings of a marrow, a PET-CT or the
myeloma laboratory panel, classified by ``tracker.clinical.response``; the category is never
typed. Recording one completes the response milestone it answers; a physician releases it
before the patient sees it."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tracker.clinical import response
from tracker.clinical.findings import FindingError
from tracker.core.audit import amendment_target, save_audited, save_recorded
from tracker.core.errors import CONFLICT, RULE, Refusal
from tracker.core.guards import lock, require_perm
from tracker.follow_up.services.common import follow_up_day
from tracker.models import CheckInKind, ResponseAssessment, TreatmentCourse
from tracker.schedule.services.completion import complete_milestones

# Findings the service works out from the course's earlier assessments instead of asking for.
DERIVED = {
    response.Disease.B_ALL: ("previously_in_remission",),
    response.Disease.MYELOMA: ("nadir_serum_m_protein_g_dl", "nadir_urine_m_protein_mg_24h"),
}


def disease_of(course: TreatmentCourse) -> response.Disease:
    disease = response.disease_for_diagnosis(course.diagnosis)
    if disease is None:
        raise Refusal(
            f"No response rule applies to {course.get_diagnosis_display()}; record the result as a note "
            "(docs/clinical-rules.md §7).",
            code=RULE,
        )
    return disease


def _earlier(course: TreatmentCourse, on: date, excluding=None) -> list[ResponseAssessment]:
    rows = course.response_assessments.current().filter(assessed_on__lte=on).order_by("assessed_on", "id")
    return [row for row in rows if row.pk != excluding]


def _lowest(earlier, field: str) -> str | None:
    values = [Decimal(row.findings[field]) for row in earlier if row.findings.get(field) is not None]
    return str(min(values)) if values else None


def derived_findings(disease: response.Disease, earlier: list[ResponseAssessment]) -> dict:
    """previously_in_remission for B-ALL (a CR or CRi recorded earlier on this course); for
    myeloma the nadirs, the lowest M-protein recorded earlier (none yet: the baseline is used)."""
    if disease == response.Disease.B_ALL:
        return {"previously_in_remission": any(row.category in ("CR", "CRi") for row in earlier)}
    if disease == response.Disease.MYELOMA:
        return {
            "nadir_serum_m_protein_g_dl": _lowest(earlier, "serum_m_protein_g_dl"),
            "nadir_urine_m_protein_mg_24h": _lowest(earlier, "urine_m_protein_mg_24h"),
        }
    return {}


def _as_stored(value):
    """Findings are kept exactly as given: numbers as their decimal text, flags and choices as is."""
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        return str(Decimal(str(value)))
    return str(value) if hasattr(value, "value") else value


def _methods(disease, methods) -> list[str]:
    methods = list(methods or [])
    for method in methods:
        if method not in ResponseAssessment.Method.values:
            raise Refusal(f"choose from {', '.join(ResponseAssessment.Method.values)}; got {method!r}", field="methods")
    if not methods:
        raise Refusal("say how the response was assessed (marrow, MRD, PET-CT, ...).", field="methods")
    return methods


def build_assessment(
    course: TreatmentCourse, *, assessed_on, findings: dict, methods, excluding=None, **details
) -> ResponseAssessment:
    disease = disease_of(course)
    day = follow_up_day(course, assessed_on, "assessed_on")
    if not isinstance(findings, dict):
        raise Refusal("must be an object of named findings.", field="findings")
    given = {name: value for name, value in findings.items() if name not in DERIVED.get(disease, ())}
    values = {**given, **derived_findings(disease, _earlier(course, assessed_on, excluding))}
    try:
        result = response.classify(disease, values)
    except FindingError as error:
        raise Refusal(str(error), field=error.field or "findings") from None
    needs_review = result.needs_review
    reasons = list(result.reasons)
    if disease == response.Disease.LYMPHOMA and response.pet_response_pending(
        result.category, values["deauville_score"], day
    ):
        reasons.append("Response pending month 3: a Deauville 4 partial response this early is not a failure.")
    return ResponseAssessment(
        course=course,
        assessed_on=assessed_on,
        day=day,
        disease=disease.value,
        methods=_methods(disease, methods),
        findings={name: _as_stored(value) for name, value in values.items()},
        category=result.category.value,
        reasons=reasons,
        mrd=result.mrd.value if result.mrd else "",
        needs_review=needs_review,
        rule_version=result.rule_version,
        report_reference=details.get("report_reference", ""),
        notes=details.get("notes", ""),
    )


@transaction.atomic
def record_response_assessment(
    *, course: TreatmentCourse, by, assessed_on: date, findings: dict, methods, report_reference="", notes=""
) -> ResponseAssessment:
    """Record a response assessment; its category is computed from the findings. It completes
    the response milestone (and the marrow or scan milestone) whose window holds its date."""
    require_perm(by, "tracker.add_responseassessment", "record response assessments")
    course = lock(course)
    assessment = build_assessment(
        course,
        assessed_on=assessed_on,
        findings=findings,
        methods=methods,
        report_reference=report_reference,
        notes=notes,
    )
    save_recorded(assessment, by=by)
    complete_milestones(
        course,
        kinds=[CheckInKind.RESPONSE_ASSESSMENT, CheckInKind.REMISSION_SCAN],
        on=assessed_on,
        by=by,
        response_assessment=assessment,
    )
    return assessment


@transaction.atomic
def amend_response_assessment(
    *, original: ResponseAssessment, by, reason: str, assessed_on=None, findings=None, methods=None, **details
) -> ResponseAssessment:
    """Correct an assessment: a new, re-classified row; the original is kept, marked superseded.
    A correction is released to the patient again only by a physician."""
    require_perm(by, "tracker.add_responseassessment", "correct response assessments")
    course = lock(original.course)
    original = amendment_target(ResponseAssessment, original, reason)
    assessment = build_assessment(
        course,
        assessed_on=assessed_on or original.assessed_on,
        findings=findings if findings is not None else _given(original),
        methods=methods if methods is not None else original.methods,
        excluding=original.pk,
        report_reference=details.get("report_reference", original.report_reference),
        notes=details.get("notes", original.notes),
    )
    return save_recorded(assessment, by=by, amends=original, reason=reason)


def _given(original: ResponseAssessment) -> dict:
    derived = DERIVED.get(response.Disease(original.disease), ())
    return {name: value for name, value in original.findings.items() if name not in derived}


@transaction.atomic
def release_response(*, assessment: ResponseAssessment, by) -> ResponseAssessment:
    """A physician releases a result to the patient's own page (after talking it through)."""
    require_perm(by, "tracker.release_response", "release results to patients")
    assessment = ResponseAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.superseded:
        raise Refusal("This result has been corrected; release the corrected version.", code=CONFLICT)
    if assessment.released_at:
        raise Refusal("This result is already released.", code=CONFLICT)
    assessment.released_at, assessment.released_by = timezone.now(), by
    return save_audited(assessment, by=by, reason="released to the patient")
