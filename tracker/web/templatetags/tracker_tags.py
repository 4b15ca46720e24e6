from django import template

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
    return {"f": bound_field, "wide": wide}
