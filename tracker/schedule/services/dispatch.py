"""The dispatcher: one short sweep, run every minute by Celery beat, that carries out the
schedule kept in the database.

Each step claims its rows in batches, in its own transaction: ``SELECT ... FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so concurrent sweeps take disjoint batches, and always a
compare-and-set ``UPDATE ... WHERE status = ...`` that stamps the rows with this sweep's claim
token, so a row is acted on by exactly one sweep even where row locks do not exist (SQLite,
whose IMMEDIATE transactions serialise writers instead). The notifications a claim produces are
written in the same transaction, so a check-in is notified exactly once: if the worker dies
mid-batch, the transaction rolls back and the next sweep claims the same rows again. Nothing
depends on Celery ``eta``/``countdown`` or on messages surviving in the broker.
"""

import logging
import uuid
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from tracker.core.audit import DISPATCHER, acting_as_system, record_bulk_history
from tracker.core.queue import enqueue_on_commit
from tracker.models import Alert, Cadence, CheckIn, CourseSchedule, Notification, ThresholdEvent
from tracker.schedule.services import planning
from tracker.schedule.services.alerts import Recipients, ladder_for, notifications_for, protocols_for

log = logging.getLogger(__name__)

BATCH_SIZE = 200
# Email/SMS handed to Celery but still pending after this long are handed over again (the
# broker may have lost the message).
REDELIVER_AFTER = timedelta(minutes=10)
HORIZON_BATCH = 50


def _claim_ids(queryset, batch: int = BATCH_SIZE) -> list[int]:
    """Ids of up to ``batch`` rows, locked for this transaction where the database can."""
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return list(queryset.values_list("id", flat=True)[:batch])


def _claim(candidates, **changes):
    """Claim a batch of the candidate rows for this sweep, or None when none are left: lock them
    where the database can (SKIP LOCKED), then a compare-and-set UPDATE that re-applies the
    candidates' own conditions and stamps this sweep's token, and return the rows carrying it.
    A row another sweep changed meanwhile no longer matches and is not claimed twice."""
    ids = _claim_ids(candidates)
    if not ids:
        return None
    token = uuid.uuid4()
    candidates.filter(id__in=ids).update(claim_token=token, **changes)
    claimed = candidates.model.objects.filter(claim_token=token)
    if changes and hasattr(candidates.model, "history"):
        # A compare-and-set UPDATE bypasses simple-history: keep the claimed state explicitly.
        record_bulk_history(candidates.model, claimed, reason=f"dispatcher: {', '.join(sorted(changes))}")
    return claimed


def _enqueue_deliveries(notifications: list[Notification], now: datetime) -> None:
    """Email and SMS go out through Celery once this transaction commits."""
    ids = [n.id for n in notifications if n.channel != Notification.Channel.IN_APP]
    if ids:
        Notification.objects.filter(id__in=ids).update(enqueued_at=now)
        # If the broker is down the write still stands; the sweep re-sends it later.
        for notification_id in ids:
            enqueue_on_commit("tracker.tasks.deliver_notification", notification_id)


def _save_notifications(notifications: list[Notification], now: datetime) -> list[Notification]:
    # PostgreSQL and SQLite (3.35+) return the new ids from a bulk insert.
    created = Notification.objects.bulk_create(notifications)
    _enqueue_deliveries(created, now)
    return created


# If every step of a ladder reaches nobody (no nurse on the team, nobody on call), these are told.
FALLBACK_ROLES = ["coordinator", "physician"]


def _notify_reachable(alert: Alert, ladder, recipients: Recipients, now: datetime, assignee: str = ""):
    """Notifications for the alert's current step. A step that reaches nobody climbs at once
    (waiting a full interval to tell nobody helps no one); an empty last step falls back to
    the course's coordinator and treating physician."""
    while True:
        notifications = notifications_for(alert, ladder[alert.level], recipients, now=now, assignee=assignee)
        if notifications:
            return notifications
        if alert.level >= len(ladder) - 1:
            # Log lines name the course's public id only, never the patient (issue 11).
            log.error(
                "Alert %s (course %s): nobody to notify at any step; telling the coordinator and physician",
                alert.public_id,
                alert.course.public_id,
            )
            return notifications_for(alert, FALLBACK_ROLES, recipients, now=now)
        alert.level += 1


# --- Steps ---------------------------------------------------------------------------------------


def mark_missed_check_ins(now: datetime) -> int:
    """Check-ins whose window closed while still open become missed and start escalating."""
    total = 0
    while True:
        with transaction.atomic():
            candidates = CheckIn.objects.filter(
                status__in=[CheckIn.Status.SCHEDULED, CheckIn.Status.DUE], window_closes_at__lt=now
            ).order_by("window_closes_at", "id")
            claim = _claim(candidates, status=CheckIn.Status.MISSED, missed_at=now)
            if claim is None:
                return total
            claimed = list(claim.select_related("rule", "course__patient"))
            Alert.objects.filter(check_in__in=claimed, kind=Alert.Kind.CHECK_IN_DUE).unresolved().update(
                status=Alert.Status.RESOLVED, resolved_at=now, resolution="missed"
            )
            protocols = protocols_for({c.course_id for c in claimed})
            recipients = Recipients({c.course_id for c in claimed}, now=now)
            alerts, notifications = [], []
            for check_in in claimed:
                alert = Alert(
                    course_id=check_in.course_id,
                    kind=Alert.Kind.CHECK_IN_MISSED,
                    urgency=Alert.Urgency.ROUTINE,
                    check_in=check_in,
                    title=f"Missed: {check_in.label} for {check_in.course.patient.full_name}",
                    body=f"{check_in.label} was due at {timezone.localtime(check_in.due_at):%a %d %b %H:%M}; the "
                    f"window closed at {timezone.localtime(check_in.window_closes_at):%H:%M} with nothing recorded.",
                    escalates=True,
                )
                ladder, step = ladder_for(alert, protocols[check_in.course_id])
                alert.next_escalation_at = now + step
                notifications += _notify_reachable(alert, ladder, recipients, now, check_in.assignee_role)
                alerts.append(alert)
            Alert.objects.bulk_create(alerts)
            _save_notifications(notifications, now)
            total += len(claimed)


def notify_due_check_ins(now: datetime) -> int:
    """Check-ins whose window has opened become due, and whoever they are assigned to is told."""
    total = 0
    while True:
        with transaction.atomic():
            candidates = CheckIn.objects.filter(
                status=CheckIn.Status.SCHEDULED, window_opens_at__lte=now, window_closes_at__gte=now
            ).order_by("window_opens_at", "id")
            claim = _claim(candidates, status=CheckIn.Status.DUE, due_notified_at=now)
            if claim is None:
                return total
            claimed = list(claim.select_related("course__patient"))
            recipients = Recipients({c.course_id for c in claimed}, now=now)
            alerts = [
                Alert(
                    course_id=c.course_id,
                    kind=Alert.Kind.CHECK_IN_DUE,
                    urgency=Alert.Urgency.ROUTINE,
                    check_in=c,
                    title=f"Due: {c.label} for {c.course.patient.full_name}",
                    body=f"Due at {timezone.localtime(c.due_at):%a %d %b %H:%M}, "
                    f"by {timezone.localtime(c.window_closes_at):%H:%M}.",
                )
                for c in claimed
            ]
            Alert.objects.bulk_create(alerts)
            notifications = []
            for alert, check_in in zip(alerts, claimed, strict=True):
                notifications += notifications_for(
                    alert, ["assignee"], recipients, now=now, assignee=check_in.assignee_role
                )
            _save_notifications(notifications, now)
            total += len(claimed)


def _threshold_alert(event: ThresholdEvent, recipients: Recipients, protocol, now: datetime) -> list[Notification]:
    patient = event.course.patient
    alert = Alert(
        course=event.course,
        kind=Alert.Kind.THRESHOLD,
        urgency=Alert.Urgency.URGENT,
        threshold_event=event,
        title=f"{event.get_kind_display()}: {patient.full_name} ({patient.mrn})",
        body=event.summary,
        escalates=True,
    )
    ladder, step = ladder_for(alert, protocol)
    alert.next_escalation_at = now + step
    notifications = _notify_reachable(alert, ladder, recipients, now)
    alert.save()
    return notifications


def _tighten_if_recent(event: ThresholdEvent, protocol, now: datetime) -> None:
    """Adaptive cadence: CRS ≥ the protocol's grade or any ICANS ≥ its grade tightens the
    schedule, unless the event is older than the relaxing period (it would relax at once).
    In its own savepoint: a planning failure must not cost the physician the alert."""
    threshold = protocol.tighten_crs_grade if event.syndrome == "crs" else protocol.tighten_icans_grade
    recent = now - event.occurred_at < timedelta(hours=protocol.relax_after_hours)
    if event.grade < threshold or not recent:
        return
    try:
        with transaction.atomic():
            planning.tighten(event.course, reason=event.summary, now=now)
    except Exception:
        log.exception("Could not tighten the schedule of course %s", event.course.public_id)


@acting_as_system(DISPATCHER)
def raise_threshold_alerts(now: datetime, *, event_id: int | None = None) -> int:
    """Each threshold event becomes one urgent alert to the physician (and the bedside nurse),
    and tightens the schedule when it crosses the protocol's threshold."""
    total = 0
    while True:
        with transaction.atomic():
            # NOT EXISTS rather than a LEFT JOIN: PostgreSQL cannot lock rows next to an outer join.
            events = ThresholdEvent.objects.filter(~Exists(Alert.objects.filter(threshold_event=OuterRef("pk"))))
            events = events.order_by("id")
            if event_id is not None:
                events = events.filter(pk=event_id)
            ids = _claim_ids(events)
            if not ids:
                return total
            claimed = list(
                ThresholdEvent.objects.filter(id__in=ids)
                .filter(~Exists(Alert.objects.filter(threshold_event=OuterRef("pk"))))
                .select_related("course__patient")
            )
            protocols = protocols_for({e.course_id for e in claimed})
            recipients = Recipients({e.course_id for e in claimed}, now=now)
            notifications = []
            for event in claimed:
                notifications += _threshold_alert(event, recipients, protocols[event.course_id], now)
            _save_notifications(notifications, now)
            for event in claimed:
                _tighten_if_recent(event, protocols[event.course_id], now)
            total += len(claimed)


def wake_snoozed_alerts(now: datetime) -> int:
    """A snooze that has run out puts the alert back on its ladder, at the next step."""
    return Alert.objects.filter(status=Alert.Status.SNOOZED, snoozed_until__lte=now).update(
        status=Alert.Status.OPEN, next_escalation_at=now, snoozed_until=None
    )


def escalate_alerts(now: datetime) -> int:
    """Unacknowledged alerts climb one step of their ladder (the last step repeats) and notify."""
    total = 0
    while True:
        with transaction.atomic():
            candidates = Alert.objects.filter(
                status=Alert.Status.OPEN, escalates=True, next_escalation_at__lte=now
            ).order_by("next_escalation_at", "id")
            claim = _claim(candidates, round=F("round") + 1, next_escalation_at=None)
            if claim is None:
                return total
            claimed = list(claim.select_related("check_in__rule"))
            protocols = protocols_for({a.course_id for a in claimed})
            recipients = Recipients({a.course_id for a in claimed}, now=now)
            notifications = []
            for alert in claimed:
                ladder, step = ladder_for(alert, protocols[alert.course_id])
                alert.level = min(alert.level + 1, len(ladder) - 1)
                alert.next_escalation_at = now + step
                assignee = alert.check_in.assignee_role if alert.check_in else ""
                notifications += _notify_reachable(alert, ladder, recipients, now, assignee)
                alert.save(update_fields=["level", "next_escalation_at"])
            _save_notifications(notifications, now)
            total += len(claimed)


def relax_tightened_schedules(now: datetime) -> int:
    relaxed = 0
    tightened = CourseSchedule.objects.filter(
        cadence=Cadence.TIGHTENED, course__stage__in=[s.value for s in planning.PLANNED_STAGES]
    )
    for schedule in tightened.select_related("course"):
        relaxed += planning.relax_if_calm(schedule.course, now=now)
    return relaxed


def extend_horizons(now: datetime) -> int:
    """Keep frequent check-ins planned ahead: re-plan courses whose horizon is running out."""
    soon = now + timedelta(hours=12)
    schedules = (
        CourseSchedule.objects.filter(
            course__stage__in=[s.value for s in planning.PLANNED_STAGES], planned_until__lt=soon
        )
        .select_related("course")
        .order_by("planned_until")[:HORIZON_BATCH]
    )
    for schedule in schedules:
        planning.plan_course(schedule.course, now=now)
    return len(schedules)


def redeliver_stale_notifications(now: datetime) -> int:
    """Email/SMS still pending long after being handed to Celery go again (the task is
    idempotent, so a message that was only slow is not sent twice)."""
    with transaction.atomic():
        stale = Notification.objects.filter(
            status__in=[Notification.Status.PENDING, Notification.Status.SENDING],
            channel__in=[Notification.Channel.EMAIL, Notification.Channel.SMS],
            enqueued_at__lt=now - REDELIVER_AFTER,
        )
        ids = _claim_ids(stale)
        # A delivery stuck in 'sending' lost its worker mid-send: it becomes pending again.
        Notification.objects.filter(id__in=ids, status=Notification.Status.SENDING).update(
            status=Notification.Status.PENDING
        )
        _enqueue_deliveries(list(Notification.objects.filter(id__in=ids)), now)
        return len(ids)


STEPS = [
    ("threshold_alerts", raise_threshold_alerts),
    ("missed", mark_missed_check_ins),
    ("due", notify_due_check_ins),
    ("woken", wake_snoozed_alerts),
    ("escalated", escalate_alerts),
    ("relaxed", relax_tightened_schedules),
    ("planned", extend_horizons),
    ("redelivered", redeliver_stale_notifications),
]


@acting_as_system(DISPATCHER)
def run_sweep(now: datetime | None = None) -> dict[str, int | None]:
    """One pass over everything the schedule wants done by now. Safe to run concurrently and
    twice: each step claims what it acts on. A step that fails is logged and the others still
    run, so one bad row cannot stop the dispatcher for every patient."""
    now = (now or timezone.now()).astimezone(UTC)
    counts: dict[str, int | None] = {}
    for name, step in STEPS:
        try:
            counts[name] = step(now)
        except Exception:
            log.exception("Sweep step %s failed; the next sweep tries again", name)
            counts[name] = None
    if any(counts.values()):
        log.info("sweep %s: %s", timezone.localtime(now).strftime("%H:%M:%S"), counts)
    return counts
