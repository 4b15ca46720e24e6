import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from tracker.models.base import KeptQuerySet, KeptRecord


class AmendableQuerySet(KeptQuerySet):
    def current(self):
        """Rows not corrected by a later amendment: what the record says now."""
        return self.filter(superseded=False)


class Amendable(KeptRecord):
    """A bedside record that is never edited in place. A correction is a new row that
    ``amends`` the old one, with a reason; the old row stays, marked ``superseded``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amends = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amended_by", editable=False
    )
    amendment_reason = models.TextField(blank=True, editable=False)
    superseded = models.BooleanField(default=False, editable=False)

    objects = AmendableQuerySet.as_manager()

    class Meta:
        abstract = True


class GradedObservation(Amendable):
    """An observation graded by the ASTCT consensus. The grade is computed from the recorded
    values, never typed; it is stored with the exact inputs it came from, the reasons and the
    rule version (docs/clinical-rules.md §1.2), so it can be explained and re-checked later."""

    observed_at = models.DateTimeField()
    grade = models.PositiveSmallIntegerField(editable=False, validators=[MaxValueValidator(4)])
    grade_reasons = models.JSONField(default=list, editable=False)
    grading_inputs = models.JSONField(default=dict, editable=False)
    rule_version = models.CharField(max_length=30, editable=False)
    nurse_judged_grade = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(4)], help_text="The grade the nurse judged, if any."
    )
    needs_review = models.BooleanField(default=False, editable=False)
    review_reasons = models.JSONField(default=list, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_note = models.TextField(blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def awaiting_review(self) -> bool:
        return self.needs_review and self.reviewed_at is None and not self.superseded
