from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from tracker.clinical.stages import RunStatus
from tracker.models.base import KeptQuerySet, KeptRecord
from tracker.models.collection import Leukapheresis
from tracker.models.course import TreatmentCourse

RUN_STATUS_CHOICES = [
    (RunStatus.IN_PRODUCTION.value, "In production"),
    (RunStatus.RELEASED.value, "Released"),
    (RunStatus.OUT_OF_SPECIFICATION.value, "Out of specification"),
    (RunStatus.FAILED.value, "Failed"),
]


class ManufacturingRun(KeptRecord):
    """The manufacture of one product from one collection (docs/clinical-rules.md §2.6).

    ``coi_id`` is the chain-of-identity identifier that links patient, collection and every
    product bag (ISBT 128 ST-028 or the manufacturer's own, §2.4); the bedside check compares
    each infused bag against it."""

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="manufacturing_runs")
    collection = models.ForeignKey(Leukapheresis, on_delete=models.PROTECT, related_name="manufacturing_runs")
    manufacturer = models.CharField(max_length=100)
    lot_number = models.CharField(max_length=64, blank=True)
    coi_id = models.CharField("chain-of-identity id", max_length=64, unique=True)
    status = models.CharField(
        max_length=30, choices=RUN_STATUS_CHOICES, default=RunStatus.IN_PRODUCTION, editable=False
    )
    shipped_on = models.DateField("collection shipped on", null=True, blank=True)
    released_on = models.DateField(null=True, blank=True, editable=False)
    delivered_on = models.DateField("product received at site on", null=True, blank=True)
    oos_reason = models.TextField("out-of-specification finding", blank=True, editable=False)
    oos_reported_on = models.DateField("out of specification reported on", null=True, blank=True, editable=False)
    released_under_exception = models.BooleanField(default=False, editable=False)
    exception_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    exception_reason = models.TextField(blank=True, editable=False)
    failure_reason = models.TextField(blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.manufacturer} lot {self.lot_number or '—'} ({self.get_status_display()})"

    @property
    def product_available(self) -> bool:
        return self.status == RunStatus.RELEASED or (
            self.status == RunStatus.OUT_OF_SPECIFICATION and self.released_under_exception
        )


class ProductBag(KeptRecord):
    """A bag of finished product received at the site. At the bedside the chain-of-identity id
    is read from its label and must match the run's (docs/clinical-rules.md §2.4)."""

    run = models.ForeignKey(ManufacturingRun, on_delete=models.PROTECT, related_name="bags")
    bag_identifier = models.CharField(max_length=64, unique=True)
    scanned_coi_id = models.CharField(
        "chain-of-identity id read from the label at the bedside", max_length=64, blank=True, editable=False
    )
    infusion = models.ForeignKey(
        "tracker.Infusion", on_delete=models.PROTECT, null=True, blank=True, related_name="bags", editable=False
    )

    history = HistoricalRecords()
    objects = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["bag_identifier"]

    def __str__(self) -> str:
        return self.bag_identifier
