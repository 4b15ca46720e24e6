import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from tracker.models.course import TreatmentCourse
from tracker.models.neuro_assessment import NeuroAssessment
from tracker.models.protocol import AssigneeRole, Cadence, CheckInKind, MonitoringProtocol, ProtocolRule
from tracker.models.vital_signs import VitalSigns


class CourseSchedule(models.Model):
    """A course's planning state: the protocol version it follows, whether the cadence is
    tightened, and how far ahead check-ins are planned."""

    course = models.OneToOneField(TreatmentCourse, on_delete=models.CASCADE, related_name="schedule")
    protocol = models.ForeignKey(MonitoringProtocol, on_delete=models.PROTECT, related_name="schedules")
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.NORMAL)
    tightened_at = models.DateTimeField(null=True, blank=True)
    tightened_reason = models.CharField(max_length=300, blank=True)
    planned_until = models.DateTimeField(null=True, blank=True)
    replanned_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Schedule of {self.course} ({self.protocol}, {self.cadence})"


class CourseRuleOverride(models.Model):
    """A per-course change to one protocol rule (a different interval or end day, or off)."""

    course = models.ForeignKey(TreatmentCourse, on_delete=models.CASCADE, related_name="rule_overrides")
    rule = models.ForeignKey(ProtocolRule, on_delete=models.CASCADE, related_name="overrides")
    every_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    to_day = models.PositiveSmallIntegerField(null=True, blank=True)
    disabled = models.BooleanField(default=False)
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "rule"], name="unique_rule_override")]

    def __str__(self) -> str:
        return f"Override of {self.rule} for {self.course}"


# A check-in is open until it is completed (on time or late) or cancelled; a missed one can
# still be completed late.
OPEN_STATUSES = ("scheduled", "due", "missed")


class CheckInQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def visible_to(self, user):
        return self.filter(course__in=TreatmentCourse.objects.visible_to(user))


class CheckIn(models.Model):
    """One scheduled check-in: a row in the database with its due time and window. Celery only
    carries the schedule out; a sweep finds what is due, so a broker or worker restart loses
    nothing. ``plan_key`` identifies the slot, so re-planning the same course is idempotent."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        DUE = "due", "Due"
        COMPLETED = "completed", "Completed"
        COMPLETED_LATE = "completed_late", "Completed late"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="check_ins")
    # PROTECT: a rule with check-ins cannot be deleted (copy the protocol as a new version).
    rule = models.ForeignKey(ProtocolRule, on_delete=models.PROTECT, null=True, blank=True, related_name="check_ins")
    kind = models.CharField(max_length=30, choices=CheckInKind.choices)
    label = models.CharField(max_length=150)
    plan_key = models.CharField(max_length=120)
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.NORMAL)
    due_at = models.DateTimeField()
    window_opens_at = models.DateTimeField()
    window_closes_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    assignee_role = models.CharField(max_length=20, choices=AssigneeRole.choices)
    # Set by the dispatcher's compare-and-set claim; the rows a sweep claimed carry its token.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    due_notified_at = models.DateTimeField(null=True, blank=True)
    missed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completion_note = models.TextField(blank=True)
    vital_signs = models.ForeignKey(
        VitalSigns, on_delete=models.PROTECT, null=True, blank=True, related_name="check_ins"
    )
    neuro_assessment = models.ForeignKey(
        NeuroAssessment, on_delete=models.PROTECT, null=True, blank=True, related_name="check_ins"
    )
    # A follow-up milestone is completed by the response assessment or the laboratory result it asked for.
    response_assessment = models.ForeignKey(
        "tracker.ResponseAssessment", on_delete=models.PROTECT, null=True, blank=True, related_name="check_ins"
    )
    lab_result = models.ForeignKey(
        "tracker.LabResult", on_delete=models.PROTECT, null=True, blank=True, related_name="check_ins"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["claim_token"])
    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "plan_key"], name="unique_check_in_slot"),
            models.CheckConstraint(
                condition=Q(window_opens_at__lte=models.F("due_at")) & Q(window_closes_at__gte=models.F("due_at")),
                name="check_in_window_contains_due_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "window_opens_at"]),
            models.Index(fields=["status", "window_closes_at"]),
            models.Index(fields=["course", "kind", "status"]),
        ]
        permissions = [("complete_checkin", "Can complete a check-in with a note")]

    def __str__(self) -> str:
        return f"{self.label} due {self.due_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
