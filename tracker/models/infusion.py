from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from tracker.models.base import KeptQuerySet, KeptRecord
from tracker.models.course import TreatmentCourse


class Infusion(KeptRecord):
    """The CAR-T infusion: day 0 (docs/clinical-rules.md §2.8). The bedside identity check compares
    each bag's chain-of-identity id with the manufacturing run and is confirmed by two
    different staff members (§2.4, [S13])."""

    class DoseUnit(models.TextChoices):
        CELLS_E6 = "cells_e6", "×10⁶ CAR+ T cells"
        CELLS_E6_PER_KG = "cells_e6_per_kg", "×10⁶ CAR+ T cells/kg"
        CELLS_E8 = "cells_e8", "×10⁸ CAR+ T cells"

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="infusions")
    infused_at = models.DateTimeField()
    dose_value = models.DecimalField(
        max_digits=8,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("99999"))],
    )
    dose_unit = models.CharField(max_length=20, choices=DoseUnit.choices)
    identity_checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    identity_second_check_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    identity_checked_at = models.DateTimeField()
    premedication = models.CharField(
        max_length=200, blank=True, default="Acetaminophen + H1 antihistamine", help_text="No prophylactic steroids."
    )
    notes = models.TextField(blank=True)
    window_warning = models.CharField(
        max_length=300, blank=True, editable=False, help_text="Set when infused outside the product's LD window."
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["infused_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(identity_checked_by=models.F("identity_second_check_by")),
                name="infusion_identity_checked_by_two_people",
            )
        ]
        permissions = [("verify_identity", "Can confirm the chain of identity at the bedside")]

    def __str__(self) -> str:
        return f"Infusion at {self.infused_at:%Y-%m-%d %H:%M}"
