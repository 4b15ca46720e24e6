from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from tracker.models.base import KeptQuerySet, KeptRecord
from tracker.models.course import TreatmentCourse


class BridgingTherapy(KeptRecord):
    """Disease control while the product is made (docs/clinical-rules.md §2.7; CIBMTR F4000 bridging section)."""

    class Modality(models.TextChoices):
        CHEMOTHERAPY = "chemotherapy", "Chemotherapy"
        RADIOTHERAPY = "radiotherapy", "Radiotherapy"
        CORTICOSTEROIDS = "corticosteroids", "Corticosteroids"
        TARGETED = "targeted", "Targeted / immunotherapy"
        COMBINED = "combined", "Combined modality"
        OTHER = "other", "Other"

    class Response(models.TextChoices):
        NOT_ASSESSED = "not_assessed", "Not assessed"
        COMPLETE = "complete", "Complete response"
        PARTIAL = "partial", "Partial response"
        STABLE = "stable", "Stable disease"
        PROGRESSION = "progression", "Progression"

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="bridging_therapies")
    modality = models.CharField(max_length=20, choices=Modality.choices)
    agents = models.CharField(max_length=300, help_text="Agents or radiotherapy site and dose.")
    intent = models.CharField(max_length=200, blank=True, default="Disease control during manufacturing")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    response = models.CharField(max_length=20, choices=Response.choices, default=Response.NOT_ASSESSED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["started_on"]
        verbose_name_plural = "bridging therapies"

    def __str__(self) -> str:
        return f"{self.agents} from {self.started_on}"
