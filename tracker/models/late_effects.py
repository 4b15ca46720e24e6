from decimal import Decimal

from django.db import models
from simple_history.models import HistoricalRecords

from tracker.models.course import TreatmentCourse
from tracker.models.observation import Amendable


def _lab(help_text: str):
    return models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True, help_text=help_text)


class LabResult(Amendable):
    """Late-effect laboratory values on one sample (docs/clinical-rules.md §9): serum IgG and
    immunoglobulin replacement, CD19+ B cells, and the blood count from which ICAHT and
    neutrophil recovery are computed. Every value is checked against its plausible range."""

    class Replacement(models.TextChoices):
        NONE = "", "None"
        IVIG = "ivig", "IVIG given"
        SCIG = "scig", "SCIG given"

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="lab_results")
    collected_on = models.DateField()
    day = models.IntegerField(editable=False, help_text="Days since infusion (day 0).")
    igg_mg_dl = _lab("Serum IgG, mg/dL")
    immunoglobulin_replacement = models.CharField(max_length=5, choices=Replacement.choices, blank=True)
    cd19_cells_per_ul = _lab("CD19+ B cells, cells/µL")
    lymphocytes_10e9_per_l = _lab("Lymphocytes, ×10⁹/L")
    anc_10e9_per_l = _lab("Absolute neutrophil count, ×10⁹/L")
    platelets_10e9_per_l = _lab("Platelets, ×10⁹/L")
    haemoglobin_g_dl = _lab("Haemoglobin, g/dL")
    interpretation = models.JSONField(default=list, editable=False)

    history = HistoricalRecords()
    record_kind = "lab"
    VALUE_FIELDS = (
        "igg_mg_dl",
        "cd19_cells_per_ul",
        "lymphocytes_10e9_per_l",
        "anc_10e9_per_l",
        "platelets_10e9_per_l",
        "haemoglobin_g_dl",
    )

    class Meta:
        ordering = ["collected_on", "id"]
        indexes = [models.Index(fields=["course", "superseded", "collected_on"])]

    def __str__(self) -> str:
        return f"Labs on day {self.day}"

    def values(self) -> dict[str, Decimal]:
        return {f: getattr(self, f) for f in self.VALUE_FIELDS if getattr(self, f) is not None}


class Infection(Amendable):
    """An infection after infusion (docs/clinical-rules.md §9.3): organism, site and severity."""

    class Organism(models.TextChoices):
        BACTERIAL = "bacterial", "Bacterial"
        VIRAL = "viral", "Viral"
        FUNGAL = "fungal", "Fungal"
        OTHER = "other", "Other or unidentified"

    class Site(models.TextChoices):
        BLOOD = "blood", "Bloodstream"
        LUNG = "lung", "Lung"
        URINARY = "urinary", "Urinary tract"
        GUT = "gut", "Gastrointestinal"
        SKIN = "skin", "Skin or soft tissue"
        CNS = "cns", "Central nervous system"
        CATHETER = "catheter", "Line or catheter"
        OTHER = "other", "Other"

    class Severity(models.TextChoices):
        # CIBMTR's severity for infections after cellular therapy.
        MILD = "mild", "Mild (oral treatment or none)"
        MODERATE = "moderate", "Moderate (IV treatment or admission)"
        SEVERE = "severe", "Severe (ICU, organ support, or life-threatening)"
        FATAL = "fatal", "Fatal"

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="infections")
    onset_on = models.DateField()
    day = models.IntegerField(editable=False)
    organism_type = models.CharField(max_length=10, choices=Organism.choices)
    organism = models.CharField(max_length=120, blank=True, help_text="e.g. CMV, Pseudomonas aeruginosa")
    site = models.CharField(max_length=10, choices=Site.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()
    record_kind = "infection"

    class Meta:
        ordering = ["onset_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_organism_type_display()} {self.get_site_display().lower()} infection, day {self.day}"


class LateDiagnosis(Amendable):
    """A late effect a physician diagnoses (docs/clinical-rules.md §9.5–§9.6): a second primary
    malignancy (lifelong follow-up; the manufacturer must be told) or IEC-HS."""

    class Kind(models.TextChoices):
        SECOND_MALIGNANCY = "second_malignancy", "Second primary malignancy"
        IEC_HS = "iec_hs", "IEC-HS (HLH-like syndrome)"

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="late_diagnoses")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    diagnosed_on = models.DateField()
    day = models.IntegerField(editable=False)
    description = models.CharField(max_length=200, help_text="e.g. T-cell lymphoma, MDS; or the IEC-HS findings")
    t_cell_origin = models.BooleanField(null=True, blank=True, help_text="A T-cell malignancy (test for the CAR).")
    manufacturer_notified_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()
    record_kind = "diagnosis"

    class Meta:
        ordering = ["diagnosed_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on day {self.day}"

    @property
    def manufacturer_to_be_told(self) -> bool:
        return self.kind == self.Kind.SECOND_MALIGNANCY and self.manufacturer_notified_on is None
