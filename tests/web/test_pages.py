"""The journey pages: what they show, the forms that write, and a fixed query count."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.builders import CourseWalker
from tests.conftest import make_course, make_patient
from tracker.bedside import services as bedside_services
from tracker.clinical.stages import Stage
from tracker.core.clock import local_moment
from tracker.models import Infusion, TreatmentCourse


@pytest.fixture(autouse=True)
def _clock(frozen_now):
    return frozen_now


def walk_to_lymphodepletion(walker: CourseWalker):
    walker.start_eligibility(date(2025, 12, 3))
    walker.confirm_eligible(date(2025, 12, 8))
    walker.collect_and_ship(date(2025, 12, 15))
    walker.release_and_receive(date(2026, 1, 2), date(2026, 1, 5))
    walker.lymphodeplete(date(2026, 1, 7), date(2026, 1, 9))


def cohort(centre, staff, n):
    for i in range(n):
        patient = make_patient(centre, staff.coordinator, mrn=f"Q{i:03d}", family=f"Family{i:03d}")
        course = make_course(patient, staff)
        if i % 2:
            walk_to_lymphodepletion(CourseWalker(course, staff))


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_costs_the_same_queries_for_1_or_20_courses(client, centre, staff):
    cohort(centre, staff, 1)
    client.force_login(staff.coordinator)
    few = count_queries(client, reverse("dashboard"))
    cohort_more = 19
    for i in range(cohort_more):
        patient = make_patient(centre, staff.coordinator, mrn=f"R{i:03d}", family=f"More{i:03d}")
        make_course(patient, staff)
    many = count_queries(client, reverse("dashboard"))
    assert few == many


def test_course_page_costs_the_same_queries_however_long_the_journey(client, walker, staff, centre):
    client.force_login(staff.coordinator)
    walk_to_lymphodepletion(walker)
    walker.infuse(local_moment(date(2026, 1, 12), 10))
    one_of_everything = count_queries(client, reverse("course_detail", args=[walker.course.public_id]))

    # A second course with twice the records: a failed run, a second collection and run, bridging.
    longer = CourseWalker(make_course(make_patient(centre, staff.coordinator, mrn="L-2"), staff), staff)
    longer.start_eligibility(date(2025, 12, 3))
    longer.confirm_eligible(date(2025, 12, 8))
    longer.collect_and_ship(date(2025, 12, 10), bags=2)
    longer.bridge(date(2025, 12, 11))
    longer.fail_run()
    longer.recollect(date(2025, 12, 20))
    longer.collect_and_ship(date(2025, 12, 21), bags=3)
    longer.bridge(date(2025, 12, 22), agents="Dexamethasone")
    longer.release_and_receive(date(2026, 1, 2), date(2026, 1, 5), bags=2)
    longer.lymphodeplete(date(2026, 1, 7), date(2026, 1, 9))
    longer.infuse(local_moment(date(2026, 1, 12), 10))
    assert count_queries(client, reverse("course_detail", args=[longer.course.public_id])) == one_of_everything


def test_api_course_list_costs_the_same_queries_for_1_or_10_courses(client, centre, staff):
    cohort(centre, staff, 1)
    client.force_login(staff.coordinator)
    few = count_queries(client, "/api/courses/")
    cohort(centre, staff, 0)
    for i in range(9):
        make_course(make_patient(centre, staff.coordinator, mrn=f"A{i}", family=f"Api{i}"), staff)
    assert count_queries(client, "/api/courses/") == few


def test_dashboard_filters_by_stage_and_search(client, centre, staff):
    cohort(centre, staff, 4)
    client.force_login(staff.coordinator)
    body = client.get(reverse("dashboard"), {"stage": "lymphodepletion"}).content.decode()
    assert "FAMILY001" in body and "FAMILY000" not in body
    body = client.post(reverse("dashboard"), {"q": "Q002"}, follow=True).content.decode()
    assert "FAMILY002" in body and "FAMILY003" not in body


def test_a_search_puts_no_name_or_mrn_in_the_url(client, centre, staff):
    cohort(centre, staff, 4)
    client.force_login(staff.coordinator)
    response = client.post(reverse("dashboard"), {"q": "FAMILY002", "stage": "active"})
    assert response.status_code == 302
    assert "FAMILY" not in response["Location"] and "s=" in response["Location"]
    # The query string alone no longer searches.
    body = client.get(reverse("dashboard"), {"q": "Q002"}).content.decode()
    assert "FAMILY003" in body


def test_course_page_shows_day_numbers_and_vein_to_vein(client, walker, staff):
    walk_to_lymphodepletion(walker)
    walker.infuse(local_moment(date(2026, 1, 12), 10))
    client.force_login(staff.nurse)
    body = client.get(reverse("course_detail", args=[walker.course.public_id])).content.decode()
    assert "day \u22125" in body  # lymphodepletion start, 7 Jan
    assert "28 days" in body  # collected 15 Dec, infused 12 Jan


def test_coordinator_refers_a_patient_through_the_form(client, coordinator, physician):
    client.force_login(coordinator)
    response = client.post(
        reverse("refer_patient"),
        {
            "patient-mrn": "NEW-1",
            "patient-given_name": "Iris",
            "patient-family_name": "Newton",
            "patient-born_on": "1980-02-29",
            "patient-sex": "female",
            "patient-weight_kg": "61.5",
            "course-referred_on": "2026-03-10",
            "course-diagnosis": "lbcl",
            "course-product": "axi_cel",
            "course-target_antigens": ["CD19"],
            "course-antigen_construct": "single",
            "course-treating_physician": physician.pk,
        },
    )
    course = TreatmentCourse.objects.get(patient__mrn="NEW-1")
    assert response.status_code == 302 and str(course.public_id) in response["Location"]
    assert course.coordinator == coordinator and course.stage == Stage.REFERRAL


def test_referral_with_a_duplicate_mrn_shows_the_error_and_saves_nothing(client, coordinator, physician, patient):
    client.force_login(coordinator)
    response = client.post(
        reverse("refer_patient"),
        {
            "patient-mrn": patient.mrn,
            "patient-given_name": "Dup",
            "patient-family_name": "Licate",
            "patient-born_on": "1980-01-01",
            "patient-sex": "male",
            "patient-weight_kg": "70",
            "course-referred_on": "2026-03-10",
            "course-diagnosis": "lbcl",
            "course-product": "axi_cel",
            "course-target_antigens": ["CD19"],
            "course-antigen_construct": "single",
            "course-treating_physician": physician.pk,
        },
    )
    assert response.status_code == 200
    assert "MRN already exists" in response.content.decode()
    assert not TreatmentCourse.objects.filter(patient__given_name="Dup").exists()


def _infusion_form(walker, second_checker, password, coi):
    bag = walker.run.bags.get()
    return {
        "infused_at": "2026-01-12T10:30",
        "dose_value": "2",
        "dose_unit": "cells_e6_per_kg",
        "second_checker": second_checker.pk,
        "second_checker_password": password,
        "premedication": "Acetaminophen",
        f"bag_{bag.pk}": coi,
    }


def test_infusion_form_needs_the_second_checkers_password(client, walker, staff):
    walk_to_lymphodepletion(walker)
    client.force_login(staff.nurse)
    url = reverse("record_infusion", args=[walker.course.public_id])
    response = client.post(url, _infusion_form(walker, staff.second_nurse, "wrong", walker.run.coi_id))
    assert "does not match the second checker" in response.content.decode()
    assert not Infusion.objects.exists()


def test_infusion_form_refuses_a_mismatched_bag_and_says_do_not_infuse(client, walker, staff):
    walk_to_lymphodepletion(walker)
    client.force_login(staff.nurse)
    url = reverse("record_infusion", args=[walker.course.public_id])
    response = client.post(url, _infusion_form(walker, staff.second_nurse, "pw", "COI-WRONG-PATIENT"))
    assert "Do not infuse" in response.content.decode()
    assert not Infusion.objects.exists()


def test_infusion_form_records_day_0(client, walker, staff):
    walk_to_lymphodepletion(walker)
    client.force_login(staff.nurse)
    url = reverse("record_infusion", args=[walker.course.public_id])
    response = client.post(url, _infusion_form(walker, staff.second_nurse, "pw", walker.run.coi_id))
    assert response.status_code == 302
    infusion = Infusion.objects.get()
    assert (infusion.identity_checked_by, infusion.identity_second_check_by) == (staff.nurse, staff.second_nurse)
    assert TreatmentCourse.objects.get().stage == Stage.ACUTE_MONITORING


def test_transition_form_shows_the_rules_refusal(client, walker, staff):
    client.force_login(staff.coordinator)
    walker.start_eligibility(date(2025, 12, 3))
    response = client.post(
        reverse("transition_course", args=[walker.course.public_id]),
        {"to": "collection", "occurred_at": "2026-03-01T10:00", "note": ""},
    )
    assert "eligibility assessment that found the patient eligible" in response.content.decode()
    assert TreatmentCourse.objects.get().stage == Stage.ELIGIBILITY


def test_transition_form_offers_only_allowed_targets(client, walker, staff):
    client.force_login(staff.coordinator)
    body = client.get(reverse("transition_course", args=[walker.course.public_id])).content.decode()
    assert 'value="eligibility"' in body and 'value="follow_up"' not in body


def test_api_transition_refusal_is_a_400_naming_the_problem(client, course, coordinator):
    client.force_login(coordinator)
    response = client.post(
        f"/api/courses/{course.public_id}/transitions/", {"to": "infusion"}, content_type="application/json"
    )
    assert response.status_code == 400
    [problem] = response.json()["errors"]
    assert problem["field"] is None and "Referral cannot move to Infusion" in problem["message"]


def test_api_transition_moves_the_course(client, course, coordinator, frozen_now):
    client.force_login(coordinator)
    response = client.post(
        f"/api/courses/{course.public_id}/transitions/",
        {"to": "eligibility", "note": "Work-up", "occurred_at": (frozen_now - timedelta(days=1)).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["stage"] == "eligibility"
    assert response.json()["stage_events"][-1]["note"] == "Work-up"


def test_audit_page_lists_changes_with_user_and_reason(client, walker, staff):
    walker.start_eligibility(date(2025, 12, 3))
    client.force_login(staff.coordinator)
    body = client.get(reverse("course_audit", args=[walker.course.public_id])).content.decode()
    assert "stage: Referral → Eligibility" in body
    assert "Cora Ordinator" in body


def test_sign_in_page_lists_demo_logins_only_in_demo_mode(client, settings):
    settings.SHOW_DEMO_LOGINS = True
    assert "cart-demo" in client.get(reverse("login")).content.decode()
    settings.SHOW_DEMO_LOGINS = False
    assert "cart-demo" not in client.get(reverse("login")).content.decode()


def test_audit_page_costs_the_same_queries_however_long_the_history(client, walker, staff):
    client.force_login(staff.coordinator)
    url = reverse("course_audit", args=[walker.course.public_id])
    short = count_queries(client, url)
    walk_to_lymphodepletion(walker)
    walker.infuse(local_moment(date(2026, 1, 12), 10))
    assert count_queries(client, url) == short


def test_audit_page_shows_amendments_and_alert_acknowledgements(client, walker, staff, frozen_now):
    from tracker.schedule.services import alerts, dispatch

    walk_to_lymphodepletion(walker)
    walker.infuse(local_moment(date(2026, 3, 16), 10))
    vitals = {
        "temperature_value": "38.6",
        "heart_rate": 90,
        "systolic_bp": 120,
        "diastolic_bp": 70,
        "respiratory_rate": 16,
        "spo2": 97,
    }
    obs = bedside_services.record_vital_signs(
        course=walker.course, by=staff.nurse, observed_at=frozen_now, **vitals
    ).observation
    bedside_services.amend_vital_signs(
        original=obs, by=staff.nurse, reason="Wrong thermometer", **{**vitals, "temperature_value": "37.6"}
    )
    dispatch.run_sweep(frozen_now)
    alert = walker.course.alerts.get(kind="threshold")
    alerts.acknowledge_alert(alert=alert, by=staff.physician, note="Seen")
    client.force_login(staff.coordinator)
    body = client.get(reverse("course_audit", args=[walker.course.public_id])).content.decode()
    assert "amended: Wrong thermometer" in body and "acknowledged: Seen" in body
