"""A new user's first minutes, in a real Chromium against a live server holding the demo
cohort. Two journeys, each on a freshly built demo cohort: every demo role signs in and sees
what that role should and nothing more; and the bedside flow from infusion to an acknowledged
physician alert."""

import pytest
from django.contrib.auth import get_user_model

from demo.cohort import DEMO_PASSWORD, build_demo_cohort
from tests.integration.browser import chromium, screenshot, sign_in
from tracker.clinical.stages import Stage
from tracker.models import Alert, Patient, TreatmentCourse
from tracker.schedule.services import dispatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_cohort(transactional_db):
    build_demo_cohort()
    return TreatmentCourse.objects.count()


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


def test_every_demo_role_signs_in_and_sees_only_what_it_should(live_server, demo_cohort, browser):
    # The coordinator sees the whole programme, styled, and can refer patients.
    page = sign_in(browser, live_server.url, "coordinator", DEMO_PASSWORD)
    assert page.url.endswith("/dashboard/")
    assert page.eval_on_selector("header.top", "e => getComputedStyle(e).backgroundColor") == "rgb(20, 33, 61)"
    assert f"of {demo_cohort} you can see" in page.inner_text("main")
    assert page.locator("text=Refer a patient").count() == 1
    page.click(".pipeline a:has-text('Acute monitoring')")
    assert page.locator("tbody tr").count() == TreatmentCourse.objects.filter(stage=Stage.ACUTE_MONITORING).count()
    screenshot(page, "coordinator-programme")

    # A nurse finds a patient in acute monitoring; nurses do not refer.
    course = TreatmentCourse.objects.filter(stage=Stage.ACUTE_MONITORING).select_related("patient").first()
    page = sign_in(browser, live_server.url, "nurse", DEMO_PASSWORD)
    assert page.locator("text=Refer a patient").count() == 0
    page.fill("#q", course.patient.mrn)
    page.click("button:has-text('Filter')")
    page.click(f"a:has-text('{course.patient.given_name}')")
    assert "Acute monitoring" in page.inner_text("h1")
    assert "Chain of identity confirmed" in page.inner_text("main")
    assert "Monitoring" in page.inner_text("main") and "Schedule" in page.inner_text("main")
    screenshot(page, "nurse-course")

    # The physician lands on the programme.
    page = sign_in(browser, live_server.url, "physician", DEMO_PASSWORD)
    assert page.url.endswith("/dashboard/") and "physician" in page.inner_text("header")

    # The patient sees their own journey and nothing else.
    patient = Patient.objects.get(user__username="patient")
    someone_else = TreatmentCourse.objects.exclude(patient=patient).first()
    page = sign_in(browser, live_server.url, "patient", DEMO_PASSWORD)
    assert page.url.endswith("/my-journey/")
    assert f"Hello, {patient.given_name}" in page.inner_text("h1")
    assert "Coming up" in page.inner_text("main") and "Day +28" in page.inner_text("main")
    screenshot(page, "patient-journey")
    for path in ("/dashboard/", f"/courses/{someone_else.public_id}/", "/alerts/"):
        assert page.goto(live_server.url + path).status == 403
    assert page.goto(live_server.url + "/api/patients/?format=json").json()["count"] == 1


def test_from_infusion_to_an_acknowledged_physician_alert(live_server, demo_cohort, browser):
    # A nurse records an infusion; a mismatched bag label is refused, the right one accepted.
    course = TreatmentCourse.objects.filter(stage=Stage.LYMPHODEPLETION, manufacturing_runs__bags__isnull=False).first()
    run = course.latest_run()
    page = sign_in(browser, live_server.url, "nurse", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/courses/{course.public_id}/infusion/")
    page.fill("#id_dose_value", "2.0")
    page.select_option("#id_dose_unit", "cells_e6_per_kg")
    page.select_option("#id_second_checker", label="Tomasz Nowak")
    page.fill("#id_second_checker_password", DEMO_PASSWORD)
    page.locator("input[id^=id_bag_]").first.fill("COI-NOT-THIS-PATIENT")
    page.click("button:has-text('Confirm identity')")
    assert "Do not infuse" in page.inner_text("main") and run.coi_id not in page.inner_text("main")
    screenshot(page, "infusion-refused")
    page.fill("#id_second_checker_password", DEMO_PASSWORD)
    page.locator("input[id^=id_bag_]").first.fill(run.coi_id)
    page.click("button:has-text('Confirm identity')")
    assert "Infusion recorded: day 0" in page.inner_text("main")
    course.refresh_from_db()
    assert course.stage == Stage.ACUTE_MONITORING and course.check_ins.exists()

    # Later that day: fever, hypotension and oxygen. The grade is computed, not typed.
    page.goto(f"{live_server.url}/courses/{course.public_id}/vital-signs/")
    for field, value in {
        "temperature_value": "38.9",
        "heart_rate": "118",
        "systolic_bp": "84",
        "diastolic_bp": "50",
        "respiratory_rate": "22",
        "spo2": "95",
    }.items():
        page.fill(f"#id_{field}", value)
    page.select_option("#id_oxygen_device", "nasal_cannula")
    page.fill("#id_oxygen_flow_l_min", "3")
    page.click("button:has-text('Save')")
    messages = page.inner_text(".messages")
    assert "CRS grade 2:" in messages and "hypotension" in messages
    screenshot(page, "nurse-crs-grade-2")

    # The dispatcher's sweep turns the event into an urgent alert for the physician, who
    # acknowledges it; the ladder stops.
    dispatch.run_sweep()
    physician = get_user_model().objects.get(username="physician")
    page = sign_in(browser, live_server.url, "physician", DEMO_PASSWORD)
    assert page.locator("#unread-alerts").count() == 1
    page.click("nav a:has-text('Alerts')")
    card = page.locator(".card", has_text=f"CRS grade ≥ 2: {course.patient.full_name}").first
    card.locator("input[name=note]").fill("Tocilizumab ordered")
    card.locator("button:has-text('Acknowledge')").click()
    assert "Acknowledged" in page.inner_text(".messages")
    screenshot(page, "physician-alerts")
    alert = Alert.objects.get(threshold_event__course=course, threshold_event__kind="crs_grade_2_or_more")
    assert (alert.status, alert.acknowledged_by, alert.acknowledgement_note) == (
        "acknowledged",
        physician,
        "Tocilizumab ordered",
    )
    course.schedule.refresh_from_db()
    assert course.schedule.cadence == "tightened"
