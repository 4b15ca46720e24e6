"""Physician review of bedside assessments flagged for it (docs/clinical-rules.md §5.7)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tracker.core.audit import save_audited
from tracker.core.errors import CONFLICT, Refusal


@transaction.atomic
def review_assessment(*, observation, by, note: str = ""):
    """A physician confirms they have seen an assessment flagged for review (the nurse's
    judged grade differed from the computed one, or a test could not be done)."""
    if not by.has_perm("tracker.review_assessment"):
        raise PermissionDenied("Only a physician may review flagged assessments.")
    observation = type(observation).objects.select_for_update().get(pk=observation.pk)
    if not observation.needs_review:
        raise Refusal("This assessment is not flagged for review.")
    if observation.reviewed_at:
        raise Refusal("This assessment has already been reviewed.", code=CONFLICT)
    observation.reviewed_by, observation.reviewed_at, observation.review_note = by, timezone.now(), note
    return save_audited(observation, by=by, reason=f"reviewed: {note}" if note else "reviewed")
