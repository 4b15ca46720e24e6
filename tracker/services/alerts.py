"""Alerts and their notifications: who is notified, on which channels, acknowledging and
snoozing, and delivering email and SMS."""

import logging
import smtplib
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from tracker.audit import save_audited
from tracker.models import Alert, CareTeamMember, CourseSchedule, Notification, OnCallShift, TreatmentCourse
from tracker.services.scheduling import protocol_for
from tracker.sms import TransientDeliveryError, get_sms_backend

log = logging.getLogger(__name__)

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
        raise ValidationError(f"This alert is already {alert.get_status_display().lower()}.")
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
        raise ValidationError({"reason": "say why the alert can wait."})
    now = timezone.now()
    if not now < until <= now + MAX_SNOOZE:
        raise ValidationError({"until": "snooze for between a minute and 24 hours."})
    alert = _require_ack_rights(alert, by)
    alert.status, alert.snoozed_until, alert.snooze_reason = Alert.Status.SNOOZED, until, reason
    alert.next_escalation_at = until
    save_audited(alert, by=by, reason=f"snoozed until {timezone.localtime(until):%H:%M}: {reason}")
    return alert


# --- Delivery ------------------------------------------------------------------------------------

# SMTP failures worth retrying: the server was unreachable or said "try again later" (4xx).
TRANSIENT_SMTP = (ConnectionError, TimeoutError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)


def _message(notification: Notification) -> tuple[str, str]:
    """Email and SMS text without the patient's name or MRN: the link (behind sign-in) says
    who it is, so nothing identifying travels by SMS or sits in a mail server or a log."""
    alert = notification.alert
    link = f"{settings.SITE_URL}/courses/{alert.course.public_id}/"
    urgency = "URGENT: " if alert.urgency == Alert.Urgency.URGENT else ""
    return f"[CAR-T] {urgency}{alert.get_kind_display()}", f"{alert.body}\n\nOpen: {link}"


def _send(notification: Notification) -> None:
    subject, body = _message(notification)
    user = notification.recipient
    if notification.channel == Notification.Channel.EMAIL:
        if not user.email:
            raise ValueError("no email address on file")
        try:
            send_mail(subject, body, None, [user.email])
        except TRANSIENT_SMTP as error:
            raise TransientDeliveryError(str(error)) from error
        except smtplib.SMTPResponseException as error:
            if 400 <= error.smtp_code < 500:
                raise TransientDeliveryError(str(error)) from error
            raise
    elif notification.channel == Notification.Channel.SMS:
        phone = getattr(getattr(user, "staff_profile", None), "mobile_phone", "")
        if not phone:
            raise ValueError("no mobile number on file")
        get_sms_backend().send(to=phone, body=f"{subject}: {body}"[:480])


def deliver(notification_id: int) -> None:
    """Send one email or SMS notification, in three steps so that a slow mail server or SMS
    gateway never holds a database lock: claim it (pending → sending) and commit; send; record
    the outcome. Idempotent: only a pending notification is claimed. A transient failure puts
    it back to pending with the error kept, and is raised for the task to retry; any other
    failure is final and kept on the row. A worker that dies while sending leaves it 'sending';
    the sweep hands it over again later (at least once: a message may then go twice)."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("alert__course", "recipient__staff_profile")
            .filter(pk=notification_id, status=Notification.Status.PENDING)
            .first()
        )
        if notification is None or notification.channel == Notification.Channel.IN_APP:
            return
        if notification.alert.status not in (Alert.Status.OPEN, Alert.Status.SNOOZED):
            # Acknowledged or resolved before the message went out: sending it is only noise.
            notification.status = Notification.Status.CANCELLED
            notification.save(update_fields=["status"])
            return
        notification.status = Notification.Status.SENDING
        notification.attempts += 1
        notification.save(update_fields=["status", "attempts"])
    sending = Notification.objects.filter(pk=notification.pk, status=Notification.Status.SENDING)
    try:
        _send(notification)
    except TransientDeliveryError as error:
        sending.update(status=Notification.Status.PENDING, last_error=str(error)[:1000])
        raise
    except Exception as error:  # noqa: BLE001 - any other failure is final for this notification
        with transaction.atomic():
            _record_failure(notification, error)
        return
    sending.update(status=Notification.Status.SENT, sent_at=timezone.now())


def _record_failure(notification: Notification, error: Exception) -> None:
    now = timezone.now()
    notification.status, notification.failed_at, notification.last_error = (
        Notification.Status.FAILED,
        now,
        str(error)[:1000],
    )
    notification.save(update_fields=["attempts", "status", "failed_at", "last_error"])
    log.warning("Notification %s to %s failed: %s", notification.pk, notification.recipient, error)
    # The escalation sees it: if nobody at this step could be reached, climb now.
    alert = notification.alert
    same_round = alert.notifications.filter(round=notification.round).exclude(channel=Notification.Channel.IN_APP)
    same_round = same_round.exclude(status=Notification.Status.CANCELLED)
    if alert.escalates and not same_round.exclude(status=Notification.Status.FAILED).exists():
        Alert.objects.filter(pk=alert.pk, status=Alert.Status.OPEN).update(next_escalation_at=now)


@transaction.atomic
def record_final_failure(notification_id: int, error: Exception) -> None:
    """After the last retry of a transient failure."""
    notification = Notification.objects.select_for_update(of=("self",)).select_related("alert").get(pk=notification_id)
    if notification.status == Notification.Status.PENDING:
        _record_failure(notification, error)


def unread_count(user) -> int:
    return Notification.objects.filter(
        recipient=user,
        channel=Notification.Channel.IN_APP,
        read_at__isnull=True,
        alert__status__in=[Alert.Status.OPEN, Alert.Status.SNOOZED],
        alert__course__in=TreatmentCourse.objects.visible_to(user),
    ).count()
