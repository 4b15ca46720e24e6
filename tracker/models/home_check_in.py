from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from tracker.models.course import TreatmentCourse


class HomeCheckIn(models.Model):
    """What a patient reported from home: temperature and the symptoms to watch for, and
    whether they were told to call the centre now (tracker.clinical.home_check)."""

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="home_check_ins")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField()
    temperature_c = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    chills = models.BooleanField(default=False)
    confusion = models.BooleanField(default=False)
    speech_trouble = models.BooleanField(default=False)
    breathless = models.BooleanField(default=False)
    dizziness = models.BooleanField(default=False)
    call_now = models.BooleanField(default=False)
    advice_reasons = models.JSONField(default=list, blank=True)
    threshold_event = models.OneToOneField(
        "tracker.ThresholdEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="home_check_in"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-reported_at", "-id"]

    def __str__(self) -> str:
        return f"Home check-in {self.reported_at:%Y-%m-%d %H:%M}"
