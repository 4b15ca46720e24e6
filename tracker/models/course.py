import uuid
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Min, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from tracker.clinical import days
from tracker.clinical.products import PRODUCT_CHOICES, PRODUCTS
from tracker.clinical.stages import CLOSING_STAGES, Stage, VeinToVein
from tracker.core.clock import centre_tz
from tracker.models.base import KeptQuerySet, KeptRecord
from tracker.models.patient import Patient

STAGE_CHOICES = [(stage.value, stage.label) for stage in Stage]


class TargetAntigen(models.Model):
    """An antigen a CAR targets (CD19, CD22, BCMA, ...). Reference data, seeded by migration."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class TreatmentCourseQuerySet(KeptQuerySet):
    def on_care_team_of(self, user) -> "TreatmentCourseQuerySet":
        return self.filter(Q(treating_physician=user) | Q(coordinator=user) | Q(care_team_members__user=user))

    def visible_to(self, user) -> "TreatmentCourseQuerySet":
        return self.filter(patient__in=Patient.objects.visible_to(user).values("pk"))

    def active(self) -> "TreatmentCourseQuerySet":
        return self.exclude(stage__in=CLOSING_STAGES)

    def with_journey_dates(self) -> "TreatmentCourseQuerySet":
        """Annotate the first infusion time, so day numbers cost no query per row."""
        return self.annotate(first_infused_at=Min("infusions__infused_at"))


class TreatmentCourse(KeptRecord):
    """One CAR-T course for one patient. A patient may have several over the years."""

    class Diagnosis(models.TextChoices):
        B_ALL = "b_all", "B-cell acute lymphoblastic leukaemia"
        LBCL = "lbcl", "Large B-cell lymphoma"
        FOLLICULAR = "follicular", "Follicular lymphoma"
        MANTLE_CELL = "mantle_cell", "Mantle cell lymphoma"
        MYELOMA = "multiple_myeloma", "Multiple myeloma"
        CLL = "cll", "Chronic lymphocytic leukaemia"
        OTHER = "other", "Other"

    class AntigenConstruct(models.TextChoices):
        SINGLE = "single", "Single target"
        BICISTRONIC = "bicistronic", "Bicistronic (two CARs from one vector)"
        TANDEM = "tandem", "Tandem / bispecific CAR"
        CO_ADMINISTERED = "co_administered", "Two products co-administered"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="courses")
    sequence = models.PositiveSmallIntegerField(
        default=1, editable=False, help_text="1 for the patient's first CAR-T course, 2 for the second, ..."
    )
    referred_on = models.DateField()
    referring_centre = models.CharField(max_length=200, blank=True)
    diagnosis = models.CharField(max_length=20, choices=Diagnosis.choices)
    diagnosis_detail = models.CharField(max_length=200, blank=True)
    product = models.CharField(max_length=20, choices=PRODUCT_CHOICES)
    investigational_product_name = models.CharField(
        max_length=200, blank=True, help_text="Required when the product is investigational."
    )
    target_antigens = models.ManyToManyField(TargetAntigen, related_name="courses")
    antigen_construct = models.CharField(
        max_length=20, choices=AntigenConstruct.choices, default=AntigenConstruct.SINGLE
    )
    # Baseline disease burden, before lymphodepletion.
    baseline_marrow_blasts_pct = models.DecimalField(
        "baseline marrow blasts (%)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    baseline_ldh_u_l = models.PositiveIntegerField(
        "baseline LDH (U/L)", null=True, blank=True, validators=[MaxValueValidator(20000)]
    )
    baseline_m_protein_g_dl = models.DecimalField(
        "baseline serum M-protein (g/dL)",
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("20"))],
    )
    baseline_ecog = models.PositiveSmallIntegerField(
        "baseline ECOG", null=True, blank=True, validators=[MaxValueValidator(4)]
    )
    baseline_notes = models.TextField(blank=True)
    treating_physician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courses_as_physician"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courses_as_coordinator"
    )
    stage = models.CharField(max_length=30, choices=STAGE_CHOICES, default=Stage.REFERRAL, editable=False)
    stage_entered_at = models.DateTimeField(default=timezone.now, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[target_antigens])
    objects = TreatmentCourseQuerySet.as_manager()

    class Meta:
        ordering = ["-referred_on"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "sequence"], name="unique_course_sequence"),
        ]
        indexes = [models.Index(fields=["stage"])]
        permissions = [
            ("change_stage", "Can move a course from one stage to the next"),
            ("override_release", "Can start lymphodepletion before the product is released"),
            ("view_centre_programme", "Can see every patient of their centre"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} — course {self.sequence} ({self.product_label})"

    @property
    def product_label(self) -> str:
        if self.product == "investigational" and self.investigational_product_name:
            return f"{self.investigational_product_name} (investigational)"
        return PRODUCTS[self.product].label

    @property
    def stage_enum(self) -> Stage:
        return Stage(self.stage)

    @property
    def is_closed(self) -> bool:
        return self.stage_enum.is_closing

    # --- Day numbering (computed from the infusion record, never typed) -------------------

    @property
    def first_infusion_at(self):
        if hasattr(self, "first_infused_at"):
            return self.first_infused_at
        return self.infusions.aggregate(first=Min("infused_at"))["first"]

    @property
    def day_zero(self) -> date | None:
        """The local calendar date of the first infusion (CIBMTR: first day of a split dose)."""
        first = self.first_infusion_at
        if first is None:
            return None
        return days.local_date(first, centre_tz())

    def day_number(self, on: date | None = None) -> int | None:
        zero = self.day_zero
        if zero is None:
            return None
        if on is None:
            on = timezone.localdate()
        return days.day_number(zero, on)

    def day_of(self, moment: datetime | date | None) -> int | None:
        """The day number of a date or an instant (its local calendar date), None before infusion."""
        zero = self.day_zero
        if zero is None or moment is None:
            return None
        on = days.local_date(moment, centre_tz()) if isinstance(moment, datetime) else moment
        return days.day_number(zero, on)

    def latest_run(self):
        """The newest manufacturing run: a new run is only made after the previous one failed,
        so this is the product that is (or will be) infused."""
        return self.manufacturing_runs.select_related("collection").order_by("-created_at", "-id").first()

    def vein_to_vein(self, run=None) -> VeinToVein | None:
        """Vein-to-vein time for the product of the newest run (pass it if already loaded)."""
        run = run or self.latest_run()
        if run is None:
            return None
        return VeinToVein.from_dates(
            collected_on=run.collection.collected_on,
            shipped_on=run.shipped_on,
            released_on=run.released_on,
            delivered_on=run.delivered_on,
            infused_on=self.day_zero,
        )


class CareTeamMember(models.Model):
    """A staff member on a course's care team: they see this patient and get their alerts."""

    class Role(models.TextChoices):
        NURSE = "nurse", "Bedside nurse"
        CHARGE_NURSE = "charge_nurse", "Charge nurse"
        PHYSICIAN = "physician", "Physician"
        COORDINATOR = "coordinator", "Coordinator"
        OTHER = "other", "Other"

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="care_team_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_team_memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="unique_care_team_member")]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()}"
