"""Delivering email and SMS notifications (docs/clinical-rules.md §6.3): claim, send, record,
so that no database lock is held while a mail server or SMS gateway answers."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from tracker.core.audit import DISPATCHER, acting_as_system
from tracker.models import Alert, Notification
from tracker.schedule.sms import TransientDeliveryError, get_sms_backend

log = logging.getLogger(__name__)

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


@acting_as_system(DISPATCHER)
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
@acting_as_system(DISPATCHER)
def record_final_failure(notification_id: int, error: Exception) -> None:
    """After the last retry of a transient failure."""
    notification = Notification.objects.select_for_update(of=("self",)).select_related("alert").get(pk=notification_id)
    if notification.status == Notification.Status.PENDING:
        _record_failure(notification, error)
