"""Reads of the schedule that pages, the API and the header badge share: the course page's
schedule panel, the work list, the alerts inbox and the unread count."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from tracker.clinical import labels
from tracker.core import roles
from tracker.core.clock import centre_tz
from tracker.models import (
    Alert,
    CheckIn,
    CheckInKind,
    CourseSchedule,
    Notification,
    ProductLabelCondition,
    TreatmentCourse,
)

# Which check-ins each role works on by default.
ROLE_ASSIGNMENTS = {
    roles.NURSE: ["nurse", "charge_nurse"],
    roles.PHYSICIAN: ["physician", "on_call_physician"],
    roles.COORDINATOR: ["coordinator"],
}
INBOX_LIMIT = 200
WORK_LIST_LIMIT = 300


def visible_alerts(user) -> QuerySet[Alert]:
    return Alert.objects.filter(course__in=TreatmentCourse.objects.visible_to(user))


def unread_count(user) -> int:
    return Notification.objects.filter(
        recipient=user,
        channel=Notification.Channel.IN_APP,
        read_at__isnull=True,
        alert__status__in=[Alert.Status.OPEN, Alert.Status.SNOOZED],
        alert__course__in=TreatmentCourse.objects.visible_to(user),
    ).count()


def open_alerts_for(user, *, scope: str = "mine") -> list[Alert]:
    """Unresolved alerts sent to this user (or, ``scope="all"``, every one for their patients),
    most urgent first, each with the notifications of its current round (an alert that
    escalated all night has dozens of older ones the inbox does not need)."""
    base = visible_alerts(user)
    if scope != "all":
        base = base.for_user(user)
    alerts = list(
        base.unresolved()
        .select_related("course__patient", "check_in", "threshold_event")
        .order_by("-urgency", "-escalates", "-created_at")[:INBOX_LIMIT]
    )
    current_round = defaultdict(list)
    for notification in (
        Notification.objects.filter(alert__in=alerts, round=F("alert__round"))
        .select_related("recipient")
        .order_by("recipient__last_name", "channel")
    ):
        current_round[notification.alert_id].append(notification)
    for alert in alerts:
        alert.current_notifications = current_round[alert.id]
    return alerts


def recently_handled_alerts(user, *, scope: str = "mine", limit: int = 30) -> list[Alert]:
    base = visible_alerts(user)
    if scope != "all":
        base = base.for_user(user)
    return list(
        base.exclude(status__in=[Alert.Status.OPEN, Alert.Status.SNOOZED])
        .select_related("course__patient", "acknowledged_by")
        .order_by("-created_at")[:limit]
    )


def work_list(user, *, show_all: bool, now: datetime) -> tuple[list[CheckIn], list[CheckIn]]:
    """Due and missed check-ins for the user's patients and role, and those due within 4 hours."""
    role = roles.role_of(user)
    visible = CheckIn.objects.visible_to(user).select_related("course__patient").order_by("due_at")
    # A check-in whose time has come is due even before the sweep marks it so.
    open_ones = visible.filter(
        Q(status__in=[CheckIn.Status.DUE, CheckIn.Status.MISSED]) | Q(status=CheckIn.Status.SCHEDULED, due_at__lte=now)
    )
    upcoming = visible.filter(status=CheckIn.Status.SCHEDULED, due_at__gt=now, due_at__lte=now + timedelta(hours=4))
    if not show_all and role in ROLE_ASSIGNMENTS:
        open_ones = open_ones.filter(assignee_role__in=ROLE_ASSIGNMENTS[role])
        upcoming = upcoming.filter(assignee_role__in=ROLE_ASSIGNMENTS[role])
    return list(open_ones[:WORK_LIST_LIMIT]), list(upcoming[:100])


@dataclass(frozen=True)
class LabelConditions:
    terms: labels.LabelTerms
    periods: labels.LabelPeriods


def label_conditions(course: TreatmentCourse) -> LabelConditions | None:
    """An infused course's label conditions (the version in force on day 0, or the most cautious
    ones, flagged, for a product without label data) and when each ends: the label's number of
    full days after the infusion moment (docs/clinical-rules.md §6.6). Two queries."""
    day_zero = course.day_zero
    if day_zero is None:
        return None
    terms = ProductLabelCondition.terms_for(course.product, day_zero)
    if terms is None:
        return None
    return LabelConditions(terms, labels.periods(terms, course.first_infusion_at, centre_tz()))


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
        "label": label_conditions(course),
    }


MILESTONE_KINDS = [
    CheckInKind.RESPONSE_ASSESSMENT,
    CheckInKind.REMISSION_SCAN,
    CheckInKind.FOLLOW_UP_VISIT,
    CheckInKind.IGG_LEVEL,
    CheckInKind.LTFU_CONTACT,
]
MILESTONE_HORIZON_DAYS = 14
MILESTONE_LIMIT = 300


def milestones(user, *, now: datetime, when: str = "all", kind: str = "", query: str = "") -> list[CheckIn]:
    """Follow-up milestones across the user's patients that are overdue (their time has passed
    and they are not done) or due in the next 14 days, soonest first; filtered by ``when``
    ("overdue", "upcoming" or "all"), by kind and by patient name or MRN. One query."""
    rows = (
        CheckIn.objects.visible_to(user)
        .filter(
            kind__in=MILESTONE_KINDS, status__in=[CheckIn.Status.SCHEDULED, CheckIn.Status.DUE, CheckIn.Status.MISSED]
        )
        .select_related("course__patient")
        .order_by("due_at")
    )
    overdue = Q(due_at__lte=now) | Q(status=CheckIn.Status.MISSED)
    upcoming = Q(due_at__gt=now, due_at__lte=now + timedelta(days=MILESTONE_HORIZON_DAYS)) & ~Q(
        status=CheckIn.Status.MISSED
    )
    rows = rows.filter({"overdue": overdue, "upcoming": upcoming}.get(when, overdue | upcoming))
    if kind in MILESTONE_KINDS:
        rows = rows.filter(kind=kind)
    if query.strip():
        q = query.strip()
        rows = rows.filter(
            Q(course__patient__family_name__icontains=q)
            | Q(course__patient__given_name__icontains=q)
            | Q(course__patient__mrn__iexact=q)
        )
    return list(rows[:MILESTONE_LIMIT])
