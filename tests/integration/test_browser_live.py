"""In a real Chromium: the live grade on the vital-signs form before saving, and every main
staff page at phone width (390 px) without sideways scrolling, its menu tappable."""

import pytest
from django.db.models import Count
from django.urls import reverse

from demo.cohort import DEMO_PASSWORD, build_demo_cohort
from tests.integration.browser import chromium, screenshot
from tracker.clinical.stages import Stage
from tracker.models import Alert, TreatmentCourse, VitalSigns

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def demo_cohort(transactional_db):
    build_demo_cohort()


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


def signed_in(browser, base_url, username, viewport):
    page = browser.new_page(viewport=viewport)
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def test_the_nurse_sees_crs_grade_2_and_its_reason_before_saving(live_server, demo_cohort, browser):
    course = TreatmentCourse.objects.filter(stage=Stage.ACUTE_MONITORING).first()
    before = VitalSigns.objects.filter(course=course).count()
    alerts_before = Alert.objects.filter(course=course).count()
    page = signed_in(browser, live_server.url, "nurse", DESKTOP)
    page.goto(live_server.url + reverse("record_vitals", args=[course.public_id]))
    page.fill("#id_temperature_value", "39.1")
    page.fill("#id_systolic_bp", "82")
    page.fill("#id_diastolic_bp", "48")
    preview = page.locator("#grade-preview")
    preview.locator("text=CRS grade 2").wait_for(timeout=10_000)
    assert "hypotension" in preview.inner_text().lower()
    assert VitalSigns.objects.filter(course=course).count() == before  # nothing saved yet
    assert Alert.objects.filter(course=course).count() == alerts_before
    screenshot(page, "live-preview-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "live-preview-phone")


STAFF_PAGES = ["dashboard", "ward", "work_list", "milestones", "alerts", "refer_patient"]


def test_every_main_staff_page_fits_a_phone_and_its_menu_can_be_tapped(live_server, demo_cohort, browser):
    course = (
        TreatmentCourse.objects.filter(stage=Stage.ACUTE_MONITORING)
        .annotate(readings=Count("vital_signs"))
        .order_by("-readings")
        .first()
    )
    urls = [reverse(name) for name in STAFF_PAGES] + [
        reverse("course_detail", args=[course.public_id]),
        reverse("record_vitals", args=[course.public_id]),
        reverse("record_neuro", args=[course.public_id]),
    ]
    for viewport, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = signed_in(browser, live_server.url, "coordinator", viewport)
        for index, url in enumerate(urls):
            page.goto(live_server.url + url)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{url} scrolls sideways at {label} width ({width} px)"
            screenshot(page, f"{label}-{index:02d}-{url.strip('/').split('/')[-1] or 'course'}")
        if viewport is PHONE:
            page.goto(live_server.url + reverse("ward"))
            programme = page.locator("#site-nav a:has-text('Programme')")
            assert not programme.is_visible()
            page.click(".nav-toggle")
            screenshot(page, "phone-menu-open")
            programme.click()
            page.wait_for_load_state()
            assert page.url.endswith(reverse("dashboard"))


def test_the_patient_reports_a_fever_at_home_on_a_phone_and_is_told_to_call(live_server, demo_cohort, browser):
    page = signed_in(browser, live_server.url, "patient", PHONE)
    screenshot(page, "phone-patient-journey")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("text=Home check-in")
    page.fill("#id_temperature_c", "38.4")
    page.click("button:has-text('Send')")
    page.wait_for_load_state()
    assert "Call the centre now" in page.inner_text("main")
    assert "+44 20 7946 0999" in page.inner_text("main")
    screenshot(page, "phone-patient-call-now")
