from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from tracker.models.course import TreatmentCourse
from tracker.models.observation import Amendable


class ResponseAssessment(Amendable):
    """A disease response assessment (docs/clinical-rules.md §7): what the marrow, scan or
    laboratory found, and the category computed from it by ``tracker.clinical.response``. The
    category is never typed. Corrections are amendments; a physician releases the result before
    the patient sees it."""

    class Disease(models.TextChoices):
        B_ALL = "b_all", "B-cell ALL (marrow response)"
        LYMPHOMA = "lymphoma", "Lymphoma (Lugano 2014 PET-CT)"
        MYELOMA = "myeloma", "Multiple myeloma (IMWG 2016)"

    class Method(models.TextChoices):
        MARROW_MORPHOLOGY = "marrow_morphology", "Marrow morphology"
        FLOW_MRD = "flow_mrd", "Flow cytometry MRD"
        NGS_MRD = "ngs_mrd", "NGS MRD"
        PET_CT = "pet_ct", "PET-CT"
        CT = "ct", "CT"
        ELECTROPHORESIS = "electrophoresis", "Serum/urine electrophoresis and immunofixation"
        FLC = "flc", "Serum free light chains"

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="response_assessments")
    assessed_on = models.DateField(help_text="The date of the marrow, scan or sample.")
    day = models.IntegerField(editable=False, help_text="Days since infusion (day 0).")
    disease = models.CharField(max_length=10, choices=Disease.choices, editable=False)
    methods = models.JSONField(default=list)
    findings = models.JSONField(default=dict, editable=False, help_text="The findings exactly as given.")
    report_reference = models.CharField(max_length=120, blank=True, help_text="Report or scan accession number.")
    category = models.CharField(max_length=10, editable=False)
    reasons = models.JSONField(default=list, editable=False)
    mrd = models.CharField(max_length=15, blank=True, editable=False)
    needs_review = models.BooleanField(default=False, editable=False)
    rule_version = models.CharField(max_length=30, editable=False)
    notes = models.TextField(blank=True)
    released_at = models.DateTimeField(null=True, blank=True, editable=False)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    history = HistoricalRecords()
    # The kind in correction URLs (tracker.web.bedside.AMENDABLE).
    record_kind = "response"

    class Meta:
        ordering = ["assessed_on", "id"]
        indexes = [models.Index(fields=["course", "superseded", "assessed_on"])]
        permissions = [("release_response", "Can release a response result to the patient")]

    def __str__(self) -> str:
        return f"{self.get_disease_display()} {self.category} on day {self.day}"

    @property
    def method_labels(self) -> list[str]:
        return [self.Method(method).label for method in self.methods if method in self.Method.values]
