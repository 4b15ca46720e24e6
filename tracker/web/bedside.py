"""Bedside pages: record and correct vital signs, neurological checks and treatments; review
flagged assessments; the ward list of patients in acute monitoring."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tracker.bedside import services
from tracker.bedside.selectors import ward_courses
from tracker.clinical import days
from tracker.core.errors import problems_of
from tracker.journey.selectors import get_course_for, get_record_for
from tracker.models import Intervention, NeuroAssessment, VitalSigns
from tracker.web.access import staff_only
from tracker.web.forms import bedside as forms
from tracker.web.forms.common import show_refusal
from tracker.web.records import course_form_view


def _recorded_message(request, recorded: services.Recorded, syndrome: str) -> None:
    obs = recorded.observation
    messages.success(request, f"Recorded. {syndrome} grade {obs.grade}: {obs.grade_reasons[0]}")
    for event in recorded.events:
        messages.warning(request, f"Threshold event: {event.summary}")
    if obs.needs_review:
        messages.warning(request, "Flagged for physician review: " + " ".join(obs.review_reasons))


def _record_vitals(request, course, by, **data):
    recorded = services.record_vital_signs(course=course, by=by, **data)
    _recorded_message(request, recorded, "CRS")


def _record_neuro(request, course, by, **data):
    recorded = services.record_neuro_assessment(course=course, by=by, **data)
    _recorded_message(request, recorded, "ICANS")


def _record_intervention(request, course, by, **data):
    intervention = services.record_intervention(course=course, by=by, **data)
    for warning in intervention.warnings:
        messages.warning(request, f"Tocilizumab: {warning}")


def _age_of(course) -> dict:
    return {"age_years": course.patient.age_on(timezone.localdate())}


record_vitals = course_form_view(
    form_class=forms.VitalSignsForm,
    title="Vital signs",
    perm="tracker.add_vitalsigns",
    service=_record_vitals,
    preview="preview_vitals",
    intro="The CRS grade is computed from what you record (ASTCT 2019). Hypotension is judged from the "
    "pressure for the patient's age, or tick it by clinical judgement.",
    success="",
)

record_neuro = course_form_view(
    form_class=forms.NeuroAssessmentForm,
    title="Neurological check",
    perm="tracker.add_neuroassessment",
    service=_record_neuro,
    preview="preview_neuro",
    intro="Tick each ICE item the patient does correctly (age 12 and over), or score the CAPD items 0–4 "
    "for children under 12. If the test cannot be done, say why: it is never scored as 0.",
    form_kwargs=lambda request, course: _age_of(course),
    template="tracker/neuro_form.html",
    success="",
)

record_intervention = course_form_view(
    form_class=forms.InterventionForm,
    title="Treatment or action",
    perm="tracker.add_intervention",
    service=_record_intervention,
    intro="Tocilizumab, steroids, anakinra, siltuximab and antipyretics given during CRS make later fever "
    "count as masked. Tocilizumab doses are checked against the dose limits.",
    success="Treatment recorded.",
)


# --- Corrections ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Amendable:
    model: type
    form_class: type
    service: object
    fields: list[str]
    title: str
    time_field: str = "observed_at"


AMENDABLE = {
    "vital-signs": Amendable(
        VitalSigns,
        forms.VitalSignsForm,
        services.amend_vital_signs,
        services.VITAL_FIELDS,
        "Correct vital signs",
    ),
    "neuro": Amendable(
        NeuroAssessment,
        forms.NeuroAssessmentForm,
        services.amend_neuro_assessment,
        services.NEURO_FIELDS,
        "Correct neurological check",
    ),
    "interventions": Amendable(
        Intervention,
        forms.InterventionForm,
        services.amend_intervention,
        [f for f in services.INTERVENTION_FIELDS if f != "given_by"],
        "Correct treatment record",
        time_field="given_at",
    ),
}


def _visible_record(request, kind: str, record_id):
    spec = AMENDABLE.get(kind)
    if spec is None:
        raise PermissionDenied
    return spec, get_record_for(request.user, spec.model, record_id)


@staff_only
def amend_record(request, kind: str, record_id):
    """Correct a bedside record: a new version with a reason; the original is kept."""
    spec, original = _visible_record(request, kind, record_id)
    course = original.course
    form_class = type(f"Amend{spec.form_class.__name__}", (spec.form_class, forms.AmendmentMixin), {})
    extra = _age_of(course) if spec.form_class is forms.NeuroAssessmentForm else {}
    initial = {name: getattr(original, name) for name in spec.fields if hasattr(original, name)}
    initial[spec.time_field] = timezone.localtime(getattr(original, spec.time_field))
    if spec.form_class is forms.NeuroAssessmentForm:
        initial["seizure_returned_to_baseline"] = {True: "yes", False: "no"}.get(
            original.seizure_returned_to_baseline, ""
        )
    form = form_class(request.POST or None, initial=initial, **extra)
    if original.superseded:
        form.add_error(None, "This record has already been corrected; correct the latest version instead.")
    elif request.method == "POST" and form.is_valid():
        data = form.service_kwargs() if hasattr(form, "service_kwargs") else dict(form.cleaned_data)
        data.pop("reason", None)
        try:
            spec.service(original=original, by=request.user, reason=form.cleaned_data["reason"], **data)
        except ValidationError as error:
            show_refusal(error, form)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Correction recorded; the original is kept in the record.")
            return redirect("course_detail", course_id=course.public_id)
    template = "tracker/neuro_form.html" if spec.form_class is forms.NeuroAssessmentForm else "tracker/record_form.html"
    return render(
        request,
        template,
        {
            "course": course,
            "form": form,
            "title": spec.title,
            "submit": "Save correction",
            "original": original,
            "preview_url": None
            if spec.form_class is forms.InterventionForm
            else reverse("preview_amendment", kwargs={"kind": kind, "record_id": original.public_id}),
            "intro": "The original stays in the record, marked as corrected, with your reason.",
        },
    )


@require_POST
@staff_only
def review(request, kind: str, record_id):
    if kind not in ("vital-signs", "neuro"):  # only graded assessments are reviewed
        raise Http404("Only vital signs and neurological checks are reviewed.")
    spec, observation = _visible_record(request, kind, record_id)
    form = forms.ReviewForm(request.POST)
    form.is_valid()
    try:
        services.review_assessment(observation=observation, by=request.user, note=form.cleaned_data.get("note", ""))
    except PermissionDenied as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Review recorded.")
    return redirect("course_detail", course_id=observation.course.public_id)


@staff_only
def ward(request):
    """Patients in acute monitoring (days 0 to 28) with their current CRS and ICANS grades."""
    courses = ward_courses(request.user)
    page = Paginator(courses, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(course, days.day_number(course.day_zero, today) if course.day_zero else None) for course in page]
    return render(request, "tracker/ward.html", {"rows": rows, "page": page})


# --- Live grade preview --------------------------------------------------------------------------

# The CRS grade does not depend on these (docs/clinical-rules.md §3): while they are still
# empty the preview grades what is there with a neutral stand-in and lists them as still needed.
NOT_GRADED_VITALS = {"heart_rate": 80, "respiratory_rate": 16, "spo2": 97}


def _preview(request, course, form_class, *, amends=None):
    """The grade the form would get if saved now; nothing is stored (htmx swaps it in)."""
    neuro = form_class is forms.NeuroAssessmentForm
    data = request.POST.copy()
    still_needed = []
    if not neuro:
        for name in NOT_GRADED_VITALS:
            if not data.get(name, "").strip():
                still_needed.append(forms.VitalSignsForm.base_fields[name].label)
                data[name] = str(NOT_GRADED_VITALS[name])
    form = form_class(data, **(_age_of(course) if neuro else {}))
    context = {"syndrome": "ICANS" if neuro else "CRS", "still_needed": still_needed}
    if not form.is_valid():
        context["incomplete"] = [
            form.fields[name].label or name.replace("_", " ") for name in form.errors if name in form.fields
        ]
        context["form_errors"] = form.non_field_errors()
    else:
        values = form.service_kwargs()
        values.pop("nurse_judged_grade", None)
        observed_at = values.pop("observed_at")
        try:
            if neuro:
                _, result = services.preview_neuro_assessment(course=course, observed_at=observed_at, values=values)
            else:
                _, result = services.preview_vital_signs(
                    course=course, observed_at=observed_at, values=values, amends=amends
                )
        except ValidationError as error:
            context["problems"] = [
                (form.fields[p.field].label if p.field in form.fields else (p.field or "").replace("_", " "), p.message)
                for p in problems_of(error)
            ]
        else:
            context["result"] = result
    return render(request, "tracker/_grade_preview.html", context)


@require_POST
@staff_only
def preview_vitals(request, course_id):
    return _preview(request, get_course_for(request.user, course_id), forms.VitalSignsForm)


@require_POST
@staff_only
def preview_neuro(request, course_id):
    return _preview(request, get_course_for(request.user, course_id), forms.NeuroAssessmentForm)


@require_POST
@staff_only
def preview_amendment(request, kind: str, record_id):
    spec, original = _visible_record(request, kind, record_id)
    if spec.form_class is forms.InterventionForm:
        raise PermissionDenied
    return _preview(request, original.course, spec.form_class, amends=original)
