from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from tracker.models.base import KeptQuerySet, KeptRecord
from tracker.models.course import TreatmentCourse


class EligibilityAssessment(KeptRecord):
    """Indication confirmed, organ function, infection screen and consent (docs/clinical-rules.md §2.2).
    Registry research consent decides the CIBMTR form track [S22]."""

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="eligibility_assessments")
    assessed_on = models.DateField()
    eligible = models.BooleanField()
    consent_signed_on = models.DateField(null=True, blank=True)
    registry_research_consent = models.BooleanField(default=False, help_text="CIBMTR research consent.")
    organ_function_adequate = models.BooleanField(default=False)
    infection_screen_clear = models.BooleanField(default=False)
    ecog = models.PositiveSmallIntegerField("ECOG", null=True, blank=True, validators=[MaxValueValidator(4)])
    notes = models.TextField(blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"Eligibility {self.assessed_on}: {'eligible' if self.eligible else 'not eligible'}"
