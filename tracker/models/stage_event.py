from django.conf import settings
from django.db import models

from tracker.models.base import KeptQuerySet, KeptRecord
from tracker.models.course import STAGE_CHOICES, TreatmentCourse


class StageEvent(KeptRecord):
    """One move of a course from stage to stage: who, when it happened, when it was recorded,
    and why. Append-only; the course's current stage is the last event's target."""

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="stage_events")
    from_stage = models.CharField(max_length=30, choices=STAGE_CHOICES, blank=True)
    to_stage = models.CharField(max_length=30, choices=STAGE_CHOICES)
    occurred_at = models.DateTimeField(help_text="When it happened (may be earlier than when it was recorded).")
    recorded_at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)

    objects = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_stage_display()} → {self.get_to_stage_display()} on {self.occurred_at:%Y-%m-%d}"
