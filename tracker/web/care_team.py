"""The care-team page: a coordinator adds and removes the staff on a course's team (they see
the patient and get the course's alerts). Both writes are audited services."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tracker.journey import services
from tracker.journey.selectors import get_course_for
from tracker.models import CareTeamMember, StaffProfile
from tracker.web.access import staff_only
from tracker.web.forms.common import UserChoiceField, show_refusal

PERM = "tracker.add_careteammember"


class AddMemberForm(forms.Form):
    user = UserChoiceField(label="Staff member", queryset=get_user_model().objects.none())
    role = forms.ChoiceField(label="Role on the team", choices=CareTeamMember.Role.choices)

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        on_team = course.care_team_members.values("user_id")
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(
                is_active=True,
                pk__in=StaffProfile.objects.filter(centre_id=course.patient.centre_id).values("user_id"),
            )
            .exclude(pk__in=on_team)
            .order_by("last_name", "first_name")
        )


class RemoveMemberForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=300)


def _course_for_team(request, course_id):
    course = get_course_for(request.user, course_id)
    if not request.user.has_perm(PERM):
        raise PermissionDenied("Only coordinators change care teams.")
    return course


@staff_only
def care_team(request, course_id):
    course = _course_for_team(request, course_id)
    form = AddMemberForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_care_team_member(course=course, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_refusal(error, form)
        else:
            messages.success(request, f"{form.cleaned_data['user'].get_full_name()} added to the care team.")
            return redirect("care_team", course_id=course.public_id)
    members = course.care_team_members.select_related("user").order_by("role", "user__last_name")
    return render(
        request,
        "tracker/care_team.html",
        {"course": course, "members": members, "form": form, "remove_form": RemoveMemberForm()},
    )


@require_POST
@staff_only
def remove_member(request, course_id, member_id: int):
    course = _course_for_team(request, course_id)
    member = get_object_or_404(CareTeamMember.objects.select_related("user"), course=course, pk=member_id)
    form = RemoveMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, "To remove a member, give a reason.")
    else:
        try:
            services.remove_care_team_member(member=member, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{member.user.get_full_name()} removed from the care team.")
    return redirect("care_team", course_id=course.public_id)
