"""The patient's home check-in page (phone first): temperature and symptoms; a fever or any
warning symptom tells them to call the centre now, with the number, and alerts the care team."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render

from tracker.clinical import home_check
from tracker.clinical.stages import CLOSING_STAGES
from tracker.models import Patient
from tracker.schedule.services.home import record_home_check_in
from tracker.web.forms.common import show_refusal


class HomeCheckInForm(forms.Form):
    temperature_c = forms.DecimalField(
        label="Your temperature (°C)",
        required=False,
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
        help_text="Leave empty if you have no thermometer.",
    )
    symptoms = forms.MultipleChoiceField(
        label="Do you have any of these now?",
        required=False,
        choices=list(home_check.SYMPTOMS.items()),
        widget=forms.CheckboxSelectMultiple,
    )


@login_required
def home_check_in(request):
    """Found through the patient's login alone, like their journey page."""
    patient = Patient.objects.filter(user=request.user).select_related("centre").first()
    if patient is None:
        raise Http404("This login is not linked to a patient record.")
    course = patient.courses.exclude(stage__in=CLOSING_STAGES).order_by("-sequence").first()
    if course is None:
        raise Http404("You have no treatment course in progress.")
    form = HomeCheckInForm(request.POST or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = record_home_check_in(
                course=course,
                by=request.user,
                temperature_c=form.cleaned_data["temperature_c"],
                symptoms=form.cleaned_data["symptoms"],
            )
        except ValidationError as error:
            show_refusal(error, form)
    return render(request, "tracker/home_check_in.html", {"form": form, "report": report, "centre": patient.centre})
