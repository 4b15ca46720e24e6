import uuid
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from tracker.core import roles
from tracker.models.base import KeptQuerySet, KeptRecord
from tracker.models.centre import Centre, StaffProfile


class PatientQuerySet(KeptQuerySet):
    def visible_to(self, user) -> "PatientQuerySet":
        """Patients this user may see. A patient's login sees that patient alone. Staff see
        the patients whose care team they are on; coordinators their centre's programme; the
        on-call physician, during the shift, the centre's patients (the last step of every
        escalation ladder). Anyone else sees nobody. Built from subqueries, never joins, so
        each patient appears once."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        # Courses and on-call shifts are looked up by name: their modules import this one.
        TreatmentCourse = apps.get_model("tracker", "TreatmentCourse")
        OnCallShift = apps.get_model("tracker", "OnCallShift")

        scope = Q(user=user)
        if roles.is_staff_role(user):
            scope |= Q(pk__in=TreatmentCourse.objects.on_care_team_of(user).values("patient_id"))
            if user.has_perm("tracker.view_centre_programme"):
                scope |= Q(centre_id__in=StaffProfile.objects.filter(user=user).values("centre_id"))
            now = timezone.now()
            on_call = OnCallShift.objects.filter(user=user, starts_at__lte=now, ends_at__gt=now)
            scope |= Q(centre_id__in=on_call.values("centre_id"))
        return self.filter(scope)


class Patient(KeptRecord):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNKNOWN = "unknown", "Unknown"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("MRN", max_length=32, help_text="Medical record number, unique within the centre.")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    born_on = models.DateField("date of birth")
    sex = models.CharField(max_length=10, choices=Sex.choices)
    weight_kg = models.DecimalField(
        "weight (kg)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Required at referral; unknown for a patient of imported history.",
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("350"))],
    )
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    caregiver_name = models.CharField(max_length=200, blank=True)
    caregiver_relationship = models.CharField(max_length=100, blank=True)
    caregiver_phone = models.CharField(max_length=32, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patient_record",
        help_text="The patient's own login, if they have one. It sees this patient only.",
    )
    died_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [models.UniqueConstraint(fields=["centre", "mrn"], name="unique_mrn_per_centre")]

    def __str__(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name} ({self.mrn})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, on: date) -> int:
        """Completed years of age on a date (ICE applies from 12, CAPD below, docs/clinical-rules.md §4.3)."""
        before_birthday = (on.month, on.day) < (self.born_on.month, self.born_on.day)
        return on.year - self.born_on.year - before_birthday
