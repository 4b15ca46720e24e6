from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from tracker.models.base import KeptRecord
from tracker.models.course import TreatmentCourse


class ImportedHistory(KeptRecord):
    """A course imported from a programme's history spreadsheet (issue 12 item 6): what the
    programme recorded before the tracker, kept as given, without bedside rows or a schedule.
    The outcome figures read these values for imported courses (tracker.outcomes.selectors)."""

    course = models.OneToOneField(TreatmentCourse, on_delete=models.PROTECT, related_name="imported_history")
    source_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the imported file.")
    source_line = models.PositiveIntegerField(help_text="The line of the file this course came from.")
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    leukapheresis_on = models.DateField(null=True, blank=True)
    infused_on = models.DateField()
    cell_dose_per_kg = models.DecimalField(
        "CAR-positive cells per kg",
        max_digits=16,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10**12)],
    )
    crs_max_grade = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(4)])
    icans_max_grade = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(4)])
    tocilizumab = models.BooleanField(default=False)
    steroids = models.BooleanField(default=False)
    day28_response = models.CharField(max_length=10, blank=True)
    best_response = models.CharField(max_length=10, blank=True)
    relapse_on = models.DateField(null=True, blank=True, help_text="Relapse or progression.")
    transplant_on = models.DateField(null=True, blank=True)
    death_on = models.DateField(null=True, blank=True)
    death_cause = models.CharField(max_length=200, blank=True)
    last_contact_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "imported histories"

    def __str__(self) -> str:
        return f"Imported history of {self.course} (line {self.source_line})"
