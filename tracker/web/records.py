"""Form pages that write along the journey. Each validates the form, calls one service, and
shows the service's refusal on the form (naming the field where there is one)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from tracker.journey import services
from tracker.journey.selectors import get_course_for
from tracker.models import ManufacturingRun
from tracker.web.access import staff_only
from tracker.web.forms import journey as forms
from tracker.web.forms.common import show_refusal


def course_form_view(
    *,
    form_class,
    title,
    perm,
    service,
    intro="",
    submit="Save",
    success="Saved.",
    form_kwargs=None,
    template="tracker/record_form.html",
    preview=None,
):
    """Build a view that shows ``form_class`` for a course and hands valid data to ``service``."""

    @staff_only
    def view(request, course_id):
        course = get_course_for(request.user, course_id)
        if not request.user.has_perm(perm):
            raise PermissionDenied
        extra = form_kwargs(request, course) if form_kwargs else {}
        form = form_class(request.POST or None, **extra)
        if request.method == "POST" and form.is_valid():
            data = form.service_kwargs() if hasattr(form, "service_kwargs") else dict(form.cleaned_data)
            try:
                service(request=request, course=course, by=request.user, **data)
            except ValidationError as error:
                show_refusal(error, form)
            except PermissionDenied as error:
                form.add_error(None, str(error) or "You do not have permission to do this.")
            else:
                if success:
                    messages.success(request, success)
                return redirect("course_detail", course_id=course.public_id)
        context = {"course": course, "form": form, "title": title, "intro": intro, "submit": submit}
        if preview:  # the live grade (tracker.web.bedside._preview), posted as the form is filled in
            context["preview_url"] = reverse(preview, kwargs={"course_id": course.public_id})
        return render(request, template, context)

    return view


record_eligibility = course_form_view(
    form_class=forms.EligibilityForm,
    title="Eligibility assessment",
    perm="tracker.add_eligibilityassessment",
    service=lambda request, **kw: services.record_eligibility(**kw),
    intro="Indication, organ function, infection screen and consent. Research consent decides the CIBMTR form track.",
)

record_collection = course_form_view(
    form_class=forms.CollectionForm,
    title="Leukapheresis collection",
    perm="tracker.add_leukapheresis",
    service=lambda request, **kw: services.record_collection(**kw),
    success="Collection recorded. Register the manufacturing run when it ships.",
)

register_run = course_form_view(
    form_class=forms.ManufacturingRunForm,
    title="Register manufacturing run",
    perm="tracker.add_manufacturingrun",
    service=lambda request, **kw: services.register_manufacturing_run(**kw),
    intro="The chain-of-identity id links the patient, the collection and every product bag; "
    "it is checked again at the bedside.",
    form_kwargs=lambda request, course: {"course": course},
    success="Manufacturing run registered; you can now move the course to Manufacturing.",
)

record_bridging = course_form_view(
    form_class=forms.BridgingForm,
    title="Bridging therapy",
    perm="tracker.add_bridgingtherapy",
    service=lambda request, **kw: services.start_bridging(**kw),
)

record_lymphodepletion = course_form_view(
    form_class=forms.LymphodepletionForm,
    title="Start lymphodepletion",
    perm="tracker.add_lymphodepletion",
    service=lambda request, **kw: services.start_lymphodepletion(**kw),
    intro="The product should be released before lymphodepletion starts. "
    "Starting earlier needs a physician's override with a reason.",
    submit="Start lymphodepletion",
    form_kwargs=lambda request, course: {"course": course},
)


def _infusion_then_warn(request, course, by, **data):
    infusion = services.record_infusion(course=course, by=by, **data)
    if infusion.window_warning:
        messages.warning(request, infusion.window_warning)


record_infusion = course_form_view(
    form_class=forms.InfusionForm,
    title="Infusion: bedside identity check",
    perm="tracker.verify_identity",
    service=_infusion_then_warn,
    intro="Read the chain-of-identity id from each bag's label. It must match this patient's manufacturing run, "
    "and a second staff member confirms with their own password.",
    submit="Confirm identity and record infusion",
    form_kwargs=lambda request, course: {"course": course, "recorder": request.user, "request": request},
    success="Infusion recorded: day 0. The course is in acute monitoring.",
)


def _transition(request, course, by, to, occurred_at, note, override_reason):
    return services.transition_course(
        course=course, to=to, by=by, occurred_at=occurred_at, note=note, override_reason=override_reason
    )


transition_course = course_form_view(
    form_class=forms.TransitionForm,
    title="Move to another stage",
    perm="tracker.change_stage",
    service=_transition,
    form_kwargs=lambda request, course: {"course": course},
    submit="Move",
    success="Stage changed.",
)


def _latest_run(course) -> ManufacturingRun:
    run = course.latest_run()
    if run is None:
        raise PermissionDenied("This course has no manufacturing run.")
    return run


def _update_run(request, course, by, action, on, text):
    run = _latest_run(course)
    if action == "release":
        return services.release_run(run=run, by=by, released_on=on)
    if action == "out_of_specification":
        return services.mark_run_out_of_specification(run=run, by=by, finding=text, on=on)
    if action == "release_under_exception":
        return services.release_under_exception(run=run, by=by, reason=text)
    return services.mark_run_failed(run=run, by=by, reason=text)


update_run = course_form_view(
    form_class=forms.RunStatusForm,
    title="Manufacturing status",
    perm="tracker.change_manufacturingrun",
    service=_update_run,
    success="Manufacturing status updated.",
)

receive_product = course_form_view(
    form_class=forms.ReceiveProductForm,
    title="Receive product at site",
    perm="tracker.add_productbag",
    service=lambda request, course, by, **kw: services.receive_product(run=_latest_run(course), by=by, **kw),
    success="Product received; bags are on record for the bedside check.",
    form_kwargs=lambda request, course: {"course": course},
)


@staff_only
def refer_patient(request):
    """Register a new patient and open their course at referral."""
    if not (request.user.has_perm("tracker.add_patient") and request.user.has_perm("tracker.add_treatmentcourse")):
        raise PermissionDenied
    profile = getattr(request.user, "staff_profile", None)
    if profile is None:
        raise PermissionDenied("Referring a patient needs a staff profile with a centre.")
    centre = profile.centre
    patient_form = forms.PatientForm(request.POST or None, prefix="patient")
    course_form = forms.CourseForm(request.POST or None, prefix="course", centre_id=centre.id)
    team_form = forms.ReferralTeamForm(request.POST or None, prefix="team", centre_id=centre.id)
    valid = [form.is_valid() for form in (patient_form, course_form, team_form)]
    if request.method == "POST" and all(valid):
        try:
            course = services.refer_new_patient(
                by=request.user,
                patient_fields={"centre": centre, **patient_form.cleaned_data},
                course_fields=course_form.service_kwargs(),
                care_team=team_form.members(),
            )
        except ValidationError as error:
            show_refusal(error, patient_form, course_form, team_form)
        else:
            messages.success(request, f"{course.patient.full_name} referred.")
            return redirect(reverse("course_detail", kwargs={"course_id": course.public_id}))
    return render(
        request,
        "tracker/refer_patient.html",
        {"patient_form": patient_form, "course_form": course_form, "team_form": team_form},
    )


def _correct_infusion_time(request, course, by, infused_at, reason):
    infusion = course.infusions.order_by("infused_at").first()
    if infusion is None:
        raise PermissionDenied("This course has no infusion on record.")
    result = services.correct_infusion_time(infusion=infusion, by=by, infused_at=infused_at, reason=reason)
    messages.success(
        request,
        f"Infusion time corrected. {result.moved} check-ins moved, {result.cancelled} cancelled, "
        f"{result.created} added.",
    )


correct_infusion_time = course_form_view(
    form_class=forms.InfusionTimeCorrectionForm,
    title="Correct the infusion time",
    perm="tracker.add_infusion",
    service=_correct_infusion_time,
    intro="Day 0 moves with it: scheduled check-ins and milestones are re-planned, completed ones stay as "
    "they were, and the old time is kept in the audit trail with your reason.",
    submit="Correct",
    success="",
)
