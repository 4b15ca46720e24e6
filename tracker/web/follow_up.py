"""Follow-up pages: record a response assessment (the form for the course's disease), an event,
a laboratory result, an infection or a late diagnosis; correct any of them with a reason; a
physician releases a response to the patient. Each page calls one service."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tracker.clinical import response
from tracker.follow_up import services
from tracker.journey.selectors import get_course_for, get_record_for
from tracker.models import CourseEvent, Infection, LabResult, LateDiagnosis, ResponseAssessment
from tracker.web.access import staff_only
from tracker.web.forms import follow_up as forms
from tracker.web.forms.bedside import AmendmentMixin
from tracker.web.forms.common import show_refusal
from tracker.web.records import course_form_view


def _response_form(course):
    disease = response.disease_for_diagnosis(course.diagnosis)
    if disease is None:
        raise PermissionDenied(f"No response rule applies to {course.get_diagnosis_display()}.")
    return forms.RESPONSE_FORMS[disease]


@staff_only
def record_response(request, course_id):
    """The response form for the course's disease (marrow for B-ALL, PET-CT, myeloma panel)."""
    course = get_course_for(request.user, course_id)
    view = course_form_view(
        form_class=_response_form(course),
        title="Response assessment",
        perm="tracker.add_responseassessment",
        service=lambda request, **kw: services.record_response_assessment(**kw),
        intro="The response category is computed from the findings (docs/clinical-rules.md §7); "
        "it completes the response milestone whose window holds the date.",
        success="Response assessment recorded.",
    )
    return view(request, course_id)


record_event = course_form_view(
    form_class=forms.EventForm,
    title="Event after infusion",
    perm="tracker.add_courseevent",
    service=lambda request, **kw: services.record_event(**kw),
    intro="A death closes the course and cancels its open check-ins. A relapse needs its sites.",
    success="Event recorded.",
)

record_lab_result = course_form_view(
    form_class=forms.LabResultForm,
    title="Laboratory result",
    perm="tracker.add_labresult",
    service=lambda request, **kw: services.record_lab_result(**kw),
    intro="IgG, B cells and the blood count. ICAHT and neutrophil recovery are computed from the ANC series.",
    success="Laboratory result recorded.",
)

record_infection = course_form_view(
    form_class=forms.InfectionForm,
    title="Infection",
    perm="tracker.add_infection",
    service=lambda request, **kw: services.record_infection(**kw),
    success="Infection recorded.",
)

record_late_diagnosis = course_form_view(
    form_class=forms.LateDiagnosisForm,
    title="Late diagnosis",
    perm="tracker.add_latediagnosis",
    service=lambda request, **kw: services.record_late_diagnosis(**kw),
    intro="A second primary malignancy must be reported to the manufacturer (FDA 2024).",
    success="Diagnosis recorded.",
)


@dataclass(frozen=True)
class Correctable:
    model: type
    form_class: object  # a form class, or a function of the course that returns one
    service: object
    title: str


CORRECTABLE = {
    "response": Correctable(
        ResponseAssessment, _response_form, services.amend_response_assessment, "Correct response assessment"
    ),
    "event": Correctable(CourseEvent, lambda course: forms.EventForm, services.amend_event, "Correct event"),
    "lab": Correctable(LabResult, lambda course: forms.LabResultForm, services.amend_lab_result, "Correct lab result"),
    "infection": Correctable(
        Infection, lambda course: forms.InfectionForm, services.amend_infection, "Correct infection"
    ),
    "diagnosis": Correctable(
        LateDiagnosis, lambda course: forms.LateDiagnosisForm, services.amend_late_diagnosis, "Correct diagnosis"
    ),
}


def _initial(record) -> dict:
    initial = {field.name: getattr(record, field.name) for field in record._meta.fields}
    if isinstance(record, ResponseAssessment):
        initial.update(record.findings)
    return initial


def _visible(request, kind: str, record_id):
    spec = CORRECTABLE.get(kind)
    if spec is None:
        raise PermissionDenied
    return spec, get_record_for(request.user, spec.model, record_id)


@staff_only
def amend(request, kind: str, record_id):
    """Correct a follow-up record: a new version with a reason; the original is kept."""
    spec, original = _visible(request, kind, record_id)
    course = original.course
    base = spec.form_class(course)
    form_class = type(f"Amend{base.__name__}", (base, AmendmentMixin), {})
    form = form_class(request.POST or None, initial=_initial(original))
    if "kind" in form.fields:
        form.fields["kind"].disabled = True
    if original.superseded:
        form.add_error(None, "This record has already been corrected; correct the latest version instead.")
    elif request.method == "POST" and form.is_valid():
        data = form.service_kwargs() if hasattr(form, "service_kwargs") else dict(form.cleaned_data)
        data.pop("reason", None)
        if kind == "event":
            data.pop("kind", None)
        try:
            spec.service(original=original, by=request.user, reason=form.cleaned_data["reason"], **data)
        except ValidationError as error:
            show_refusal(error, form)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Correction recorded; the original is kept in the record.")
            return redirect("course_detail", course_id=course.public_id)
    context = {
        "course": course,
        "form": form,
        "title": spec.title,
        "submit": "Save correction",
        "intro": "The original stays in the record, marked as corrected, with your reason.",
    }
    return render(request, "tracker/record_form.html", context)


@require_POST
@staff_only
def release(request, record_id):
    _, assessment = _visible(request, "response", record_id)
    try:
        services.release_response(assessment=assessment, by=request.user)
    except PermissionDenied as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Released: the patient now sees this result on their page.")
    return redirect("course_detail", course_id=assessment.course.public_id)
