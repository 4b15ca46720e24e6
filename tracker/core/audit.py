"""Every clinical write is recorded by django-simple-history: a full snapshot of the row with
who made the change, when, and why. Services save through these helpers so the history row
always names the user (not only when a request is around) and carries the reason."""

from django.db import models


def save_audited(instance: models.Model, *, by, reason: str = "") -> models.Model:
    """Validate and save a clinical record, attributing the history entry to ``by``."""
    instance.full_clean()
    instance._history_user = by
    instance._change_reason = reason or None
    instance.save()
    return instance


def create_audited(model: type[models.Model], *, by, reason: str = "", **fields) -> models.Model:
    return save_audited(model(**fields), by=by, reason=reason)


def field_changes(record, previous) -> list[tuple[str, object, object]]:
    """(field, old, new) for every tracked field that differs between two history rows.

    simple-history's ``diff_against`` skips fields that are not editable in forms (such as
    a course's stage, which only the stage machine changes), so the audit view compares the
    tracked fields itself."""
    if previous is None:
        return []
    changes = []
    for field in record.tracked_fields:
        old, new = getattr(previous, field.attname), getattr(record, field.attname)
        if old != new:
            changes.append((field.name, old, new))
    return changes
