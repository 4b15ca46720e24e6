"""Forms for the journey pages. They validate input shape; the services own the rules."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from tracker import journey
from tracker.journey import Stage
from tracker.models import (
    BridgingTherapy,
    EligibilityAssessment,
    Infusion,
    Leukapheresis,
    Lymphodepletion,
    Patient,
    TargetAntigen,
    TreatmentCourse,
)
from tracker.products import PRODUCTS

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def staff_with_perm(perm: str, centre_id: int | None):
    """Active staff of a centre holding a permission through their role group."""
    app_label, codename = perm.split(".")
    users = get_user_model().objects.filter(
        is_active=True,
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    )
    if centre_id is not None:
        users = users.filter(staff_profile__centre_id=centre_id)
    return users.distinct().order_by("last_name", "first_name")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = [
            "mrn",
            "given_name",
            "family_name",
            "born_on",
            "sex",
            "weight_kg",
            "phone",
            "email",
            "caregiver_name",
            "caregiver_relationship",
            "caregiver_phone",
        ]
        widgets = {"born_on": DATE}


class CourseForm(forms.ModelForm):
    target_antigens = forms.ModelMultipleChoiceField(
        queryset=TargetAntigen.objects.all(), to_field_name="code", widget=forms.SelectMultiple(attrs={"size": 5})
    )
    treating_physician = UserChoiceField(queryset=get_user_model().objects.none())

    class Meta:
        model = TreatmentCourse
        fields = [
            "referred_on",
            "referring_centre",
            "diagnosis",
            "diagnosis_detail",
            "product",
            "investigational_product_name",
            "target_antigens",
            "antigen_construct",
            "treating_physician",
            "baseline_marrow_blasts_pct",
            "baseline_ldh_u_l",
            "baseline_m_protein_g_dl",
            "baseline_ecog",
            "baseline_notes",
        ]
        widgets = {"referred_on": DATE, "baseline_notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, centre_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["treating_physician"].queryset = staff_with_perm("tracker.override_release", centre_id)
        self.fields["referred_on"].initial = timezone.localdate()

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["target_antigens"] = [a.code for a in data["target_antigens"]]
        return data


class EligibilityForm(forms.ModelForm):
    class Meta:
        model = EligibilityAssessment
        fields = [
            "assessed_on",
            "eligible",
            "consent_signed_on",
            "registry_research_consent",
            "organ_function_adequate",
            "infection_screen_clear",
            "ecog",
            "notes",
        ]
        widgets = {"assessed_on": DATE, "consent_signed_on": DATE, "notes": forms.Textarea(attrs={"rows": 2})}


class CollectionForm(forms.ModelForm):
    bag_identifiers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="One per line: ISBT 128 DIN or apheresis bag id."
    )

    class Meta:
        model = Leukapheresis
        fields = ["collected_on", "site", "cd3_yield_e9", "volume_processed_l", "notes"]
        widgets = {"collected_on": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["bag_identifiers"] = _lines(data["bag_identifiers"])
        return data


class ManufacturingRunForm(forms.Form):
    collection = forms.ModelChoiceField(queryset=Leukapheresis.objects.none())
    manufacturer = forms.CharField(max_length=100)
    lot_number = forms.CharField(max_length=64, required=False)
    coi_id = forms.CharField(label="Chain-of-identity id", max_length=64)
    shipped_on = forms.DateField(label="Collection shipped on", widget=DATE, required=False)

    def __init__(self, *args, course: TreatmentCourse, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collection"].queryset = course.collections.filter(manufacturing_runs__isnull=True)


class RunStatusForm(forms.Form):
    ACTIONS = [
        ("release", "Released in specification"),
        ("out_of_specification", "Out of specification"),
        ("release_under_exception", "Accept out-of-spec product under exception (physician)"),
        ("failed", "Manufacturing failed"),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    on = forms.DateField(label="Date", widget=DATE, initial=timezone.localdate)
    text = forms.CharField(
        label="Finding or reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required for out of specification, exceptions and failures.",
    )


class ReceiveProductForm(forms.Form):
    delivered_on = forms.DateField(widget=DATE, initial=timezone.localdate)
    bag_identifiers = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="One per line.")

    def __init__(self, *args, course: TreatmentCourse, **kwargs):
        super().__init__(*args, **kwargs)
        kind = PRODUCTS[course.product].bag_identifier_kind
        self.fields["bag_identifiers"].help_text = f"One per line: the {kind} printed on each bag."

    def service_kwargs(self) -> dict:
        return {
            "delivered_on": self.cleaned_data["delivered_on"],
            "bag_identifiers": _lines(self.cleaned_data["bag_identifiers"]),
        }


class BridgingForm(forms.ModelForm):
    class Meta:
        model = BridgingTherapy
        fields = ["modality", "agents", "intent", "started_on", "ended_on", "response"]
        widgets = {"started_on": DATE, "ended_on": DATE}


class LymphodepletionForm(forms.ModelForm):
    override_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only if starting before the product is released: a physician's reason.",
    )

    class Meta:
        model = Lymphodepletion
        fields = ["regimen", "regimen_detail", "fludarabine_mg_m2", "cyclophosphamide_mg_m2", "started_on", "ended_on"]
        widgets = {"started_on": DATE, "ended_on": DATE}

    def __init__(self, *args, course: TreatmentCourse, **kwargs):
        super().__init__(*args, **kwargs)
        product = PRODUCTS[course.product]
        self.fields["regimen_detail"].initial = product.usual_ld_regimen
        self.fields["regimen_detail"].help_text = f"Usual for {product.label}: {product.usual_ld_regimen}."


class InfusionForm(forms.Form):
    """Infusion with the bedside chain-of-identity check. The person recording is the first
    checker; the second checker confirms with their own password, so two people really did."""

    infused_at = forms.DateTimeField(widget=DATETIME)
    dose_value = forms.DecimalField(max_digits=8, decimal_places=3, min_value=0.001)
    dose_unit = forms.ChoiceField(choices=Infusion.DoseUnit.choices)
    second_checker = UserChoiceField(queryset=get_user_model().objects.none())
    second_checker_password = forms.CharField(widget=forms.PasswordInput, help_text="The second checker confirms here.")
    premedication = forms.CharField(max_length=200, initial="Acetaminophen + H1 antihistamine", required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, course: TreatmentCourse, recorder, **kwargs):
        super().__init__(*args, **kwargs)
        self.recorder = recorder
        self.fields["infused_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["second_checker"].queryset = staff_with_perm(
            "tracker.verify_identity", course.patient.centre_id
        ).exclude(pk=recorder.pk)
        run = course.latest_run()
        self.bags = list(run.bags.filter(infusion__isnull=True)) if run else []
        for bag in self.bags:
            self.fields[f"bag_{bag.pk}"] = forms.CharField(
                label=f"Bag {bag.bag_identifier}: chain-of-identity id on the label",
                max_length=64,
                required=False,
                help_text="Scan or type it from the bag; leave empty if this bag is not infused now.",
            )

    def clean(self):
        data = super().clean()
        checker, password = data.get("second_checker"), data.get("second_checker_password")
        if checker and password and not checker.check_password(password):
            self.add_error("second_checker_password", "That password does not match the second checker.")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        scanned = {bag.bag_identifier: data[f"bag_{bag.pk}"] for bag in self.bags if data.get(f"bag_{bag.pk}")}
        return {
            "infused_at": data["infused_at"],
            "dose_value": data["dose_value"],
            "dose_unit": data["dose_unit"],
            "scanned_bags": scanned,
            "identity_checked_by": self.recorder,
            "identity_second_check_by": data["second_checker"],
            "premedication": data["premedication"],
            "notes": data["notes"],
        }


# Stages reached through their own form (with the record they need), not the plain move form.
STAGES_WITH_OWN_FORM = {Stage.BRIDGING, Stage.LYMPHODEPLETION, Stage.INFUSION, Stage.ACUTE_MONITORING}


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label="Move to")
    occurred_at = forms.DateTimeField(label="When it happened", widget=DATETIME)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    override_reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, course: TreatmentCourse, **kwargs):
        super().__init__(*args, **kwargs)
        targets = sorted(journey.allowed_targets(course.stage_enum) - STAGES_WITH_OWN_FORM, key=list(Stage).index)
        self.fields["to"].choices = [(s.value, s.label) for s in targets]
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


# --- Bedside recording -------------------------------------------------------------------------

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
    temperature_unit = forms.ChoiceField(label="Unit", choices=[("C", "°C"), ("F", "°F")], initial="C")
    temperature_site = forms.ChoiceField(
        label="Site",
        choices=[
            ("oral", "Oral"),
            ("tympanic", "Tympanic"),
            ("axillary", "Axillary"),
            ("temporal", "Temporal artery"),
            ("rectal", "Rectal"),
            ("core", "Core"),
        ],
    )
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
        from tracker.models.vital_signs import OXYGEN_DEVICE_CHOICES, VASOPRESSOR_CHOICES

        super().__init__(*args, **kwargs)
        self.fields["oxygen_device"].choices = OXYGEN_DEVICE_CHOICES
        self.fields["vasopressors"].choices = VASOPRESSOR_CHOICES


class NeuroAssessmentForm(BedsideForm):
    """ICE items from age 12 (ticked when done correctly), CAPD items under 12 (0–4)."""

    CAPD_CHOICES = [(i, str(i)) for i in range(5)]

    tool = forms.ChoiceField(
        choices=[("ice", "ICE (age 12 and over)"), ("capd", "CAPD (under 12, or developmental delay)")]
    )
    not_assessable_reason = forms.ChoiceField(
        label="Could not be done because",
        required=False,
        choices=[
            ("", "— it was done —"),
            ("unarousable", "Unarousable"),
            ("intubated_sedated", "Intubated and sedated"),
            ("language", "Language barrier"),
            ("baseline_aphasia", "Baseline aphasia or cognitive impairment"),
            ("visual_motor", "Visual or motor limitation"),
            ("other", "Other"),
        ],
    )
    level_of_consciousness = forms.ChoiceField(choices=[])
    consciousness_other_cause = forms.BooleanField(
        label="Depressed consciousness explained by another cause (e.g. sedation)", required=False
    )
    seizure_occurred = forms.BooleanField(label="Seizure since the last check", required=False)
    seizure_kind = forms.ChoiceField(
        required=False,
        choices=[
            ("", "—"),
            ("focal", "Focal clinical"),
            ("generalized", "Generalised clinical"),
            ("eeg_only", "Non-convulsive, on EEG"),
        ],
    )
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
        from tracker import bedside
        from tracker.models.neuro_assessment import LEVEL_OF_CONSCIOUSNESS_CHOICES, MOTOR_CHOICES, RAISED_ICP_CHOICES

        super().__init__(*args, **kwargs)
        self.age_years = age_years
        self.fields["tool"].initial = "ice" if age_years >= 12 else "capd"
        self.fields["level_of_consciousness"].choices = LEVEL_OF_CONSCIOUSNESS_CHOICES
        self.fields["motor_finding"].choices = MOTOR_CHOICES
        self.fields["raised_icp_findings"].choices = RAISED_ICP_CHOICES
        for name, label in bedside.ICE_ITEMS:
            self.fields[name] = forms.BooleanField(label=label, required=False)
        for name, label in bedside.CAPD_ITEMS:
            self.fields[name] = forms.TypedChoiceField(
                label=label, choices=self.CAPD_CHOICES, coerce=int, required=False, empty_value=None
            )
        self.ice_fields = [self[name] for name in bedside.ICE_ITEM_NAMES]
        self.capd_fields = [self[name] for name in bedside.CAPD_ITEM_NAMES]

    def service_kwargs(self) -> dict:
        from tracker import bedside

        data = super().service_kwargs()
        doing_ice = data["tool"] == "ice" and not data["not_assessable_reason"]
        doing_capd = data["tool"] == "capd" and not data["not_assessable_reason"]
        for name in bedside.ICE_ITEM_NAMES:
            data[name] = bool(data[name]) if doing_ice else None  # an unticked ICE item was not done correctly
        for name in bedside.CAPD_ITEM_NAMES:
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
        from tracker.models import Intervention

        super().__init__(*args, **kwargs)
        self.fields["given_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["kind"].choices = Intervention.Kind.choices
        self.fields["dose_unit"].choices = [("", "—"), *Intervention.DoseUnit.choices]
        self.fields["indication"].choices = Intervention.Indication.choices


class AmendmentMixin(forms.Form):
    reason = forms.CharField(label="Reason for the correction", widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    note = forms.CharField(label="Review note", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class InfusionTimeCorrectionForm(forms.Form):
    infused_at = forms.DateTimeField(label="Correct infusion time", widget=DATETIME)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
