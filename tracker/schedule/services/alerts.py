"""Alerts and their notifications: who is notified, on which channels, acknowledging and
snoozing (docs/clinical-rules.md §6.3). Sending email and SMS is ``delivery``."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tracker.core.audit import save_audited
from tracker.core.errors import CONFLICT, Refusal
from tracker.models import Alert, CareTeamMember, CourseSchedule, Notification, OnCallShift, TreatmentCourse
from tracker.schedule.services.planning import protocol_for

# Routine "due" reminders stay in the app; anything that escalates also goes by email; urgent
# threshold alerts also by SMS.
CHANNELS = {
    Alert.Kind.CHECK_IN_DUE: [Notification.Channel.IN_APP],
    Alert.Kind.CHECK_IN_MISSED: [Notification.Channel.IN_APP, Notification.Channel.EMAIL],
    Alert.Kind.THRESHOLD: [Notification.Channel.IN_APP, Notification.Channel.EMAIL, Notification.Channel.SMS],
}
MAX_SNOOZE = timedelta(hours=24)


class Recipients:
    """Resolves ladder roles to people for many courses at once, in a fixed number of queries."""

    def __init__(self, course_ids, *, now: datetime):
        self.courses = {
            c.id: c
            for c in TreatmentCourse.objects.filter(id__in=set(course_ids)).select_related(
                "patient", "treating_physician", "coordinator"
            )
        }
        self.team = defaultdict(lambda: defaultdict(list))
        for member in CareTeamMember.objects.filter(course_id__in=self.courses, user__is_active=True).select_related(
            "user"
        ):
            self.team[member.course_id][member.role].append(member.user)
        centres = {c.patient.centre_id for c in self.courses.values()}
        self.on_call = defaultdict(list)
        for shift in OnCallShift.objects.filter(
            centre_id__in=centres, starts_at__lte=now, ends_at__gt=now, user__is_active=True
        ).select_related("user"):
            self.on_call[shift.centre_id].append(shift.user)

    def users(self, course_id: int, role: str, *, assignee: str = "") -> list:
        course = self.courses[course_id]
        if role == "assignee":
            role = assignee or "nurse"
        if role == "nurse":
            found = self.team[course_id]["nurse"]
        elif role == "charge_nurse":
            found = self.team[course_id]["charge_nurse"]
        elif role == "physician":
            found = [course.treating_physician]
        elif role == "coordinator":
            found = [course.coordinator]
        elif role == "on_call_physician":
            # The rota first; without one, the course's physicians, so the ladder never ends in silence.
            found = (
                self.on_call[course.patient.centre_id]
                or self.team[course_id]["physician"]
                or [course.treating_physician]
            )
        else:
            raise ValueError(f"unknown role {role!r}")
        unique = {user.pk: user for user in found if user.is_active}
        return list(unique.values())


def ladder_for(alert: Alert, protocol) -> tuple[list[list[str]], timedelta]:
    if alert.kind == Alert.Kind.THRESHOLD:
        return protocol.urgent_ladder, timedelta(minutes=protocol.escalation_minutes)
    if alert.check_in and alert.check_in.rule and alert.check_in.rule.schedule_type == "milestones":
        return protocol.milestone_ladder, timedelta(hours=protocol.milestone_escalation_hours)
    return protocol.missed_ladder, timedelta(minutes=protocol.escalation_minutes)


def protocols_for(course_ids) -> dict:
    found = {
        s.course_id: s.protocol
        for s in CourseSchedule.objects.filter(course_id__in=course_ids).select_related("protocol")
    }
    missing = set(course_ids) - set(found)
    for course in TreatmentCourse.objects.filter(id__in=missing):
        found[course.id] = protocol_for(course)
    return found


def notifications_for(
    alert: Alert, roles: list[str], recipients: Recipients, *, now: datetime, assignee: str = ""
) -> list[Notification]:
    """One notification per person per channel for this round of the alert (unsaved). An
    in-app notification is delivered as it is written: it is the inbox."""
    people = {}
    for role in roles:
        for user in recipients.users(alert.course_id, role, assignee=assignee):
            people[user.pk] = user
    notifications = []
    for user in people.values():
        for channel in CHANNELS[alert.kind]:
            in_app = channel == Notification.Channel.IN_APP
            notifications.append(
                Notification(
                    alert=alert,
                    recipient=user,
                    channel=channel,
                    level=alert.level,
                    round=alert.round,
                    status=Notification.Status.SENT if in_app else Notification.Status.PENDING,
                    sent_at=now if in_app else None,
                )
            )
    return notifications


def _require_ack_rights(alert: Alert, by) -> Alert:
    if not by.has_perm("tracker.acknowledge_alert"):
        raise PermissionDenied("You do not have permission to acknowledge alerts.")
    if not TreatmentCourse.objects.visible_to(by).filter(pk=alert.course_id).exists():
        raise PermissionDenied("This alert is for a patient outside your care teams.")
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status not in (Alert.Status.OPEN, Alert.Status.SNOOZED):
        raise Refusal(f"This alert is already {alert.get_status_display().lower()}.", code=CONFLICT)
    return alert


@transaction.atomic
def acknowledge_alert(*, alert: Alert, by, note: str = "") -> Alert:
    """Someone has seen it and is acting: the escalation ladder stops (audited)."""
    alert = _require_ack_rights(alert, by)
    now = timezone.now()
    alert.status, alert.acknowledged_by, alert.acknowledged_at = Alert.Status.ACKNOWLEDGED, by, now
    alert.acknowledgement_note, alert.next_escalation_at = note, None
    save_audited(alert, by=by, reason=f"acknowledged: {note}" if note else "acknowledged")
    alert.notifications.filter(recipient=by, read_at__isnull=True).update(read_at=now)
    return alert


@transaction.atomic
def snooze_alert(*, alert: Alert, by, until: datetime, reason: str) -> Alert:
    """Pause the ladder until a set time, with a reason (audited); it resumes afterwards."""
    if not reason.strip():
        raise Refusal("say why the alert can wait.", field="reason", code="required")
    now = timezone.now()
    if not now < until <= now + MAX_SNOOZE:
        raise Refusal("snooze for between a minute and 24 hours.", field="until")
    alert = _require_ack_rights(alert, by)
    alert.status, alert.snoozed_until, alert.snooze_reason = Alert.Status.SNOOZED, until, reason
    alert.next_escalation_at = until
    save_audited(alert, by=by, reason=f"snoozed until {timezone.localtime(until):%H:%M}: {reason}")
    return alert
