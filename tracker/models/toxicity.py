from django.db import models
from simple_history.models import HistoricalRecords

from tracker.clinical.toxicity import EVENT_LABELS, EventKind
from tracker.models.course import TreatmentCourse
from tracker.models.neuro_assessment import NeuroAssessment
from tracker.models.vital_signs import VitalSigns


class Syndrome(models.TextChoices):
    CRS = "crs", "CRS"
    ICANS = "icans", "ICANS"


class CurrentEpisodeManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(retracted_at__isnull=True)


class ToxicityEpisode(models.Model):
    """A CRS or ICANS episode: onset, maximum grade, resolution. Derived from the graded
    assessments (toxicity.derive_episodes) and rebuilt whenever one is recorded or amended,
    so it is a summary of clinical records rather than a record itself."""

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="toxicity_episodes")
    syndrome = models.CharField(max_length=5, choices=Syndrome.choices)
    number = models.PositiveSmallIntegerField()
    onset_at = models.DateTimeField()
    onset_day = models.SmallIntegerField(help_text="Day after infusion of the onset.")
    max_grade = models.PositiveSmallIntegerField()
    max_grade_at = models.DateTimeField()
    last_positive_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    # An episode that the current assessments no longer derive (after an amendment) is
    # retracted, never deleted; its history keeps every version (issue 11).
    retracted_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    all_versions = models.Manager()
    objects = CurrentEpisodeManager()

    class Meta:
        ordering = ["onset_at"]
        base_manager_name = "all_versions"
        # Related lookups (course.toxicity_episodes) see current episodes only.
        default_manager_name = "objects"
        constraints = [models.UniqueConstraint(fields=["course", "syndrome", "number"], name="unique_episode_number")]

    def __str__(self) -> str:
        return f"{self.get_syndrome_display()} episode {self.number}: max grade {self.max_grade}"

    @property
    def duration(self):
        return (self.resolved_at or self.last_positive_at) - self.onset_at


class ThresholdEvent(models.Model):
    """A recording that crossed a threshold: a first fever, CRS grade ≥ 2, any ICANS, or a
    grade rise. Stored with the assessment that produced it; the scheduler turns it into an
    alert to the physician and a tighter check-in schedule."""

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="threshold_events")
    kind = models.CharField(max_length=30, choices=[(k.value, EVENT_LABELS[k]) for k in EventKind])
    syndrome = models.CharField(max_length=5, choices=Syndrome.choices)
    grade = models.PositiveSmallIntegerField()
    previous_grade = models.PositiveSmallIntegerField()
    vital_signs = models.ForeignKey(VitalSigns, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    neuro_assessment = models.ForeignKey(
        NeuroAssessment, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    occurred_at = models.DateTimeField(help_text="When the observation was made.")
    created_at = models.DateTimeField(auto_now_add=True)
    summary = models.CharField(max_length=300)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["course", "occurred_at"])]

    def __str__(self) -> str:
        return self.summary
