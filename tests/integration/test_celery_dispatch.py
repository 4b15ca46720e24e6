"""The dispatcher with real processes: PostgreSQL, a Redis of our own, Celery workers and beats
started as subprocesses (the sweep runs every 2 seconds here instead of every minute).

What they show: a threshold event reaches the physician within one sweep; many check-ins
falling due at once are each notified exactly once with two dispatchers and two workers; and
a worker killed with SIGKILL mid-batch plus a Redis crash lose nothing and duplicate nothing.
"""

import time
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from tests.builders import NORMAL, CourseWalker
from tests.conftest import make_course, make_patient
from tests.integration.processes import SWEEP_SECONDS, CeleryCluster, RedisServer, wait_for
from tracker.bedside import services as bedside_services
from tracker.core.clock import local_moment
from tracker.default_protocol import install_default_protocol
from tracker.models import Alert, CheckIn, Notification

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def cluster(redis, tmp_path, transactional_db):
    install_default_protocol()  # the transactional test database was flushed of migration data
    cluster = CeleryCluster(redis, tmp_path)
    yield cluster
    cluster.stop_all()


def infused_course(staff):
    """A course infused yesterday, walked through the journey services."""
    walker = CourseWalker(
        make_course(make_patient(staff.coordinator.staff_profile.centre, staff.coordinator), staff), staff
    )
    today = timezone.localdate()
    walker.start_eligibility(today - timedelta(days=50))
    walker.confirm_eligible(today - timedelta(days=45))
    walker.collect_and_ship(today - timedelta(days=40))
    walker.release_and_receive(today - timedelta(days=12), today - timedelta(days=10))
    walker.lymphodeplete(today - timedelta(days=6), today - timedelta(days=4))
    walker.infuse(local_moment(today - timedelta(days=1), 10))
    return walker.course


def due_now(courses, per_course: int) -> None:
    """Check-ins whose window is open now, written straight into the schedule."""
    now = timezone.now()
    CheckIn.objects.bulk_create(
        CheckIn(
            course=course,
            kind="vital_signs",
            label="Vital signs",
            plan_key=f"load:{i}",
            due_at=now,
            window_opens_at=now - timedelta(minutes=5),
            window_closes_at=now + timedelta(hours=6),
            assignee_role="nurse",
        )
        for course in courses
        for i in range(per_course)
    )


def load_courses(staff, n: int):
    centre = staff.coordinator.staff_profile.centre
    return [make_course(make_patient(centre, staff.coordinator, mrn=f"LOAD-{i}"), staff) for i in range(n)]


def assert_each_notified_exactly_once(expected_check_ins: int, nurses: int) -> None:
    assert CheckIn.objects.filter(plan_key__startswith="load:").exclude(status="due").count() == 0
    assert Alert.objects.filter(kind="check_in_due").count() == expected_check_ins
    per_alert = Notification.objects.values("alert").annotate(n=Count("id")).values_list("n", flat=True)
    assert set(per_alert) == {nurses}
    duplicates = Notification.objects.values("alert__check_in", "recipient").annotate(n=Count("id")).filter(n__gt=1)
    assert not duplicates.exists()
    assert Notification.objects.count() == expected_check_ins * nurses


def test_fever_with_hypotension_reaches_the_physician_within_one_sweep(cluster, staff, tmp_path):
    course = infused_course(staff)
    cluster.worker("w1")
    cluster.beat("beat1")
    time.sleep(SWEEP_SECONDS + 4)  # let the worker start and a first sweep run
    recorded_at = timezone.now()
    bedside_services.record_vital_signs(
        course=course,
        by=staff.nurse,
        observed_at=recorded_at,
        **{**NORMAL, "temperature_value": "38.9", "systolic_bp": 84, "diastolic_bp": 50},
    )
    alert = wait_for(
        lambda: Alert.objects.filter(
            course=course, kind="threshold", threshold_event__kind="crs_grade_2_or_more"
        ).first(),
        timeout=30,
        what=f"the physician alert\n{cluster.logs()}",
    )
    # Within one sweep: the next beat tick after the recording, plus the worker's latency.
    assert alert.created_at - recorded_at < timedelta(seconds=SWEEP_SECONDS + 3), cluster.logs()
    channels = set(alert.notifications.filter(recipient=staff.physician).values_list("channel", flat=True))
    assert channels == {"in_app", "email", "sms"}
    email = wait_for(
        lambda: alert.notifications.filter(recipient=staff.physician, channel="email", status="sent").first(),
        timeout=30,
        what=f"the email to be delivered by the worker\n{cluster.logs()}",
    )
    assert email.attempts == 1
    assert any("CRS grade" in path.read_text() for path in (tmp_path / "mail").iterdir())
    course.schedule.refresh_from_db()
    assert course.schedule.cadence == "tightened"


def test_a_thousand_check_ins_due_at_once_are_each_notified_once_by_two_dispatchers_and_two_workers(cluster, staff):
    due_now(load_courses(staff, 10), per_course=100)
    workers = [cluster.worker(name) for name in ("w1", "w2")]
    for name in ("beat1", "beat2"):  # two dispatchers, each scheduling the sweep
        cluster.beat(name)
    wait_for(
        lambda: not CheckIn.objects.filter(plan_key__startswith="load:", status="scheduled").exists(),
        timeout=120,
        what=f"all 1,000 check-ins to be notified\n{cluster.logs()}",
    )
    time.sleep(SWEEP_SECONDS * 2)  # more sweeps run: they must find nothing left to do
    assert_each_notified_exactly_once(1000, nurses=2)
    assert all("tracker.tasks.sweep" in worker.output() for worker in workers), cluster.logs()  # both swept


def test_a_worker_killed_mid_batch_and_a_redis_crash_lose_nothing_and_duplicate_nothing(cluster, staff, redis):
    total = 3000
    due_now(load_courses(staff, 30), per_course=total // 30)
    doomed = cluster.worker("doomed")
    cluster.beat("beat1")

    def some_but_not_all_done():
        done = CheckIn.objects.filter(plan_key__startswith="load:", status="due").count()
        return 0 < done < total

    wait_for(some_but_not_all_done, timeout=90, interval=0.02, what=f"the first batches\n{cluster.logs()}")
    doomed.kill()  # SIGKILL to the worker's whole process group, mid-sweep
    done_at_kill = CheckIn.objects.filter(plan_key__startswith="load:", status="due").count()
    assert done_at_kill < total
    redis.kill()  # queued messages are gone
    redis.start()
    cluster.worker("survivor")
    wait_for(
        lambda: not CheckIn.objects.filter(plan_key__startswith="load:", status="scheduled").exists(),
        timeout=180,
        what=f"the rest to be notified after the crash\n{cluster.logs()}",
    )
    time.sleep(SWEEP_SECONDS * 2)
    assert_each_notified_exactly_once(total, nurses=2)
