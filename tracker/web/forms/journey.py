"""Forms for the journey pages. They validate input shape; the services own the rules."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from tracker.accounts import security
from tracker.clinical import stages
from tracker.clinical.products import PRODUCTS
from tracker.clinical.stages import Stage
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
from tracker.web.forms.common import DATE, DATETIME, UserChoiceField, split_lines, staff_with_perm


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Unknown only for imported history: a referral always gives the weight (dose limits).
        self.fields["weight_kg"].required = True


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
        data["bag_identifiers"] = split_lines(data["bag_identifiers"])
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
            "bag_identifiers": split_lines(self.cleaned_data["bag_identifiers"]),
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

    def __init__(self, *args, course: TreatmentCourse, recorder, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.recorder = recorder
        self.request = request
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
        if checker and password:
            # Through the sign-in lockout: each failure is counted, recorded and can lock the
            # second checker's account and this address (tracker/accounts/security.py).
            problem = security.confirm_second_checker(request=self.request, checker=checker, password=password)
            if problem:
                self.add_error("second_checker_password", problem)
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
        targets = sorted(stages.allowed_targets(course.stage_enum) - STAGES_WITH_OWN_FORM, key=list(Stage).index)
        self.fields["to"].choices = [(s.value, s.label) for s in targets]
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class InfusionTimeCorrectionForm(forms.Form):
    infused_at = forms.DateTimeField(label="Correct infusion time", widget=DATETIME)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class ReferralTeamForm(forms.Form):
    """The care team a referral starts with: they see the patient and get the course's alerts."""

    nurses = forms.ModelMultipleChoiceField(
        label="Nurses on the care team",
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="You can change the team later from the course page.",
    )
    physicians = forms.ModelMultipleChoiceField(
        label="Other physicians on the care team",
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, centre_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        physicians = staff_with_perm("tracker.override_release", centre_id)
        self.fields["nurses"].queryset = staff_with_perm("tracker.add_vitalsigns", centre_id).exclude(
            pk__in=physicians.values("pk")
        )
        self.fields["physicians"].queryset = physicians
        for name in ("nurses", "physicians"):
            self.fields[name].label_from_instance = lambda user: user.get_full_name() or user.username

    def members(self) -> list[tuple]:
        return [(user, "nurse") for user in self.cleaned_data["nurses"]] + [
            (user, "physician") for user in self.cleaned_data["physicians"]
        ]
