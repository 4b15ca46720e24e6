"""Audit complete: every history row names a user (system actions a named system user);
threshold events, notifications and episodes keep history; episodes are versioned, never
deleted; every view of a chart is in the patient's access log, shown to coordinators."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from tests.bedside.test_bedside_services import at
from tests.builders import NORMAL, infuse, vitals
from tracker.accounts.services import create_patient_login
from tracker.bedside import services as bedside_services
from tracker.core.audit import DISPATCHER, SYSTEM
from tracker.models import ChartAccess, ThresholdEvent, ToxicityEpisode
from tracker.schedule.services import planning
from tracker.schedule.services.dispatch import run_sweep


def history_models():
    return [m for m in apps.get_app_config("tracker").get_models() if m.__name__.startswith("Historical")]


def rows_without_a_user():
    return {
        m.__name__: m.objects.filter(history_user__isnull=True).count()
        for m in history_models()
        if hasattr(m, "history_user") and m.objects.filter(history_user__isnull=True).exists()
    }


@pytest.fixture
def infused(walker, frozen_now):
    return infuse(walker)


def test_every_history_row_names_a_user_after_recording_and_dispatching(infused, nurse, patient, time_machine):
    vitals(infused, nurse, at(1, 8), temperature_value="38.9", systolic_bp=84, diastolic_bp=50)
    create_patient_login(patient=patient, username="ada", password="pw")
    time_machine.shift(timedelta(days=2))
    run_sweep()
    assert rows_without_a_user() == {}


def test_the_dispatchers_writes_are_attributed_to_the_dispatcher(infused, nurse, time_machine):
    vitals(infused, nurse, at(1, 8), temperature_value="38.9", systolic_bp=84, diastolic_bp=50)
    time_machine.shift(timedelta(days=2))
    run_sweep()
    alert_history = apps.get_model("tracker", "HistoricalAlert").objects.select_related("history_user")
    assert {row.history_user.username for row in alert_history} == {DISPATCHER}
    check_in_history = apps.get_model("tracker", "HistoricalCheckIn").objects.filter(history_type="~")
    assert check_in_history.filter(history_user__username=DISPATCHER).exists()


def test_a_write_outside_any_request_or_service_user_is_the_application(patient):
    fresh = type(patient).objects.get(pk=patient.pk)
    fresh.save()
    assert fresh.history.latest().history_user.username == SYSTEM
    assert not fresh.history.latest().history_user.is_active


def test_threshold_events_and_episodes_keep_history(infused, nurse):
    vitals(infused, nurse, at(1, 8), temperature_value="38.9", systolic_bp=84, diastolic_bp=50)
    event = ThresholdEvent.objects.filter(course=infused).first()
    assert event.history.get().history_user == nurse
    episode = ToxicityEpisode.objects.get(course=infused)
    assert episode.history.get().history_user == nurse


def test_an_episode_is_updated_in_place_with_history_not_deleted_and_rebuilt(infused, nurse):
    vitals(infused, nurse, at(1, 8), temperature_value="38.3")
    episode = ToxicityEpisode.objects.get(course=infused)
    vitals(infused, nurse, at(1, 14), temperature_value="38.9", systolic_bp=84, diastolic_bp=50)
    same = ToxicityEpisode.objects.get(course=infused)
    assert same.pk == episode.pk and same.max_grade == 2
    assert [h.max_grade for h in same.history.order_by("history_id")] == [1, 2]


def test_an_episode_an_amendment_undoes_is_retracted_not_deleted(infused, nurse):
    fever = vitals(infused, nurse, at(1, 8), temperature_value="38.3").observation
    episode = ToxicityEpisode.objects.get(course=infused)
    bedside_services.amend_vital_signs(original=fever, by=nurse, reason="thermometer fault", **NORMAL)
    assert not ToxicityEpisode.objects.filter(course=infused).exists()
    kept = ToxicityEpisode.all_versions.get(pk=episode.pk)
    assert kept.retracted_at is not None
    latest = kept.history.latest()
    assert latest.history_user == nurse and "no longer derived" in latest.history_change_reason


def test_viewing_a_chart_as_the_nurse_appears_in_that_patients_access_log(client, course, nurse, coordinator):
    client.force_login(nurse)
    client.get(reverse("course_detail", args=[course.public_id]), REMOTE_ADDR="10.1.2.3")
    access = ChartAccess.objects.get(patient=course.patient)
    assert (access.user, access.what, access.ip_address) == (nurse, "course_page", "10.1.2.3")

    client.force_login(coordinator)
    page = client.get(reverse("course_audit", args=[course.public_id])).content.decode()
    assert 'id="access-log"' in page and "10.1.2.3" in page and "Course page" in page


def test_the_access_log_is_shown_to_coordinators_only(client, course, nurse):
    client.force_login(nurse)
    page = client.get(reverse("course_audit", args=[course.public_id])).content.decode()
    assert 'id="access-log"' not in page


def test_api_reads_of_a_course_and_a_patient_are_logged(client, course, nurse):
    client.force_login(nurse)
    assert client.get(f"/api/v1/courses/{course.public_id}/").status_code == 200
    assert client.get(f"/api/v1/patients/{course.patient.public_id}/").status_code == 200
    assert set(ChartAccess.objects.filter(user=nurse).values_list("what", flat=True)) == {"api_course", "api_patient"}


def test_the_patients_own_timeline_is_logged(client, patient_user, course):
    client.force_login(patient_user)
    client.get(reverse("my_journey"))
    assert ChartAccess.objects.filter(user=patient_user, what="own_timeline").exists()


def test_a_refused_view_of_another_centres_chart_is_not_logged_as_a_view(client, course, other_centre_nurse):
    client.force_login(other_centre_nurse)
    assert client.get(reverse("course_detail", args=[course.public_id])).status_code == 404
    assert not ChartAccess.objects.exists()


def test_a_coordinator_exports_the_audit_trail_and_access_log_as_csv(client, course, nurse, coordinator):
    client.force_login(nurse)
    client.get(reverse("course_detail", args=[course.public_id]))
    assert client.get(reverse("course_audit_export", args=[course.public_id])).status_code == 403
    client.force_login(coordinator)
    response = client.get(reverse("course_audit_export", args=[course.public_id]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "when,who,kind,record,changes,reason"
    assert any(",coord,created," in line for line in lines)
    assert any(",nurse,viewed,Course page," in line for line in lines)
    assert ChartAccess.objects.filter(user=coordinator, what="audit_export").exists()


def test_planned_moved_and_cancelled_check_ins_keep_history(infused, staff):
    check_ins = infused.check_ins.all()
    created = apps.get_model("tracker", "HistoricalCheckIn").objects.filter(history_type="+")
    assert created.count() == check_ins.count() > 0
    planning.cancel_open_check_ins(infused, reason="withdrawn", now=timezone.now())
    cancelled = apps.get_model("tracker", "HistoricalCheckIn").objects.filter(
        history_change_reason__contains="withdrawn"
    )
    assert cancelled.exists() and not cancelled.filter(history_user__isnull=True).exists()
