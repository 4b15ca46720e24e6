"""Every clinical write is recorded by django-simple-history: a full snapshot of the row with
who made the change, when, and why. Services save through these helpers so the history row
always names the user (not only when a request is around) and carries the reason."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.db import models

from tracker.core.errors import CONFLICT, Refusal

# Named system users: what the application does by itself is attributed to one of them, so
# every history row names who made the change (21 CFR Part 11 §11.10(e)). They cannot sign in.
SYSTEM = "system"
DISPATCHER = "system-dispatcher"
DEMO_SEED = "system-demo-seed"
IMPORT = "system-import"
SYSTEM_USER_LABELS = {
    SYSTEM: "Application",
    DISPATCHER: "Dispatcher (schedule sweeps and deliveries)",
    DEMO_SEED: "Demo cohort seeding",
    IMPORT: "Data import",
}
_acting_system_user: ContextVar[str | None] = ContextVar("acting_system_user", default=None)


def system_user(name: str = SYSTEM):
    """The named system user (created inactive, with an unusable password, on first use)."""
    if name not in SYSTEM_USER_LABELS:
        raise ValueError(f"unknown system user {name!r}; one of {', '.join(SYSTEM_USER_LABELS)}")
    user, created = get_user_model().objects.get_or_create(
        username=name, defaults={"first_name": "System", "last_name": SYSTEM_USER_LABELS[name], "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@contextmanager
def acting_as_system(name: str):
    """Writes inside this block that name no user are attributed to the system user ``name``."""
    token = _acting_system_user.set(name)
    try:
        yield
    finally:
        _acting_system_user.reset(token)


def attribute_history_row(sender, history_instance, **kwargs) -> None:
    """simple-history's pre_create_historical_record: a row with no user (no request, no
    ``_history_user``) gets the acting system user, or the application's own."""
    if history_instance.history_user_id is None:
        history_instance.history_user = system_user(_acting_system_user.get() or SYSTEM)


def save_audited(instance: models.Model, *, by, reason: str = "") -> models.Model:
    """Validate and save a clinical record, attributing the history entry to ``by``."""
    instance.full_clean()
    instance._history_user = by
    instance._change_reason = reason or None
    instance.save()
    return instance


def create_audited(model: type[models.Model], *, by, reason: str = "", **fields) -> models.Model:
    return save_audited(model(**fields), by=by, reason=reason)


def amendment_target(model, original, reason: str):
    """The kept record to correct, locked: refused without a reason, or if already corrected."""
    if not (reason or "").strip():
        raise Refusal("say why the record is being corrected.", field="reason")
    original = model.objects.select_for_update().get(pk=original.pk)
    if original.superseded:
        raise Refusal("This record has already been corrected; amend the latest version.", code=CONFLICT)
    return original


def save_recorded(record, *, by, amends=None, reason: str = ""):
    """Save a new amendable record with who recorded it; an amendment points at the original,
    which is kept and marked superseded (never edited in place), both with the reason."""
    record.recorded_by = by
    if amends is None:
        return save_audited(record, by=by, reason="recorded")
    record.amends, record.amendment_reason = amends, reason
    amends.superseded = True
    save_audited(amends, by=by, reason=f"amended: {reason}")
    return save_audited(record, by=by, reason=f"amendment: {reason}")


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


def acting_user():
    """Who a write outside ``save_audited`` is attributed to: the signed-in user of the current
    request, or else the acting system user (or the application's own)."""
    from simple_history.models import HistoricalRecords

    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return system_user(_acting_system_user.get() or SYSTEM)


def record_bulk_history(model: type[models.Model], rows, *, reason: str, created: bool = False) -> None:
    """History rows for a bulk_create or a compare-and-set UPDATE, which simple-history does not
    see; attributed to ``acting_user()``."""
    rows = list(rows)
    if rows:
        model.history.bulk_history_create(
            rows, update=not created, default_user=acting_user(), default_change_reason=reason
        )
