from django.db import models
from simple_history.models import HistoricalRecords

from tracker.clinical import grading
from tracker.models.course import TreatmentCourse
from tracker.models.observation import GradedObservation

OXYGEN_DEVICE_CHOICES = [
    ("none", "None (room air)"),
    ("nasal_cannula", "Nasal cannula"),
    ("blow_by", "Blow-by"),
    ("high_flow_nasal_cannula", "High-flow nasal cannula"),
    ("simple_face_mask", "Simple face mask"),
    ("non_rebreather_mask", "Non-rebreather mask"),
    ("venturi_mask", "Venturi mask"),
    ("cpap", "CPAP"),
    ("bipap", "BiPAP"),
    ("mechanical_ventilation", "Mechanical ventilation"),
]
assert {value for value, _ in OXYGEN_DEVICE_CHOICES} == {d.value for d in grading.OxygenDevice}
VASOPRESSOR_CHOICES = [(v.value, v.value.capitalize()) for v in grading.Vasopressor]


class VitalSigns(GradedObservation):
    """One set of vital signs at the bedside, graded for CRS (ASTCT 2019, docs/clinical-rules.md §3, §5).

    The temperature is kept as entered (value and unit) and in °C; °F is converted exactly.
    Hypotension is computed from the pressure for the patient's age, or marked by the nurse's
    judgement, and the basis is kept. Whether fever may be masked is derived from treatment
    recorded after CRS began (``toxicity.fever_may_be_masked``), never ticked by hand.
    """

    class TemperatureUnit(models.TextChoices):
        CELSIUS = "C", "°C"
        FAHRENHEIT = "F", "°F"

    class TemperatureSite(models.TextChoices):
        ORAL = "oral", "Oral"
        TYMPANIC = "tympanic", "Tympanic"
        AXILLARY = "axillary", "Axillary"
        TEMPORAL = "temporal", "Temporal artery"
        RECTAL = "rectal", "Rectal"
        CORE = "core", "Core (catheter)"

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="vital_signs")
    temperature_value = models.DecimalField("temperature (as entered)", max_digits=4, decimal_places=1)
    temperature_unit = models.CharField(max_length=1, choices=TemperatureUnit.choices, default=TemperatureUnit.CELSIUS)
    temperature_c = models.DecimalField("temperature (°C)", max_digits=5, decimal_places=2, editable=False)
    temperature_site = models.CharField(max_length=10, choices=TemperatureSite.choices, default=TemperatureSite.ORAL)
    heart_rate = models.PositiveSmallIntegerField("heart rate (/min)")
    systolic_bp = models.PositiveSmallIntegerField("systolic BP (mmHg)")
    diastolic_bp = models.PositiveSmallIntegerField("diastolic BP (mmHg)")
    respiratory_rate = models.PositiveSmallIntegerField("respiratory rate (/min)")
    spo2 = models.PositiveSmallIntegerField("SpO₂ (%)")
    oxygen_device = models.CharField(max_length=30, choices=OXYGEN_DEVICE_CHOICES, default="none")
    oxygen_flow_l_min = models.DecimalField("O₂ flow (L/min)", max_digits=4, decimal_places=1, null=True, blank=True)
    fio2_pct = models.PositiveSmallIntegerField(
        "FiO₂ (%)", null=True, blank=True, help_text="Context only; not graded."
    )
    vasopressors = models.JSONField(default=list, blank=True, help_text="Vasopressor agents running now.")
    hypotension_by_judgement = models.BooleanField(
        default=False, help_text="Hypotension by clinical judgement even if the pressure is above the age threshold."
    )
    hypotension = models.BooleanField(editable=False)
    hypotension_basis = models.CharField(max_length=200, blank=True, editable=False)
    fever_other_cause = models.BooleanField("fever attributable to another cause", default=False)
    hypotension_other_cause = models.BooleanField("hypotension attributable to another cause", default=False)
    hypoxia_other_cause = models.BooleanField("hypoxia attributable to another cause", default=False)
    attribution_note = models.TextField(blank=True, help_text="Required when a sign is attributed to another cause.")
    fever_masked = models.BooleanField(editable=False, default=False)

    history = HistoricalRecords()
    # The kind in correction and review URLs (views.bedside.AMENDABLE).
    record_kind = "vital-signs"

    class Meta:
        ordering = ["-observed_at", "-id"]
        verbose_name_plural = "vital signs"
        indexes = [models.Index(fields=["course", "superseded", "observed_at"])]
        permissions = [("review_assessment", "Can review bedside assessments flagged for a physician")]

    def __str__(self) -> str:
        return f"Vital signs {self.observed_at:%Y-%m-%d %H:%M}: CRS grade {self.grade}"
