from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from tracker.models.course import TreatmentCourse
from tracker.models.observation import Amendable


class Intervention(Amendable):
    """A treatment or action for CRS or ICANS (docs/clinical-rules.md §5.6): drug, dose, time, indication and
    who gave it. Tocilizumab doses are checked against the dose limits; the warnings are kept
    with the dose, which is recorded as given."""

    class Kind(models.TextChoices):
        TOCILIZUMAB = "tocilizumab", "Tocilizumab"
        CORTICOSTEROID = "corticosteroid", "Corticosteroid"
        ANAKINRA = "anakinra", "Anakinra"
        SILTUXIMAB = "siltuximab", "Siltuximab"
        ANTIPYRETIC = "antipyretic", "Antipyretic"
        ANTIEPILEPTIC = "antiepileptic", "Antiepileptic"
        FLUID_BOLUS = "fluid_bolus", "IV fluid bolus"
        ICU_TRANSFER = "icu_transfer", "ICU transfer"
        OTHER = "other", "Other"

    class Indication(models.TextChoices):
        CRS = "crs", "CRS"
        ICANS = "icans", "ICANS"
        FEVER = "fever", "Fever"
        PROPHYLAXIS = "prophylaxis", "Prophylaxis"
        OTHER = "other", "Other"

    class DoseUnit(models.TextChoices):
        MG = "mg", "mg"
        G = "g", "g"
        MG_PER_KG = "mg_per_kg", "mg/kg"
        ML = "ml", "mL"

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="interventions")
    given_at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    agent = models.CharField(max_length=100, blank=True, help_text="e.g. dexamethasone, acetaminophen")
    dose_value = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("10000"))],
    )
    dose_unit = models.CharField(max_length=10, choices=DoseUnit.choices, blank=True)
    route = models.CharField(max_length=20, blank=True, default="IV")
    indication = models.CharField(max_length=12, choices=Indication.choices)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    warnings = models.JSONField(default=list, editable=False)

    history = HistoricalRecords()
    # The kind in correction and review URLs (views.bedside.AMENDABLE).
    record_kind = "interventions"

    class Meta:
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["course", "superseded", "given_at"])]

    def __str__(self) -> str:
        dose = f" {self.dose_value.normalize():f} {self.get_dose_unit_display()}" if self.dose_value else ""
        name = self.agent.capitalize() if self.agent else self.get_kind_display()
        return f"{name}{dose}"
