"""What the page forms share: date widgets, staff pickers, and showing a service's refusal on
the form, each problem next to the field it names (the one place pages translate
``tracker.core.errors.Refusal``)."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from tracker.core.errors import problems_of

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def staff_with_perm(perm: str, centre_id: int | None):
    """Active staff of a centre holding a permission through their role group."""
    app_label, codename = perm.split(".")
    users = get_user_model().objects.filter(
        is_active=True,
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    )
    if centre_id is not None:
        users = users.filter(staff_profile__centre_id=centre_id)
    return users.distinct().order_by("last_name", "first_name")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


def show_refusal(error: ValidationError, *forms_) -> None:
    """Put a service's refusal on the forms: each field problem on the form that has the field,
    everything else at the top of the first form, prefixed with the field it names."""
    for problem in problems_of(error):
        owner = next((f for f in forms_ if problem.field in f.fields), None) if problem.field else None
        if owner:
            owner.add_error(problem.field, problem.message)
        else:
            prefix = f"{problem.field.replace('_', ' ')}: " if problem.field else ""
            forms_[0].add_error(None, prefix + problem.message)
