"""The history import page for coordinators: upload a CSV, see the preview (every row and
what importing it would do, or every error as line, column and message), then import it.
The rules are `tracker.outcomes.history_import`, the same as `manage.py import_history`."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from tracker.core import roles
from tracker.models import StaffProfile
from tracker.outcomes.history_import import COLUMNS, import_history
from tracker.web.access import staff_only

MAX_FILE_BYTES = 5 * 1024 * 1024


class HistoryFileForm(forms.Form):
    file = forms.FileField(label="History file (CSV)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text (save it as CSV UTF-8).") from None


class ConfirmForm(forms.Form):
    text = forms.CharField(widget=forms.HiddenInput, strip=False, max_length=MAX_FILE_BYTES)


@staff_only
def import_history_page(request):
    if not (request.user.is_superuser or roles.role_of(request.user) == roles.COORDINATOR):
        raise PermissionDenied("Importing a programme's history is for coordinators.")
    profile = StaffProfile.objects.filter(user=request.user).select_related("centre").first()
    if profile is None:
        raise PermissionDenied("Your account has no centre to import into.")
    context = {"columns": COLUMNS, "upload": HistoryFileForm(), "result": None, "confirm": None}
    if request.method == "POST":
        if "text" in request.POST:
            confirm = ConfirmForm(request.POST)
            if confirm.is_valid():
                result = import_history(text=confirm.cleaned_data["text"], by=request.user, centre=profile.centre)
                if not result.errors:
                    messages.success(
                        request,
                        f"Imported {result.created} course(s); {result.unchanged} were already imported and unchanged.",
                    )
                    return redirect("import_history")
                context["result"] = result
        else:
            upload = HistoryFileForm(request.POST, request.FILES)
            context["upload"] = upload
            if upload.is_valid():
                text = upload.cleaned_data["file"]
                result = import_history(text=text, by=request.user, centre=profile.centre, dry_run=True)
                context["result"] = result
                if not result.errors:
                    context["confirm"] = ConfirmForm(initial={"text": text})
    return render(request, "tracker/import_history.html", context)
