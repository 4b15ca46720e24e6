"""Forms of the schedule pages: snoozing an alert, and a note to acknowledge or complete."""

from django import forms

SNOOZE_CHOICES = [(15, "15 minutes"), (30, "30 minutes"), (60, "1 hour"), (120, "2 hours"), (240, "4 hours")]


class SnoozeForm(forms.Form):
    minutes = forms.TypedChoiceField(choices=SNOOZE_CHOICES, coerce=int)
    reason = forms.CharField(max_length=500)


class NoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000)
