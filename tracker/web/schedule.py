"""Pages that carry the schedule out: the alerts inbox, the work list of due and missed
check-ins, and the forms to acknowledge, snooze and complete."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tracker.models import Alert, CheckIn, Notification
from tracker.schedule import selectors
from tracker.schedule.services import alerts as alert_service
from tracker.schedule.services import completion
from tracker.web.access import staff_only
from tracker.web.forms.schedule import NoteForm, SnoozeForm


def _back(request, fallback: str) -> HttpResponseRedirect:
    """Where to go after the action, decided before anything is written: the ``next`` value
    only if it is a local path on this site, otherwise the fallback page."""
    target = request.POST.get("next", "")
    safe = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return HttpResponseRedirect(target if safe else reverse(fallback))


def _visible_alert(request, alert_id) -> Alert:
    return get_object_or_404(selectors.visible_alerts(request.user), public_id=alert_id)


@staff_only
def alerts_inbox(request):
    """Alerts sent to me (or, with ?scope=all, every open alert for my patients)."""
    scope = request.GET.get("scope", "mine")
    open_alerts = selectors.open_alerts_for(request.user, scope=scope)
    needing_action = [a for a in open_alerts if a.escalates]
    reminders = sorted(
        (a for a in open_alerts if not a.escalates), key=lambda a: a.check_in.due_at if a.check_in else a.created_at
    )
    recent = selectors.recently_handled_alerts(request.user, scope=scope)
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
    back = _back(request, "alerts")
    form = NoteForm(request.POST)
    form.is_valid()
    try:
        alert_service.acknowledge_alert(alert=alert, by=request.user, note=form.cleaned_data.get("note", ""))
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"Acknowledged: {alert.title}")
    return back


@require_POST
@staff_only
def snooze(request, alert_id):
    alert = _visible_alert(request, alert_id)
    back = _back(request, "alerts")
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "To snooze, choose how long and give a reason.")
        return back
    until = timezone.now() + timedelta(minutes=form.cleaned_data["minutes"])
    try:
        alert_service.snooze_alert(alert=alert, by=request.user, until=until, reason=form.cleaned_data["reason"])
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"Snoozed until {timezone.localtime(until):%H:%M}: {alert.title}")
    return back


@staff_only
def work_list(request):
    """Due and missed check-ins for my patients, for my role (?all=1 for every role)."""
    show_all = request.GET.get("all") == "1"
    now = timezone.now()
    check_ins, upcoming = selectors.work_list(request.user, show_all=show_all, now=now)
    # htmx polls the same address for the lists alone, so they stay current without a reload.
    template = "tracker/_work_list_body.html" if request.headers.get("HX-Request") else "tracker/work_list.html"
    return render(
        request,
        template,
        {"check_ins": check_ins, "upcoming": upcoming, "show_all": show_all, "now": now},
    )


@staff_only
def alert_badge(request):
    """The header's unread-alert count alone, polled by htmx."""
    return render(request, "tracker/_alert_badge.html", {"unread_alerts": selectors.unread_count(request.user)})


@staff_only
def milestone_list(request):
    """Follow-up milestones across my patients: overdue, and due in the next 14 days."""
    now = timezone.now()
    when = request.GET.get("when", "all")
    kind = request.GET.get("kind", "")
    query = request.GET.get("q", "")
    rows = selectors.milestones(request.user, now=now, when=when, kind=kind, query=query)
    kinds = [(k.value, k.label) for k in selectors.MILESTONE_KINDS]
    template = "tracker/_milestone_rows.html" if request.headers.get("HX-Request") else "tracker/milestones.html"
    return render(
        request,
        template,
        {
            "rows": rows,
            "now": now,
            "when": when,
            "kind": kind,
            "q": query,
            "kinds": kinds,
            "horizon": selectors.MILESTONE_HORIZON_DAYS,
        },
    )


@require_POST
@staff_only
def complete(request, check_in_id):
    check_in = get_object_or_404(CheckIn.objects.visible_to(request.user), public_id=check_in_id)
    back = _back(request, "work_list")
    form = NoteForm(request.POST)
    form.is_valid()
    try:
        completion.complete_check_in(check_in=check_in, by=request.user, note=form.cleaned_data.get("note", ""))
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"Completed: {check_in.label}")
    return back
