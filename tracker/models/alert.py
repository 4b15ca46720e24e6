import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from tracker.models.check_in import CheckIn
from tracker.models.course import TreatmentCourse
from tracker.models.toxicity import ThresholdEvent


class AlertQuerySet(models.QuerySet):
    def unresolved(self):
        return self.filter(status__in=[Alert.Status.OPEN, Alert.Status.SNOOZED])

    def for_user(self, user):
        """Alerts this user was notified of (in the app), newest first."""
        return self.filter(notifications__recipient=user, notifications__channel="in_app").distinct()


class Alert(models.Model):
    """Something a person must see: a check-in falling due, a missed check-in, or a threshold
    event. Missed check-ins and threshold events climb the escalation ladder until someone
    acknowledges them (or snoozes them with a reason)."""

    class Kind(models.TextChoices):
        CHECK_IN_DUE = "check_in_due", "Check-in due"
        CHECK_IN_MISSED = "check_in_missed", "Check-in missed"
        THRESHOLD = "threshold", "Threshold event"

    class Urgency(models.TextChoices):
        ROUTINE = "routine", "Routine"
        URGENT = "urgent", "Urgent"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        SNOOZED = "snoozed", "Snoozed"
        RESOLVED = "resolved", "Resolved"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    check_in = models.ForeignKey(CheckIn, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts")
    threshold_event = models.OneToOneField(
        ThresholdEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="alert"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN)
    escalates = models.BooleanField(default=False)
    level = models.PositiveSmallIntegerField(default=0, help_text="Step of the escalation ladder reached.")
    round = models.PositiveIntegerField(default=0, help_text="How many times the ladder has notified.")
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_note = models.TextField(blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    snooze_reason = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["claim_token"])
    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["check_in", "kind"], name="one_alert_per_check_in_and_kind")]
        indexes = [models.Index(fields=["status", "next_escalation_at"]), models.Index(fields=["course", "status"])]
        permissions = [("acknowledge_alert", "Can acknowledge or snooze alerts")]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """One delivery of an alert to one person on one channel. In-app notifications are the
    inbox; email and SMS are sent by a Celery task with retries for transient failures, and
    the last failure stays on the row so escalation can see it."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", "In app"
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Not sent: the alert was already handled"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    level = models.PositiveSmallIntegerField(default=0)
    round = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True, help_text="When delivery was last handed to Celery.")
    read_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "recipient", "channel", "round"], name="one_notification_per_round"
            )
        ]
        indexes = [
            models.Index(fields=["status", "channel", "created_at"]),
            models.Index(fields=["recipient", "read_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient} ({self.get_status_display()})"
