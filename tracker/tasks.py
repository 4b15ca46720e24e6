"""Celery tasks: thin wrappers that take ids, call a service, and can run twice safely.

Clinical dates never ride on Celery ``eta``/``countdown``: the schedule is in the database and
``sweep`` (every minute, from CELERY_BEAT_SCHEDULE) finds whatever is due. Tasks enqueued
after a write (a threshold event, a delivery) only make things happen sooner than the next
sweep; if their message is lost, the sweep does the same work.
"""

from celery import shared_task

from tracker.sms import TransientDeliveryError

DELIVERY_RETRIES = 5


@shared_task(acks_late=True, ignore_result=True)
def sweep() -> dict:
    from tracker.services import dispatch

    return dispatch.run_sweep()


@shared_task(acks_late=True, ignore_result=True)
def raise_threshold_alert(event_id: int) -> int:
    """Alert the physician about a threshold event now, rather than at the next sweep."""
    from django.utils import timezone

    from tracker.services import dispatch

    return dispatch.raise_threshold_alerts(timezone.now(), event_id=event_id)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=DELIVERY_RETRIES)
def deliver_notification(self, notification_id: int) -> None:
    """Send one email or SMS. Transient failures are retried with exponential backoff; after
    the last retry the failure is kept on the notification row, where escalation sees it."""
    from tracker.services import alerts

    try:
        alerts.deliver(notification_id)
    except TransientDeliveryError as error:
        if self.request.retries >= self.max_retries:
            alerts.record_final_failure(notification_id, error)
            return
        raise self.retry(exc=error, countdown=min(600, 10 * 2**self.request.retries)) from error


@shared_task(acks_late=True, ignore_result=True)
def replan_course(course_id: int) -> None:
    from tracker.models import TreatmentCourse
    from tracker.services import scheduling

    course = TreatmentCourse.objects.filter(pk=course_id).first()
    if course is not None:
        scheduling.plan_course(course)


@shared_task(acks_late=True, ignore_result=True)
def replan_protocol(protocol_id: int) -> int:
    """After a protocol's rules were edited, re-plan every course that follows it."""
    from tracker.models import CourseSchedule

    course_ids = list(CourseSchedule.objects.filter(protocol_id=protocol_id).values_list("course_id", flat=True))
    for course_id in course_ids:
        replan_course.delay(course_id)
    return len(course_ids)
