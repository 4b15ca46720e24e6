"""Monitoring protocols as data: which check-ins are due at which interval over which days after
infusion, with their windows, plus the thresholds that tighten the schedule and the escalation
ladders. Editable in the admin, versioned (a course keeps the version it was planned with),
and overridable per course (docs/clinical-rules.md §6.1, §6.2)."""

from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from tracker.clinical import days, labels
from tracker.clinical.products import FIFTEEN_YEAR_TRACK, PRODUCT_CHOICES, STANDARD_TRACK


class CheckInKind(models.TextChoices):
    VITAL_SIGNS = "vital_signs", "Vital signs"
    ICE_CAPD = "ice_capd", "Neurological check (ICE/CAPD)"
    CRS_REVIEW = "crs_review", "Daily CRS/ICANS review"
    LABS = "labs", "CRS labs (CBC, CRP, ferritin)"
    HOME_TEMPERATURE = "home_temperature", "Home temperature call"
    RESPONSE_ASSESSMENT = "response_assessment", "Response assessment"
    REMISSION_SCAN = "remission_scan", "Remission scan"
    FOLLOW_UP_VISIT = "follow_up_visit", "Follow-up visit"
    IGG_LEVEL = "igg_level", "IgG level"
    LTFU_CONTACT = "ltfu_contact", "Long-term follow-up contact"


class AssigneeRole(models.TextChoices):
    ASSIGNEE = "assignee", "Whoever the check-in is assigned to"
    NURSE = "nurse", "Bedside nurse"
    CHARGE_NURSE = "charge_nurse", "Charge nurse"
    PHYSICIAN = "physician", "Treating physician"
    ON_CALL_PHYSICIAN = "on_call_physician", "On-call physician"
    COORDINATOR = "coordinator", "Coordinator"


class Cadence(models.TextChoices):
    NORMAL = "normal", "Normal"
    TIGHTENED = "tightened", "Tightened (CRS ≥ 2 or any ICANS)"


def default_missed_ladder():
    return [["assignee"], ["charge_nurse"], ["on_call_physician"]]


def default_milestone_ladder():
    return [["coordinator"], ["physician"]]


def default_urgent_ladder():
    return [["physician", "nurse"], ["charge_nurse"], ["on_call_physician"]]


def _check_ladder(field: str, ladder) -> None:
    roles = set(AssigneeRole.values)
    if not isinstance(ladder, list) or not ladder or not all(isinstance(s, list) and s for s in ladder):
        raise ValidationError({field: 'a list of steps, each a list of roles, e.g. [["nurse"], ["charge_nurse"]]'})
    unknown = {role for step in ladder for role in step} - roles
    if unknown:
        raise ValidationError({field: f"unknown roles {sorted(unknown)}; use {', '.join(sorted(roles))}"})


class MonitoringProtocol(models.Model):
    name = models.CharField(max_length=100)
    version = models.PositiveIntegerField(default=1)
    product = models.CharField(
        max_length=20, choices=PRODUCT_CHOICES, blank=True, help_text="Empty: the default for every product."
    )
    effective_from = models.DateField()
    is_active = models.BooleanField(default=True, help_text="New courses are planned with the newest active version.")
    description = models.TextField(blank=True)
    # Adaptive cadence (docs/clinical-rules.md §6.1: thresholds are site policy, kept as data).
    tighten_crs_grade = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    tighten_icans_grade = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    relax_after_hours = models.PositiveIntegerField(
        default=24, help_text="Back to the normal cadence after grades stay below the thresholds this long."
    )
    # Escalation ladders: each step a list of roles; the last step repeats until acknowledged.
    missed_ladder = models.JSONField(default=default_missed_ladder)
    urgent_ladder = models.JSONField(default=default_urgent_ladder)
    escalation_minutes = models.PositiveIntegerField(
        default=15, validators=[MinValueValidator(1)], help_text="Minutes between escalation steps and repeats."
    )
    # A missed milestone (a scan, a visit) goes to the coordinator, then the physician, daily:
    # nobody is paged at night for a PET-CT that is a day overdue.
    milestone_ladder = models.JSONField(default=default_milestone_ladder)
    milestone_escalation_hours = models.PositiveIntegerField(default=24, validators=[MinValueValidator(1)])
    horizon_hours = models.PositiveIntegerField(
        default=48, validators=[MinValueValidator(6)], help_text="How far ahead high-frequency check-ins are planned."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="unique_protocol_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def clean(self):
        _check_ladder("missed_ladder", self.missed_ladder)
        _check_ladder("urgent_ladder", self.urgent_ladder)
        _check_ladder("milestone_ladder", self.milestone_ladder)


class ProtocolRule(models.Model):
    class ScheduleType(models.TextChoices):
        INTERVAL = "interval", "Every N hours over a range of days"
        MILESTONES = "milestones", "Milestones (days, months, years after infusion)"

    class CountedFrom(models.TextChoices):
        INFUSION = "infusion", "Infusion (day 0)"
        # Something due before lymphodepletion (the baseline IgG, docs/clinical-rules.md §9.1):
        # lymphodepletion has no planned date, so its milestones count from the day the cells
        # were sent for manufacturing, and close when lymphodepletion starts.
        MANUFACTURING = "manufacturing", "Cells sent for manufacturing (due before lymphodepletion)"

    class RegistryTrack(models.TextChoices):
        # CIBMTR reporting tracks (docs/clinical-rules.md §11.1), by the course's product.
        ANY = "", "Every course"
        FIFTEEN_YEAR = FIFTEEN_YEAR_TRACK, "CIBMTR 15-year track (genetically modified products)"
        STANDARD = STANDARD_TRACK, "CIBMTR standard track (other products)"

    protocol = models.ForeignKey(MonitoringProtocol, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(max_length=30, choices=CheckInKind.choices)
    label = models.CharField(max_length=100, blank=True, help_text="Shown on the check-in; defaults to the kind.")
    cadence = models.CharField(
        max_length=10,
        choices=Cadence.choices,
        default=Cadence.NORMAL,
        help_text="Tightened rules replace the normal rules of the same kind while the schedule is tightened.",
    )
    schedule_type = models.CharField(max_length=12, choices=ScheduleType.choices)
    every_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    first_hour = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(23)],
        help_text="Local hour of the first slot of the day (e.g. 2 for 02, 06, 10, ...).",
    )
    from_day = models.PositiveSmallIntegerField(default=0)
    to_day = models.PositiveSmallIntegerField(default=0)
    milestones = models.JSONField(
        default=list, blank=True, help_text='e.g. [{"label": "Day +28", "days": 28}, {"label": "Month 3", "months": 3}]'
    )
    due_time = models.TimeField(default=time(9, 0), help_text="Local time of day for milestones.")
    window_before_minutes = models.PositiveIntegerField(default=30)
    window_after_minutes = models.PositiveIntegerField(default=60, help_text="Grace: missed after this long.")
    assignee_role = models.CharField(max_length=20, choices=AssigneeRole.choices, default=AssigneeRole.NURSE)
    diagnoses = models.JSONField(default=list, blank=True, help_text="Diagnoses it applies to; empty: all.")
    counted_from = models.CharField(
        max_length=15,
        choices=CountedFrom.choices,
        default=CountedFrom.INFUSION,
        help_text="Milestones only: what their days, months and years count from.",
    )
    registry_track = models.CharField(
        max_length=10,
        choices=RegistryTrack.choices,
        default=RegistryTrack.ANY,
        blank=True,
        help_text="The CIBMTR reporting track it applies to (by the course's product); empty: every course.",
    )
    extends_to_label_monitoring = models.BooleanField(
        default=False,
        help_text="Interval rules only: runs at least until the product label's monitoring period ends "
        "(counted from the infusion moment), also past to_day.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["protocol", "kind", "cadence", "from_day"]

    def __str__(self) -> str:
        if self.schedule_type == self.ScheduleType.INTERVAL:
            return f"{self.title}: every {self.every_hours} h, days {self.from_day}–{self.to_day} ({self.cadence})"
        return f"{self.title}: {', '.join(m['label'] for m in self.milestones)}"

    @property
    def title(self) -> str:
        return self.label or self.get_kind_display()

    def applies_to(self, diagnosis: str, registry_track: str | None = None) -> bool:
        """For a course with this diagnosis (and, when given, this CIBMTR reporting track)."""
        on_track = registry_track is None or not self.registry_track or self.registry_track == registry_track
        return on_track and (not self.diagnoses or diagnosis in self.diagnoses)

    def clean(self):
        if self.assignee_role == AssigneeRole.ASSIGNEE:
            raise ValidationError({"assignee_role": "name the role the check-in is for (nurse, physician, ...)."})
        if self.schedule_type == self.ScheduleType.INTERVAL:
            if self.every_hours not in days.ALLOWED_INTERVAL_HOURS:
                allowed = ", ".join(map(str, days.ALLOWED_INTERVAL_HOURS))
                raise ValidationError({"every_hours": f"one of {allowed} hours (divides the day)."})
            if self.to_day < self.from_day:
                raise ValidationError({"to_day": "must be on or after from_day."})
            if self.counted_from != self.CountedFrom.INFUSION:
                raise ValidationError({"counted_from": "interval rules count from infusion (day 0)."})
        else:
            if self.extends_to_label_monitoring:
                raise ValidationError({"extends_to_label_monitoring": "only interval rules follow the label."})
            if not self.milestones:
                raise ValidationError({"milestones": "list at least one milestone."})
            for milestone in self.milestones:
                offsets = set(milestone) - {"label"} if isinstance(milestone, dict) else set()
                if not isinstance(milestone, dict) or "label" not in milestone or not offsets:
                    raise ValidationError(
                        {"milestones": 'each milestone is {"label": ..., "days"/"months"/"years": n}.'}
                    )
                if not offsets <= {"days", "months", "years"}:
                    raise ValidationError(
                        {"milestones": f"unknown offsets {sorted(offsets)}: use days, months, years."}
                    )


class ProductLabelCondition(models.Model):
    """Label-driven durations for a product, versioned by the date they took effect
    (docs/clinical-rules.md §6.6: from June 2025, monitor ≥ 2 weeks, daily ≥ 1 week, stay near the centre
    2 weeks, no driving 2 weeks; before, 4 and 8 weeks)."""

    product = models.CharField(max_length=20, choices=PRODUCT_CHOICES)
    effective_from = models.DateField()
    monitoring_days = models.PositiveSmallIntegerField()
    daily_monitoring_days = models.PositiveSmallIntegerField()
    stay_near_centre_days = models.PositiveSmallIntegerField()
    no_driving_days = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=300)

    history = HistoricalRecords()

    class Meta:
        ordering = ["product", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["product", "effective_from"], name="unique_label_condition_date")
        ]

    def __str__(self) -> str:
        return f"{self.get_product_display()} from {self.effective_from}"

    @classmethod
    def in_force(cls, product: str, on):
        return cls.objects.filter(product=product, effective_from__lte=on).order_by("-effective_from").first()

    def as_version(self) -> labels.LabelVersion:
        return labels.LabelVersion(
            product=self.product,
            effective_from=self.effective_from,
            monitoring_days=self.monitoring_days,
            daily_monitoring_days=self.daily_monitoring_days,
            stay_near_centre_days=self.stay_near_centre_days,
            no_driving_days=self.no_driving_days,
            source=self.source,
        )

    @classmethod
    def terms_for(cls, product: str, infused_on) -> labels.LabelTerms | None:
        """The conditions for a course of ``product`` infused on ``infused_on`` (day 0): the
        product's version in force then, else the most cautious conditions in force, flagged
        (docs/clinical-rules.md §6.6). One query."""
        return labels.terms_for(
            product=product, infused_on=infused_on, versions=[row.as_version() for row in cls.objects.all()]
        )


class OnCallShift(models.Model):
    """Who is the on-call physician at a centre, and when: the last step of the escalation ladder."""

    centre = models.ForeignKey("tracker.Centre", on_delete=models.CASCADE, related_name="on_call_shifts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call_shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="on_call_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} on call {self.starts_at:%Y-%m-%d %H:%M} to {self.ends_at:%Y-%m-%d %H:%M}"
