"""A new user's first minutes, in a real Chromium against a live server holding the demo
cohort: each demo role signs in and sees what that role should, and nothing more."""

import pytest

from tests.integration.browser import chromium, screenshot, sign_in
from tracker.demo_cohort import DEMO_PASSWORD, build_demo_cohort
from tracker.journey import Stage
from tracker.models import Patient, TreatmentCourse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_cohort(transactional_db):
    build_demo_cohort()
    return TreatmentCourse.objects.count()


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


def test_coordinator_sees_the_whole_programme(live_server, demo_cohort, browser):
    page = sign_in(browser, live_server.url, "coordinator", DEMO_PASSWORD)
    assert page.url.endswith("/dashboard/")
    # The stylesheet loaded: the header has its dark background, not the browser default.
    assert page.eval_on_selector("header.top", "e => getComputedStyle(e).backgroundColor") == "rgb(20, 33, 61)"
    assert f"of {demo_cohort} you can see" in page.inner_text("main")
    assert page.locator("text=Refer a patient").count() == 1
    page.click(".pipeline a:has-text('Acute monitoring')")
    acute = TreatmentCourse.objects.filter(stage=Stage.ACUTE_MONITORING).count()
    assert page.locator("tbody tr").count() == acute
    screenshot(page, "coordinator-programme")


def test_nurse_opens_a_patient_in_acute_monitoring(live_server, demo_cohort, browser):
    course = TreatmentCourse.objects.filter(stage=Stage.ACUTE_MONITORING).select_related("patient").first()
    page = sign_in(browser, live_server.url, "nurse", DEMO_PASSWORD)
    assert page.locator("text=Refer a patient").count() == 0  # nurses do not refer
    page.fill("#q", course.patient.mrn)
    page.click("button:has-text('Filter')")
    page.click(f"a:has-text('{course.patient.given_name}')")
    assert "Acute monitoring" in page.inner_text("h1")
    assert "Chain of identity confirmed" in page.inner_text("main")
    screenshot(page, "nurse-course")


def test_physician_signs_in_to_the_programme(live_server, demo_cohort, browser):
    page = sign_in(browser, live_server.url, "physician", DEMO_PASSWORD)
    assert page.url.endswith("/dashboard/")
    assert "physician" in page.inner_text("header")


def test_patient_sees_their_own_timeline_and_nothing_else(live_server, demo_cohort, browser):
    patient = Patient.objects.get(user__username="patient")
    someone_else = TreatmentCourse.objects.exclude(patient=patient).first()
    page = sign_in(browser, live_server.url, "patient", DEMO_PASSWORD)
    assert page.url.endswith("/my-journey/")
    assert f"Hello, {patient.given_name}" in page.inner_text("h1")
    assert "Infusion" in page.inner_text("main")
    screenshot(page, "patient-journey")
    for path in ("/dashboard/", f"/courses/{someone_else.public_id}/", "/api/patients/?format=json"):
        response = page.goto(live_server.url + path)
        if path.startswith("/api/"):
            assert response.json()["count"] == 1
        else:
            assert response.status == 403


def test_nurse_records_an_infusion_with_a_second_checker_in_the_browser(live_server, demo_cohort, browser):
    course = TreatmentCourse.objects.filter(stage=Stage.LYMPHODEPLETION, manufacturing_runs__bags__isnull=False).first()
    run = course.latest_run()
    page = sign_in(browser, live_server.url, "nurse", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/courses/{course.public_id}/infusion/")
    page.fill("#id_dose_value", "2.0")
    page.select_option("#id_dose_unit", "cells_e6_per_kg")
    page.select_option("#id_second_checker", label="Tomasz Nowak")
    page.fill("#id_second_checker_password", DEMO_PASSWORD)
    bag_field = page.locator("input[id^=id_bag_]").first
    bag_field.fill("COI-NOT-THIS-PATIENT")
    page.click("button:has-text('Confirm identity')")
    assert "Do not infuse" in page.inner_text("main")
    screenshot(page, "infusion-refused")
    page.fill("#id_second_checker_password", DEMO_PASSWORD)
    page.locator("input[id^=id_bag_]").first.fill(run.coi_id)
    page.click("button:has-text('Confirm identity')")
    assert "Infusion recorded: day 0" in page.inner_text("main")
    course.refresh_from_db()
    assert course.stage == Stage.ACUTE_MONITORING


def test_nurse_records_vital_signs_and_sees_the_computed_grade(live_server, demo_cohort, browser):
    course = TreatmentCourse.objects.filter(stage=Stage.ACUTE_MONITORING, patient__user__isnull=True).first()
    page = sign_in(browser, live_server.url, "nurse", DEMO_PASSWORD)
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


def test_physician_acknowledges_an_urgent_alert(live_server, demo_cohort, browser, nurse_records_crs_2):
    page = sign_in(browser, live_server.url, "physician", DEMO_PASSWORD)
    assert page.locator("#unread-alerts").count() == 1
    page.click("nav a:has-text('Alerts')")
    card = page.locator(".card", has_text="CRS grade ≥ 2").first
    card.locator("input[name=note]").fill("Tocilizumab ordered")
    card.locator("button:has-text('Acknowledge')").click()
    assert "Acknowledged" in page.inner_text(".messages")
    screenshot(page, "physician-alerts")
    alert = nurse_records_crs_2.threshold_events.get(kind="crs_grade_2_or_more").alert
    assert (alert.status, alert.acknowledgement_note) == ("acknowledged", "Tocilizumab ordered")


@pytest.fixture
def nurse_records_crs_2(demo_cohort):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tracker import services
    from tracker.services import dispatch

    course = TreatmentCourse.objects.filter(stage=Stage.ACUTE_MONITORING, patient__user__isnull=True).last()
    services.record_vital_signs(
        course=course,
        by=get_user_model().objects.get(username="nurse"),
        observed_at=timezone.now(),
        temperature_value="39.0",
        heart_rate=120,
        systolic_bp=82,
        diastolic_bp=48,
        respiratory_rate=22,
        spo2=96,
    )
    dispatch.run_sweep()
    return course
