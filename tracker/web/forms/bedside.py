"""Forms for bedside recording. They validate input shape; the services check ranges and grade.
Choices come from the models and the calculators, never retyped."""

from django import forms
from django.utils import timezone

from tracker.clinical import grading, neuro_scores
from tracker.models import Intervention, NeuroAssessment, VitalSigns
from tracker.models.neuro_assessment import LEVEL_OF_CONSCIOUSNESS_CHOICES, MOTOR_CHOICES, RAISED_ICP_CHOICES
from tracker.models.vital_signs import OXYGEN_DEVICE_CHOICES, VASOPRESSOR_CHOICES
from tracker.web.forms.common import DATETIME

GRADE_CHOICES = [("", "—")] + [(str(g), f"Grade {g}") for g in range(5)]


class BedsideForm(forms.Form):
    """Common to the bedside forms: when it was observed, and the grade the nurse judged."""

    observed_at = forms.DateTimeField(label="Observed at", widget=DATETIME)
    nurse_judged_grade = forms.TypedChoiceField(
        label="Grade you judged (optional)",
        choices=GRADE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text="If it differs from the computed grade, a physician is asked to review.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["observed_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def service_kwargs(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "reason"}


class VitalSignsForm(BedsideForm):
    temperature_value = forms.DecimalField(label="Temperature", max_digits=4, decimal_places=1)
    temperature_unit = forms.ChoiceField(label="Unit", choices=VitalSigns.TemperatureUnit.choices, initial="C")
    temperature_site = forms.ChoiceField(label="Site", choices=VitalSigns.TemperatureSite.choices)
    heart_rate = forms.IntegerField(label="Heart rate (/min)")
    systolic_bp = forms.IntegerField(label="Systolic BP (mmHg)")
    diastolic_bp = forms.IntegerField(label="Diastolic BP (mmHg)")
    respiratory_rate = forms.IntegerField(label="Respiratory rate (/min)")
    spo2 = forms.IntegerField(label="SpO₂ (%)")
    oxygen_device = forms.ChoiceField(label="Oxygen", choices=[])
    oxygen_flow_l_min = forms.DecimalField(label="O₂ flow (L/min)", required=False, max_digits=4, decimal_places=1)
    fio2_pct = forms.IntegerField(label="FiO₂ (%)", required=False, help_text="Context only.")
    vasopressors = forms.MultipleChoiceField(
        label="Vasopressors running now", choices=[], required=False, widget=forms.CheckboxSelectMultiple
    )
    hypotension_by_judgement = forms.BooleanField(
        label="Hypotension by clinical judgement",
        required=False,
        help_text="Tick if hypotensive although the pressure is above the age threshold (e.g. needed fluid boluses).",
    )
    fever_other_cause = forms.BooleanField(label="Fever explained by another cause", required=False)
    hypotension_other_cause = forms.BooleanField(label="Hypotension explained by another cause", required=False)
    hypoxia_other_cause = forms.BooleanField(label="Oxygen need explained by another cause", required=False)
    attribution_note = forms.CharField(label="Other cause", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["oxygen_device"].choices = OXYGEN_DEVICE_CHOICES
        self.fields["vasopressors"].choices = VASOPRESSOR_CHOICES


class NeuroAssessmentForm(BedsideForm):
    """ICE items from age 12 (ticked when done correctly), CAPD items under 12 (0–4)."""

    CAPD_CHOICES = [(i, str(i)) for i in range(5)]

    tool = forms.ChoiceField(choices=NeuroAssessment.Tool.choices)
    not_assessable_reason = forms.ChoiceField(
        label="Could not be done because",
        required=False,
        choices=[("", "— it was done —"), *NeuroAssessment.NotAssessable.choices],
    )
    level_of_consciousness = forms.ChoiceField(choices=[])
    consciousness_other_cause = forms.BooleanField(
        label="Depressed consciousness explained by another cause (e.g. sedation)", required=False
    )
    seizure_occurred = forms.BooleanField(label="Seizure since the last check", required=False)
    seizure_kind = forms.ChoiceField(required=False, choices=[("", "—"), *NeuroAssessment.SeizureKind.choices])
    seizure_duration_min = forms.DecimalField(
        label="Longest seizure (minutes)", required=False, max_digits=5, decimal_places=1
    )
    seizure_repeated = forms.BooleanField(label="Repeated seizures", required=False)
    seizure_returned_to_baseline = forms.TypedChoiceField(
        label="Back to baseline between seizures",
        required=False,
        empty_value=None,
        choices=[("", "—"), ("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
    )
    motor_finding = forms.ChoiceField(choices=[])
    raised_icp_findings = forms.MultipleChoiceField(
        label="Raised intracranial pressure / oedema", choices=[], required=False, widget=forms.CheckboxSelectMultiple
    )
    attribution_note = forms.CharField(label="Other cause", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, age_years: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.age_years = age_years
        self.fields["tool"].initial = "ice" if age_years >= grading.ICE_MIN_AGE_YEARS else "capd"
        self.fields["level_of_consciousness"].choices = LEVEL_OF_CONSCIOUSNESS_CHOICES
        self.fields["motor_finding"].choices = MOTOR_CHOICES
        self.fields["raised_icp_findings"].choices = RAISED_ICP_CHOICES
        for name, label in neuro_scores.ICE_ITEMS:
            self.fields[name] = forms.BooleanField(label=label, required=False)
        for name, label in neuro_scores.CAPD_ITEMS:
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=self.CAPD_CHOICES,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
            )
        self.ice_fields = [self[name] for name in neuro_scores.ICE_ITEM_NAMES]
        self.capd_fields = [self[name] for name in neuro_scores.CAPD_ITEM_NAMES]

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        doing_ice = data["tool"] == "ice" and not data["not_assessable_reason"]
        doing_capd = data["tool"] == "capd" and not data["not_assessable_reason"]
        for name in neuro_scores.ICE_ITEM_NAMES:
            data[name] = bool(data[name]) if doing_ice else None  # an unticked ICE item was not done correctly
        for name in neuro_scores.CAPD_ITEM_NAMES:
            data[name] = data[name] if doing_capd else None
        if not data["seizure_occurred"]:
            data.update(seizure_kind="", seizure_duration_min=None, seizure_returned_to_baseline=None)
        return data


class InterventionForm(forms.Form):
    given_at = forms.DateTimeField(widget=DATETIME)
    kind = forms.ChoiceField(choices=[])
    agent = forms.CharField(required=False, help_text="e.g. dexamethasone, acetaminophen")
    dose_value = forms.DecimalField(required=False, max_digits=8, decimal_places=2)
    dose_unit = forms.ChoiceField(required=False, choices=[])
    route = forms.CharField(required=False, initial="IV")
    indication = forms.ChoiceField(choices=[])
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["kind"].choices = Intervention.Kind.choices
        self.fields["dose_unit"].choices = [("", "—"), *Intervention.DoseUnit.choices]
        self.fields["indication"].choices = Intervention.Indication.choices


class AmendmentMixin(forms.Form):
    reason = forms.CharField(label="Reason for the correction", widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    note = forms.CharField(label="Review note", required=False, widget=forms.Textarea(attrs={"rows": 2}))
