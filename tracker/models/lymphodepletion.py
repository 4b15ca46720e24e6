from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from tracker.models.base import KeptQuerySet, KeptRecord
from tracker.models.course import TreatmentCourse


class Lymphodepletion(KeptRecord):
    """Lymphodepleting chemotherapy. Windows differ by product (docs/clinical-rules.md §2.7), so the day
    numbers are computed from the dates against infusion, not assumed to be −5 to −3."""

    class Regimen(models.TextChoices):
        FLU_CY = "flu_cy", "Fludarabine + cyclophosphamide"
        BENDAMUSTINE = "bendamustine", "Bendamustine"
        OTHER = "other", "Other"

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="lymphodepletions")
    regimen = models.CharField(max_length=20, choices=Regimen.choices)
    regimen_detail = models.CharField(max_length=300, blank=True, help_text="Doses and days as given.")
    fludarabine_mg_m2 = models.DecimalField(
        "fludarabine (mg/m² per day)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("60"))],
    )
    cyclophosphamide_mg_m2 = models.DecimalField(
        "cyclophosphamide (mg/m² per day)",
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("3000"))],
    )
    started_on = models.DateField()
    ended_on = models.DateField()
    started_before_release = models.BooleanField(default=False, editable=False)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    override_reason = models.TextField(blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__gte=models.F("started_on")),
                name="lymphodepletion_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_regimen_display()} {self.started_on} to {self.ended_on}"
