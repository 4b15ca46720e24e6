"""Celery tasks: thin wrappers that take ids, call a service, and can run twice safely.

Clinical dates never ride on Celery ``eta``/``countdown``: the schedule is in the database and
``sweep`` (every minute, from CELERY_BEAT_SCHEDULE) finds whatever is due. Tasks enqueued
after a write (a threshold event, a delivery) only make things happen sooner than the next
sweep; if their message is lost, the sweep does the same work.

Each task carries its ``name=``: queued messages and the beat schedule address tasks by name,
and services enqueue them by name (``tracker.core.queue``), so the names are a contract that
outlives any move of this module. Imports go one way only: tasks import services.
"""

from celery import shared_task
from django.utils import timezone

from tracker.core.audit import DISPATCHER, acting_as_system
from tracker.models import CourseSchedule, TreatmentCourse
from tracker.schedule.services import delivery, dispatch, planning
from tracker.schedule.sms import TransientDeliveryError

DELIVERY_RETRIES = 5


@shared_task(name="tracker.tasks.sweep", acks_late=True, ignore_result=True)
def sweep() -> dict:
    return dispatch.run_sweep()


@shared_task(name="tracker.tasks.raise_threshold_alert", acks_late=True, ignore_result=True)
def raise_threshold_alert(event_id: int) -> int:
    """Alert the physician about a threshold event now, rather than at the next sweep."""
    return dispatch.raise_threshold_alerts(timezone.now(), event_id=event_id)


@shared_task(
    name="tracker.tasks.deliver_notification",
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=DELIVERY_RETRIES,
)
def deliver_notification(self, notification_id: int) -> None:
    """Send one email or SMS. Transient failures are retried with exponential backoff; after
    the last retry the failure is kept on the notification row, where escalation sees it."""
    try:
        delivery.deliver(notification_id)
    except TransientDeliveryError as error:
        if self.request.retries >= self.max_retries:
            delivery.record_final_failure(notification_id, error)
            return
        raise self.retry(exc=error, countdown=min(600, 10 * 2**self.request.retries)) from error


@shared_task(name="tracker.tasks.replan_course", acks_late=True, ignore_result=True)
def replan_course(course_id: int) -> None:
    course = TreatmentCourse.objects.filter(pk=course_id).first()
    if course is not None:
        with acting_as_system(DISPATCHER):
            planning.plan_course(course)


@shared_task(name="tracker.tasks.replan_protocol", acks_late=True, ignore_result=True)
def replan_protocol(protocol_id: int) -> int:
    """After a protocol's rules were edited, re-plan every course that follows it."""
    course_ids = list(CourseSchedule.objects.filter(protocol_id=protocol_id).values_list("course_id", flat=True))
    for course_id in course_ids:
        replan_course.delay(course_id)
    return len(course_ids)
