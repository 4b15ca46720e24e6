from django import template
from django.utils import timezone

from tracker.clinical import days
from tracker.clinical.stages import STAGE_LABELS, Stage

register = template.Library()


@register.filter
def dayno(number):
    """28 → 'day +28' (empty when there is no infusion yet)."""
    return "" if number is None else days.format_day(number)


@register.filter
def stage_label(value):
    try:
        return STAGE_LABELS[Stage(value)]
    except ValueError:
        return value


@register.filter
def person(user):
    if user is None:
        return "—"
    return user.get_full_name() or user.username


@register.inclusion_tag("tracker/_field.html")
def field(bound_field, wide=False):
    """One labelled control; its errors are linked to it for screen readers."""
    if bound_field.errors and bound_field.auto_id:
        described = bound_field.field.widget.attrs.get("aria-describedby", "")
        bound_field.field.widget.attrs["aria-describedby"] = f"{described} {bound_field.auto_id}_error".strip()
    return {"f": bound_field, "wide": wide}


def _span(seconds: int) -> str:
    minutes = max(seconds // 60, 0)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h" if minutes < 10 else f"{hours} h {minutes} min"
    days_, hours = divmod(hours, 24)
    return f"{days_} d" if not hours else f"{days_} d {hours} h"


@register.simple_tag
def overdue(due_at, now=None):
    """'overdue by 2 h', 'due in 25 min' or 'due now', against ``now`` (the page's clock)."""
    now = now or timezone.now()
    seconds = int((now - due_at).total_seconds())
    if abs(seconds) < 60:
        return "due now"
    return f"overdue by {_span(seconds)}" if seconds > 0 else f"due in {_span(-seconds)}"
