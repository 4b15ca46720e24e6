from django.db import models
from simple_history.models import HistoricalRecords

from tracker.models.course import TreatmentCourse
from tracker.models.observation import Amendable


class CourseEvent(Amendable):
    """What happened to the patient after infusion (docs/clinical-rules.md §8): relapse or
    progression, death, a new anticancer therapy, a consolidative transplant, loss to follow-up,
    and each contact. Outcomes (EFS, OS, duration of response) are computed from these rows."""

    class Kind(models.TextChoices):
        RELAPSE = "relapse", "Relapse or progression"
        DEATH = "death", "Death"
        NEW_THERAPY = "new_therapy", "New anticancer therapy"
        TRANSPLANT = "transplant", "Consolidative allogeneic transplant"
        LOST_TO_FOLLOW_UP = "lost_to_follow_up", "Lost to follow-up"
        LAST_CONTACT = "last_contact", "Contact (alive)"

    class Site(models.TextChoices):
        MARROW = "marrow", "Bone marrow"
        BLOOD = "blood", "Peripheral blood"
        CNS = "cns", "Central nervous system"
        NODAL = "nodal", "Nodal"
        EXTRANODAL = "extranodal", "Extranodal (not CNS)"
        TESTIS = "testis", "Testis"
        OTHER = "other", "Other"

    class DeathCause(models.TextChoices):
        DISEASE = "disease", "Disease (relapse or progression)"
        CRS = "crs", "CRS"
        ICANS = "icans", "ICANS"
        INFECTION = "infection", "Infection"
        IEC_HS = "iec_hs", "IEC-HS"
        SECOND_MALIGNANCY = "second_malignancy", "Second primary malignancy"
        OTHER = "other", "Other"
        UNKNOWN = "unknown", "Unknown"

    class DonorType(models.TextChoices):
        MATCHED_SIBLING = "matched_sibling", "HLA-matched sibling"
        MATCHED_UNRELATED = "matched_unrelated", "Matched unrelated"
        MISMATCHED_UNRELATED = "mismatched_unrelated", "Mismatched unrelated"
        HAPLOIDENTICAL = "haploidentical", "Haploidentical"
        CORD_BLOOD = "cord_blood", "Cord blood"

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="course_events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_on = models.DateField()
    day = models.IntegerField(editable=False, help_text="Days since infusion (day 0).")
    sites = models.JSONField(default=list, blank=True, help_text="Relapse sites.")
    antigen_negative = models.BooleanField(
        null=True, blank=True, help_text="Relapse without the target antigen (e.g. CD19-negative): antigen escape."
    )
    isolated_extramedullary = models.BooleanField(default=False)
    death_cause = models.CharField(max_length=20, choices=DeathCause.choices, blank=True)
    therapy = models.CharField(max_length=200, blank=True, help_text="The new therapy, e.g. a second CAR-T.")
    donor_type = models.CharField(max_length=25, choices=DonorType.choices, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()
    record_kind = "event"

    class Meta:
        ordering = ["occurred_on", "id"]
        indexes = [models.Index(fields=["course", "superseded", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on}"

    @property
    def cns(self) -> bool:
        return self.Site.CNS in self.sites
