"""The schedule and alerts through the pages and the API."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.builders import T0, CourseWalker, walk_and_infuse
from tests.conftest import make_course
from tracker.models import Alert, CheckIn
from tracker.schedule.services import dispatch


def at(hours: float):
    return T0 + timedelta(hours=hours)


@pytest.fixture
def infused(walker, time_machine):
    time_machine.move_to(T0 + timedelta(minutes=30), tick=False)
    course = walk_and_infuse(walker)
    time_machine.move_to(at(5.05), tick=False)
    dispatch.run_sweep(at(5.05))  # the 14:00 vital signs are missed, the 16:00 ones not yet due
    return course


def test_the_alerts_inbox_shows_my_missed_check_in_and_i_acknowledge_it(client, nurse, infused):
    client.force_login(nurse)
    page = client.get(reverse("alerts")).content.decode()
    assert "Missed: Vital signs for Ada Lovelace" in page
    alert = Alert.objects.get(kind="check_in_missed")
    response = client.post(reverse("acknowledge_alert", args=[alert.public_id]), {"note": "Done now"}, follow=True)
    assert "Acknowledged" in response.content.decode()
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by, alert.acknowledgement_note) == ("acknowledged", nurse, "Done now")


def test_the_header_counts_unread_alerts(client, nurse, infused):
    client.force_login(nurse)
    assert 'id="unread-alerts">1<' in client.get(reverse("dashboard")).content.decode()
    client.get(reverse("alerts"))  # reading the inbox marks them read
    assert 'id="unread-alerts"' not in client.get(reverse("dashboard")).content.decode()


def test_snoozing_needs_a_reason(client, nurse, infused):
    client.force_login(nurse)
    alert = Alert.objects.get(kind="check_in_missed")
    response = client.post(
        reverse("snooze_alert", args=[alert.public_id]), {"minutes": "30", "reason": ""}, follow=True
    )
    assert "give a reason" in response.content.decode()
    client.post(reverse("snooze_alert", args=[alert.public_id]), {"minutes": "30", "reason": "With the physio"})
    alert.refresh_from_db()
    assert alert.status == "snoozed" and alert.snooze_reason == "With the physio"


def test_another_centre_cannot_acknowledge(client, other_centre_nurse, infused):
    client.force_login(other_centre_nurse)
    alert = Alert.objects.get(kind="check_in_missed")
    assert client.post(reverse("acknowledge_alert", args=[alert.public_id])).status_code == 404


def test_the_work_list_shows_my_roles_open_check_ins_and_completes_with_a_note(
    client, coordinator, physician, infused, time_machine
):
    review = infused.check_ins.filter(kind="crs_review").order_by("due_at").first().pk  # tomorrow 09:00
    time_machine.move_to(at(23.5), tick=False)
    dispatch.run_sweep(at(23.5))
    client.force_login(physician)
    page = client.get(reverse("work_list")).content.decode()
    assert "Daily CRS/ICANS review" in page and "Vital signs" not in page.split("Next four hours")[0]
    check_in = CheckIn.objects.get(pk=review)
    client.post(reverse("complete_check_in", args=[check_in.public_id]), {"note": "Ward round: well"})
    check_in.refresh_from_db()
    assert (check_in.status, check_in.completion_note) == ("completed", "Ward round: well")


def test_the_course_page_shows_the_schedule_in_constant_queries(client, nurse, infused, time_machine):
    client.force_login(nurse)
    url = reverse("course_detail", args=[infused.public_id])
    with CaptureQueriesContext(connection) as early:
        body = client.get(url).content.decode()
    assert "Schedule" in body and "Missed" in body and "Day +28: Response assessment" in body
    for hours in (9.05, 13.05, 17.05, 21.05):
        time_machine.move_to(at(hours), tick=False)
        dispatch.run_sweep(at(hours))
    client.force_login(nurse)  # the session from 16 hours ago has expired
    with CaptureQueriesContext(connection) as later:
        client.get(url)
    assert len(later.captured_queries) == len(early.captured_queries)


def test_the_patient_sees_their_upcoming_appointments_and_label_restrictions(client, patient_user, infused):
    client.force_login(patient_user)
    page = client.get(reverse("my_journey")).content.decode()
    assert "Day +28: Check-up: how well the treatment is working" in page
    assert "CIBMTR" not in page and "Vital signs" not in page
    assert "Stay within about 2 hours of your treatment centre until Monday 30 March" in page
    assert "Do not drive" in page


def test_api_lists_and_completes_check_ins_and_acknowledges_alerts(client, nurse, coordinator, infused):
    client.force_login(nurse)
    missed = client.get("/api/check-ins/?status=missed").json()
    assert missed["count"] == 1 and missed["results"][0]["kind"] == "vital_signs"
    alerts = client.get("/api/alerts/").json()
    assert [a["kind"] for a in alerts["results"]] == ["check_in_missed"]
    alert_id = alerts["results"][0]["id"]
    snoozed = client.post(
        f"/api/alerts/{alert_id}/snooze/", {"minutes": 20, "reason": "Patient asleep"}, content_type="application/json"
    )
    assert snoozed.status_code == 200 and snoozed.json()["status"] == "snoozed"
    acked = client.post(f"/api/alerts/{alert_id}/acknowledge/", {"note": "Done"}, content_type="application/json")
    assert acked.json()["status"] == "acknowledged"
    client.force_login(coordinator)
    scan = CheckIn.objects.get(plan_key="remission_scan:Day +28")
    response = client.post(f"/api/check-ins/{scan.public_id}/complete/", {"note": ""}, content_type="application/json")
    assert response.status_code == 400


def test_api_check_ins_are_scoped_to_visible_patients(client, other_centre_nurse, infused):
    client.force_login(other_centre_nurse)
    assert client.get("/api/check-ins/").json()["count"] == 0
    assert client.get("/api/alerts/?scope=all").json()["count"] == 0


def test_the_inbox_shows_only_the_current_round_and_costs_the_same_after_a_night_of_escalations(client, nurse, infused):
    client.force_login(nurse)
    with CaptureQueriesContext(connection) as early:
        client.get(reverse("alerts"))
    for minutes in range(15, 8 * 60, 15):  # nobody acknowledges for eight hours
        dispatch.run_sweep(at(5.05) + timedelta(minutes=minutes))
    client.force_login(nurse)
    with CaptureQueriesContext(connection) as late:
        page = client.get(reverse("alerts"), {"scope": "all"}).content.decode()
    assert len(late.captured_queries) == len(early.captured_queries)
    first = Alert.objects.filter(kind="check_in_missed").order_by("id").first()
    assert first.round > 25  # the first missed round's ladder kept climbing all night
    missed_open = Alert.objects.filter(kind="check_in_missed", status="open").count()
    # The physician at the top of each ladder appears once per open alert: the current round only.
    assert page.count("Phyllis Ician (") == missed_open


# --- Label conditions (docs/clinical-rules.md §6.6) ---------------------------------------------


def test_the_course_page_shows_the_label_conditions_ending_14_full_days_after_infusion(client, nurse, infused):
    client.force_login(nurse)
    page = client.get(reverse("course_detail", args=[infused.public_id])).content.decode()
    conditions = page.split('id="label-conditions">')[1].split("</p>")[0]
    assert "label of 26 Jun 2025" in conditions
    # Infused 10:00 GMT on 16 March; 14 × 24 hours later is 11:00 BST on 30 March.
    assert "stay near the centre until Mon 30 Mar 2026 11:00" in conditions
    assert "no driving until Mon 30 Mar 2026 11:00" in conditions
    assert "No label data" not in page


def test_the_patient_sees_when_each_restriction_ends_to_the_hour(client, patient_user, infused):
    client.force_login(patient_user)
    page = client.get(reverse("my_journey")).content.decode()
    assert "Stay within about 2 hours of your treatment centre until Monday 30 March, 11:00." in page
    assert "Do not drive or operate heavy machinery until Monday 30 March, 11:00." in page
    assert "confirm how long" not in page


def test_a_product_without_label_data_gets_the_most_cautious_conditions_and_a_flag_for_the_physician(
    client, physician, patient, patient_user, staff, time_machine
):
    time_machine.move_to(T0 + timedelta(minutes=30), tick=False)
    course = make_course(patient, staff, product="obe_cel", diagnosis="b_all")
    walk_and_infuse(CourseWalker(course, staff))
    client.force_login(physician)
    page = client.get(reverse("course_detail", args=[course.public_id])).content.decode()
    assert "<strong>No label data</strong> for Obecabtagene autoleucel (Aucatzyl)" in page
    assert "stay near the centre until Mon 30 Mar 2026 11:00" in page  # the 2025 labels' two weeks
    client.force_login(patient_user)
    journey = client.get(reverse("my_journey")).content.decode()
    assert "Stay within about 2 hours of your treatment centre until Monday 30 March, 11:00." in journey
    assert "Your care team will confirm how long these apply for your treatment." in journey
    assert "No label data" not in journey
