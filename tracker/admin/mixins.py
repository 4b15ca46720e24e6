"""What every model admin shares: corrections need a reason, nothing clinical is deleted."""

from django import forms


class ReasonedChangeForm(forms.ModelForm):
    """Corrections made in the admin say why; the reason is kept in the audit trail."""

    change_reason = forms.CharField(
        label="Reason for this change", widget=forms.Textarea(attrs={"rows": 2}), help_text="Kept in the audit trail."
    )


class ReasonedChangeMixin:
    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = type(f"{self.model.__name__}ReasonForm", (ReasonedChangeForm,), {})
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not any("change_reason" in options.get("fields", ()) for _, options in fieldsets):
            fieldsets = [*fieldsets, ("Audit", {"fields": ["change_reason"]})]
        return fieldsets

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data["change_reason"]
        super().save_model(request, obj, form, change)


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None):
        return False


class ViewOnlyMixin(NoDeleteMixin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
