"""Pages that carry the schedule out: the alerts inbox, the work list of due and missed
check-ins, and the forms to acknowledge, snooze and complete."""

from collections import defaultdict
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tracker import roles
from tracker.models import Alert, CheckIn, CourseSchedule, Notification, TreatmentCourse
from tracker.services import alerts as alert_service
from tracker.services import scheduling
from tracker.views.access import staff_only

SNOOZE_CHOICES = [(15, "15 minutes"), (30, "30 minutes"), (60, "1 hour"), (120, "2 hours"), (240, "4 hours")]
# Which check-ins each role works on by default.
ROLE_ASSIGNMENTS = {
    roles.NURSE: ["nurse", "charge_nurse"],
    roles.PHYSICIAN: ["physician", "on_call_physician"],
    roles.COORDINATOR: ["coordinator"],
}


class SnoozeForm(forms.Form):
    minutes = forms.TypedChoiceField(choices=SNOOZE_CHOICES, coerce=int)
    reason = forms.CharField(max_length=500)


class NoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000)


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def _visible_alert(request, alert_id) -> Alert:
    visible = TreatmentCourse.objects.visible_to(request.user)
    return get_object_or_404(Alert.objects.filter(course__in=visible), public_id=alert_id)


@staff_only
def alerts_inbox(request):
    """Alerts sent to me (or, with ?scope=all, every open alert for my patients)."""
    scope = request.GET.get("scope", "mine")
    visible = TreatmentCourse.objects.visible_to(request.user)
    base = Alert.objects.filter(course__in=visible)
    if scope != "all":
        base = base.for_user(request.user)
    open_alerts = list(
        base.unresolved()
        .select_related("course__patient", "check_in", "threshold_event")
        .order_by("-urgency", "-escalates", "-created_at")[:200]
    )
    # Who the current round reached: an alert that escalated all night has dozens of older
    # notifications, which the inbox does not need (the admin shows them all).
    current_round = defaultdict(list)
    for notification in (
        Notification.objects.filter(alert__in=open_alerts, round=F("alert__round"))
        .select_related("recipient")
        .order_by("recipient__last_name", "channel")
    ):
        current_round[notification.alert_id].append(notification)
    for alert in open_alerts:
        alert.current_notifications = current_round[alert.id]
    needing_action = [a for a in open_alerts if a.escalates]
    reminders = sorted(
        (a for a in open_alerts if not a.escalates), key=lambda a: a.check_in.due_at if a.check_in else a.created_at
    )
    recent = list(
        base.exclude(status__in=[Alert.Status.OPEN, Alert.Status.SNOOZED])
        .select_related("course__patient", "acknowledged_by")
        .order_by("-created_at")[:30]
    )
    Notification.objects.filter(
        recipient=request.user, read_at__isnull=True, alert__in=[a.id for a in open_alerts]
    ).update(read_at=timezone.now())
    return render(
        request,
        "tracker/alerts.html",
        {
            "needing_action": needing_action,
            "reminders": reminders,
            "recent": recent,
            "scope": scope,
            "snooze_form": SnoozeForm(),
        },
    )


@require_POST
@staff_only
def acknowledge(request, alert_id):
    alert = _visible_alert(request, alert_id)
    form = NoteForm(request.POST)
    form.is_valid()
    try:
        alert_service.acknowledge_alert(alert=alert, by=request.user, note=form.cleaned_data.get("note", ""))
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"Acknowledged: {alert.title}")
    return _back(request, "alerts")


@require_POST
@staff_only
def snooze(request, alert_id):
    alert = _visible_alert(request, alert_id)
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "To snooze, choose how long and give a reason.")
        return _back(request, "alerts")
    until = timezone.now() + timedelta(minutes=form.cleaned_data["minutes"])
    try:
        alert_service.snooze_alert(alert=alert, by=request.user, until=until, reason=form.cleaned_data["reason"])
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"Snoozed until {timezone.localtime(until):%H:%M}: {alert.title}")
    return _back(request, "alerts")


@staff_only
def work_list(request):
    """Due and missed check-ins for my patients, for my role (?all=1 for every role)."""
    show_all = request.GET.get("all") == "1"
    role = roles.role_of(request.user)
    check_ins = (
        CheckIn.objects.visible_to(request.user)
        .filter(status__in=[CheckIn.Status.DUE, CheckIn.Status.MISSED])
        .select_related("course__patient")
        .order_by("due_at")
    )
    if not show_all and role in ROLE_ASSIGNMENTS:
        check_ins = check_ins.filter(assignee_role__in=ROLE_ASSIGNMENTS[role])
    upcoming = (
        CheckIn.objects.visible_to(request.user)
        .filter(status=CheckIn.Status.SCHEDULED, due_at__lte=timezone.now() + timedelta(hours=4))
        .select_related("course__patient")
        .order_by("due_at")
    )
    if not show_all and role in ROLE_ASSIGNMENTS:
        upcoming = upcoming.filter(assignee_role__in=ROLE_ASSIGNMENTS[role])
    return render(
        request,
        "tracker/work_list.html",
        {"check_ins": list(check_ins[:300]), "upcoming": list(upcoming[:100]), "show_all": show_all},
    )


@require_POST
@staff_only
def complete(request, check_in_id):
    check_in = get_object_or_404(CheckIn.objects.visible_to(request.user), public_id=check_in_id)
    form = NoteForm(request.POST)
    form.is_valid()
    try:
        scheduling.complete_check_in(check_in=check_in, by=request.user, note=form.cleaned_data.get("note", ""))
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"Completed: {check_in.label}")
    return _back(request, "work_list")


def course_schedule(course: TreatmentCourse) -> dict | None:
    """The schedule panel of the course page: open check-ins, the next ones, the next milestones."""
    state = CourseSchedule.objects.filter(course=course).select_related("protocol").first()
    if state is None:
        return None
    now = timezone.now()
    rows = course.check_ins.select_related("completed_by", "rule")
    return {
        "state": state,
        "open": list(rows.filter(status__in=[CheckIn.Status.DUE, CheckIn.Status.MISSED]).order_by("due_at")[:20]),
        "next": list(
            rows.filter(status=CheckIn.Status.SCHEDULED, due_at__lte=now + timedelta(hours=24)).order_by("due_at")[:12]
        ),
        "milestones": list(
            rows.filter(status=CheckIn.Status.SCHEDULED, rule__schedule_type="milestones").order_by("due_at")[:6]
        ),
        "recent": list(
            rows.filter(status__in=[CheckIn.Status.COMPLETED, CheckIn.Status.COMPLETED_LATE]).order_by("-completed_at")[
                :6
            ]
        ),
        "alerts": list(course.alerts.unresolved().filter(escalates=True).order_by("-created_at")[:10]),
    }
