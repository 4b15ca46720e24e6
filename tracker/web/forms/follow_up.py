"""Forms for follow-up: a response assessment's findings (one form per disease, the fields the
calculator takes), events, laboratory results, infections and late diagnoses. They check the
shape of the input; the services check the rules and compute the category. Choices come from
the models and the calculator."""

from django import forms
from django.utils import timezone

from tracker.clinical import response
from tracker.models import CourseEvent, Infection, LabResult, LateDiagnosis, ResponseAssessment
from tracker.web.forms.common import DATE

NOT_DONE = [("", "Not done"), ("true", "Yes"), ("false", "No")]
DEAUVILLE = [(str(n), f"{n}") for n in range(1, 6)]


def tri_state(label: str, help_text: str = "") -> forms.TypedChoiceField:
    """Yes, no, or not done (None): a finding that was not assessed never meets a criterion."""
    return forms.TypedChoiceField(
        label=label,
        choices=NOT_DONE,
        coerce=lambda value: value == "true",
        empty_value=None,
        required=False,
        help_text=help_text,
    )


def number(label: str, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, max_digits=12, decimal_places=4, help_text=help_text)


class DatedForm(forms.Form):
    """The date field of a follow-up record defaults to today."""

    date_field = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.date_field in self.fields:
            self.fields[self.date_field].initial = timezone.localdate()


class ResponseForm(DatedForm):
    date_field = "assessed_on"
    assessed_on = forms.DateField(label="Date of the marrow, scan or sample", widget=DATE)
    methods = forms.MultipleChoiceField(
        label="Method", choices=ResponseAssessment.Method.choices, widget=forms.CheckboxSelectMultiple
    )
    report_reference = forms.CharField(label="Report or scan reference", required=False, max_length=120)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    RECORD_FIELDS = ("assessed_on", "methods", "report_reference", "notes")
    default_methods: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The date and method first, then the disease's findings, then the report and notes.
        for name in ("report_reference", "notes"):
            self.fields[name] = self.fields.pop(name)
        self.fields["methods"].initial = self.default_methods

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        findings = {name: value for name, value in data.items() if name not in self.RECORD_FIELDS and name != "reason"}
        return {**{name: data[name] for name in self.RECORD_FIELDS}, "findings": findings}


class AllMarrowForm(ResponseForm):
    default_methods = ("marrow_morphology", "flow_mrd")
    marrow_blasts_percent = number("Marrow blasts (%)")
    circulating_blasts = forms.BooleanField(label="Circulating blasts", required=False)
    extramedullary_disease = forms.BooleanField(label="Extramedullary disease (CNS included)", required=False)
    anc_10e9_per_l = number("ANC (×10⁹/L)", required=False, help_text="Blank if not measured: counts as not recovered.")
    platelets_10e9_per_l = number("Platelets (×10⁹/L)", required=False)
    transfusion_independent = tri_state("Transfusion independent")
    mrd_percent = number("MRD (%)", required=False, help_text="0.01 % is 10⁻⁴. Blank if not assessed.")
    mrd_sensitivity_percent = number("MRD assay sensitivity (%)", required=False)


class LymphomaPetForm(ResponseForm):
    default_methods = ("pet_ct",)
    deauville_score = forms.TypedChoiceField(
        label="Deauville score (highest at any site)", choices=DEAUVILLE, coerce=int
    )
    change_from_baseline = forms.ChoiceField(
        label="Uptake compared with baseline",
        choices=[(c.value, c.value.capitalize()) for c in response.ChangeFromBaseline],
    )
    new_lesions = forms.BooleanField(label="New FDG-avid lesions", required=False)
    marrow = forms.ChoiceField(
        label="Bone marrow",
        choices=[
            (response.MarrowUptake.CLEAR, "No FDG-avid marrow disease"),
            (response.MarrowUptake.RESIDUAL, "Residual uptake"),
            (response.MarrowUptake.NEW_OR_RECURRENT, "New or recurrent FDG-avid disease"),
        ],
    )


class MyelomaForm(ResponseForm):
    default_methods = ("electrophoresis", "flc")
    baseline_serum_m_protein_g_dl = number("Serum M-protein at baseline (g/dL)")
    serum_m_protein_g_dl = number("Serum M-protein now (g/dL)")
    baseline_urine_m_protein_mg_24h = number("Urine M-protein at baseline (mg/24 h)")
    urine_m_protein_mg_24h = number("Urine M-protein now (mg/24 h)")
    serum_immunofixation_negative = tri_state("Serum immunofixation negative")
    urine_immunofixation_negative = tri_state("Urine immunofixation negative")
    marrow_plasma_cells_percent = number("Marrow plasma cells (%)", required=False)
    flc_ratio_normal = tri_state("Free light chain ratio normal")
    clonal_plasma_cells_in_marrow = tri_state("Clonal plasma cells in the marrow")
    plasmacytomas_present = tri_state("Soft-tissue plasmacytomas present")
    new_bone_lesions_or_plasmacytomas = forms.BooleanField(label="New bone lesions or plasmacytomas", required=False)


RESPONSE_FORMS = {
    response.Disease.B_ALL: AllMarrowForm,
    response.Disease.LYMPHOMA: LymphomaPetForm,
    response.Disease.MYELOMA: MyelomaForm,
}


class EventForm(DatedForm):
    date_field = "occurred_on"
    kind = forms.ChoiceField(label="Event", choices=CourseEvent.Kind.choices)
    occurred_on = forms.DateField(label="Date", widget=DATE)
    sites = forms.MultipleChoiceField(
        label="Relapse sites", choices=CourseEvent.Site.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    antigen_negative = tri_state("Target antigen lost (e.g. CD19-negative)")
    isolated_extramedullary = forms.BooleanField(label="Isolated extramedullary relapse", required=False)
    death_cause = forms.ChoiceField(
        label="Cause of death", choices=[("", "—"), *CourseEvent.DeathCause.choices], required=False
    )
    therapy = forms.CharField(label="New therapy", required=False, max_length=200)
    donor_type = forms.ChoiceField(label="Donor", choices=[("", "—"), *CourseEvent.DonorType.choices], required=False)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LabResultForm(DatedForm):
    date_field = "collected_on"
    collected_on = forms.DateField(label="Sample date", widget=DATE)
    igg_mg_dl = number("Serum IgG (mg/dL)", required=False)
    immunoglobulin_replacement = forms.ChoiceField(
        label="Immunoglobulin replacement", choices=LabResult.Replacement.choices, required=False
    )
    cd19_cells_per_ul = number("CD19+ B cells (cells/µL)", required=False)
    lymphocytes_10e9_per_l = number("Lymphocytes (×10⁹/L)", required=False)
    anc_10e9_per_l = number("ANC (×10⁹/L)", required=False)
    platelets_10e9_per_l = number("Platelets (×10⁹/L)", required=False)
    haemoglobin_g_dl = number("Haemoglobin (g/dL)", required=False)


class InfectionForm(DatedForm):
    date_field = "onset_on"
    onset_on = forms.DateField(label="Onset", widget=DATE)
    organism_type = forms.ChoiceField(label="Organism", choices=Infection.Organism.choices)
    organism = forms.CharField(label="Organism name", required=False, max_length=120)
    site = forms.ChoiceField(label="Site", choices=Infection.Site.choices)
    severity = forms.ChoiceField(label="Severity", choices=Infection.Severity.choices)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LateDiagnosisForm(DatedForm):
    date_field = "diagnosed_on"
    kind = forms.ChoiceField(label="Diagnosis", choices=LateDiagnosis.Kind.choices)
    diagnosed_on = forms.DateField(label="Date of diagnosis", widget=DATE)
    description = forms.CharField(label="Description", max_length=200)
    t_cell_origin = tri_state("T-cell malignancy", "Second malignancies of T-cell origin are tested for the CAR.")
    manufacturer_notified_on = forms.DateField(label="Manufacturer told on", required=False, widget=DATE)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))
