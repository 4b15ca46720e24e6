from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from tracker.models.base import KeptQuerySet, KeptRecord
from tracker.models.course import TreatmentCourse


class Leukapheresis(KeptRecord):
    """A T-cell collection (docs/clinical-rules.md §2.3). A course may need more than one, for example
    after a failed manufacturing run (§2.6)."""

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="collections")
    collected_on = models.DateField()
    site = models.CharField(max_length=200, help_text="Apheresis unit where the cells were collected.")
    cd3_yield_e9 = models.DecimalField(
        "CD3+ yield (×10⁹ cells)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    volume_processed_l = models.DecimalField(
        "blood volume processed (L)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("50"))],
    )
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["-collected_on", "-recorded_at"]
        verbose_name_plural = "leukapheresis collections"

    def __str__(self) -> str:
        return f"Collection {self.collected_on} at {self.site}"


class CollectionBag(KeptRecord):
    """One bag of collected cells, identified by its ISBT 128 donation identification number
    or the manufacturer's apheresis id (docs/clinical-rules.md §2.3, §2.4)."""

    collection = models.ForeignKey(Leukapheresis, on_delete=models.PROTECT, related_name="bags")
    bag_identifier = models.CharField(max_length=64, unique=True)

    history = HistoricalRecords()
    objects = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["bag_identifier"]

    def __str__(self) -> str:
        return self.bag_identifier
