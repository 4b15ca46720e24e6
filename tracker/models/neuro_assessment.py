from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from tracker.clinical import grading
from tracker.models.course import TreatmentCourse
from tracker.models.observation import GradedObservation

LEVEL_OF_CONSCIOUSNESS_CHOICES = [
    ("alert", "Alert"),
    ("awakens_spontaneously", "Drowsy, awakens spontaneously"),
    ("awakens_to_voice", "Awakens to voice"),
    ("awakens_only_to_tactile_stimulus", "Awakens only to touch"),
    ("requires_vigorous_or_repetitive_tactile_stimuli", "Needs vigorous or repeated touch"),
    ("unarousable", "Unarousable"),
    ("stupor", "Stupor"),
    ("coma", "Coma"),
]
assert {v for v, _ in LEVEL_OF_CONSCIOUSNESS_CHOICES} == {x.value for x in grading.LevelOfConsciousness}
MOTOR_CHOICES = [
    ("none", "None"),
    ("tremor", "Tremor"),
    ("myoclonus", "Myoclonus"),
    ("hemiparesis", "Hemiparesis"),
    ("paraparesis", "Paraparesis"),
]
RAISED_ICP_CHOICES = [
    ("focal_edema_on_neuroimaging", "Focal/local oedema on neuroimaging"),
    ("diffuse_cerebral_edema_on_neuroimaging", "Diffuse cerebral oedema on neuroimaging"),
    ("decerebrate_posturing", "Decerebrate posturing"),
    ("decorticate_posturing", "Decorticate posturing"),
    ("cranial_nerve_vi_palsy", "Cranial nerve VI palsy"),
    ("papilledema", "Papilloedema"),
    ("cushings_triad", "Cushing's triad"),
    ("intracranial_hemorrhage", "Intracranial haemorrhage (not ICANS; CTCAE)"),
]

CAPD_ITEM = {"null": True, "blank": True, "validators": [MaxValueValidator(4)]}


class NeuroAssessment(GradedObservation):
    """A neurological check graded for ICANS (ASTCT 2019, docs/clinical-rules.md §4). The ten ICE items
    (from age 12) or the eight CAPD items (under 12) are recorded one by one and the score is
    computed; a test that could not be done is recorded as not assessable, never as 0."""

    class Tool(models.TextChoices):
        ICE = "ice", "ICE (age 12 and over)"
        CAPD = "capd", "CAPD (under 12, or developmental delay)"

    class NotAssessable(models.TextChoices):
        UNAROUSABLE = "unarousable", "Unarousable"
        INTUBATED_SEDATED = "intubated_sedated", "Intubated and sedated"
        LANGUAGE = "language", "Language barrier"
        BASELINE_APHASIA = "baseline_aphasia", "Baseline aphasia or cognitive impairment"
        VISUAL_MOTOR = "visual_motor", "Visual or motor limitation"
        OTHER = "other", "Other"

    class SeizureKind(models.TextChoices):
        FOCAL = "focal", "Focal clinical seizure"
        GENERALIZED = "generalized", "Generalised clinical seizure"
        EEG_ONLY = "eeg_only", "Non-convulsive, on EEG"

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="neuro_assessments")
    age_years = models.PositiveSmallIntegerField(editable=False)
    tool = models.CharField(max_length=4, choices=Tool.choices)
    not_assessable_reason = models.CharField(
        max_length=30, choices=NotAssessable.choices, blank=True, help_text="Only if ICE/CAPD could not be performed."
    )
    level_of_consciousness = models.CharField(max_length=60, choices=LEVEL_OF_CONSCIOUSNESS_CHOICES, default="alert")
    consciousness_other_cause = models.BooleanField(
        "depressed consciousness attributable to another cause (e.g. sedation)", default=False
    )
    seizure_occurred = models.BooleanField(default=False)
    seizure_kind = models.CharField(max_length=12, choices=SeizureKind.choices, blank=True)
    seizure_duration_min = models.DecimalField(
        "longest seizure (minutes)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("240"))],
    )
    seizure_repeated = models.BooleanField("repeated seizures", default=False)
    seizure_returned_to_baseline = models.BooleanField("returned to baseline between seizures", null=True, blank=True)
    seizure = models.CharField(max_length=60, editable=False, default="none")
    motor_finding = models.CharField(max_length=12, choices=MOTOR_CHOICES, default="none")
    raised_icp_findings = models.JSONField(default=list, blank=True)
    attribution_note = models.TextField(blank=True)
    # The ten ICE items (bedside.ICE_ITEMS), one point each; empty when ICE was not done.
    ice_year = models.BooleanField("Orientation: states the year", null=True, blank=True)
    ice_month = models.BooleanField("Orientation: states the month", null=True, blank=True)
    ice_city = models.BooleanField("Orientation: states the city", null=True, blank=True)
    ice_hospital = models.BooleanField("Orientation: states the hospital", null=True, blank=True)
    ice_object_1 = models.BooleanField("Naming: first object", null=True, blank=True)
    ice_object_2 = models.BooleanField("Naming: second object", null=True, blank=True)
    ice_object_3 = models.BooleanField("Naming: third object", null=True, blank=True)
    ice_commands = models.BooleanField("Follows simple commands", null=True, blank=True)
    ice_writing = models.BooleanField("Writes a standard sentence", null=True, blank=True)
    ice_attention = models.BooleanField("Counts backwards from 100 by 10", null=True, blank=True)
    ice_score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # The eight CAPD items (bedside.CAPD_ITEMS), 0–4 as scored on the sheet.
    capd_eye_contact = models.PositiveSmallIntegerField("Eye contact with caregiver", **CAPD_ITEM)
    capd_purposeful = models.PositiveSmallIntegerField("Purposeful actions", **CAPD_ITEM)
    capd_aware = models.PositiveSmallIntegerField("Aware of surroundings", **CAPD_ITEM)
    capd_communicates = models.PositiveSmallIntegerField("Communicates needs and wants", **CAPD_ITEM)
    capd_restless = models.PositiveSmallIntegerField("Restless", **CAPD_ITEM)
    capd_inconsolable = models.PositiveSmallIntegerField("Inconsolable", **CAPD_ITEM)
    capd_underactive = models.PositiveSmallIntegerField("Underactive", **CAPD_ITEM)
    capd_slow_response = models.PositiveSmallIntegerField("Slow to respond to interactions", **CAPD_ITEM)
    capd_score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    history = HistoricalRecords()
    # The kind in correction and review URLs (views.bedside.AMENDABLE).
    record_kind = "neuro"

    class Meta:
        ordering = ["-observed_at", "-id"]
        indexes = [models.Index(fields=["course", "superseded", "observed_at"])]

    def __str__(self) -> str:
        return f"Neuro check {self.observed_at:%Y-%m-%d %H:%M}: ICANS grade {self.grade}"

    @property
    def score_text(self) -> str:
        if self.tool == self.Tool.ICE:
            return f"ICE {self.ice_score}/10" if self.ice_score is not None else "ICE not assessable"
        return f"CAPD {self.capd_score}/32" if self.capd_score is not None else "CAPD not assessable"
