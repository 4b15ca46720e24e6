"""Bedside recording through the pages and the API: same rules, same errors, same privacy."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.builders import ice_with, infuse, vitals
from tracker.bedside import services as bedside_services
from tracker.models import NeuroAssessment, VitalSigns


@pytest.fixture
def course(walker, frozen_now):
    return infuse(walker)


VITALS_FORM = {
    "observed_at": "2026-03-12T08:00",
    "temperature_value": "38.7",
    "temperature_unit": "C",
    "temperature_site": "oral",
    "heart_rate": "112",
    "systolic_bp": "84",
    "diastolic_bp": "50",
    "respiratory_rate": "20",
    "spo2": "96",
    "oxygen_device": "none",
}


def test_nurse_records_vital_signs_and_sees_the_computed_grade(client, nurse, course):
    client.force_login(nurse)
    response = client.post(reverse("record_vitals", args=[course.public_id]), VITALS_FORM, follow=True)
    body = response.content.decode()
    assert "CRS grade 2:" in body and "Threshold event: First fever" in body
    assert VitalSigns.objects.get().grade == 2


def test_out_of_range_vital_sign_is_shown_on_its_field(client, nurse, course):
    client.force_login(nurse)
    response = client.post(reverse("record_vitals", args=[course.public_id]), {**VITALS_FORM, "spo2": "110"})
    assert response.status_code == 200
    assert "spo2 must be between 50 and 100 %; got 110" in response.content.decode()
    assert not VitalSigns.objects.exists()


def test_neuro_form_ticks_ice_items_one_by_one(client, nurse, course):
    client.force_login(nurse)
    form = {
        "observed_at": "2026-03-12T08:00",
        "tool": "ice",
        "level_of_consciousness": "alert",
        "motor_finding": "none",
    }
    form |= {name: "on" for name, done in ice_with(8).items() if done}
    client.post(reverse("record_neuro", args=[course.public_id]), form)
    obs = NeuroAssessment.objects.get()
    assert (obs.ice_score, obs.grade) == (8, 1)
    assert obs.ice_writing is False and obs.ice_year is True


def test_correcting_vital_signs_through_the_page_keeps_the_original(client, nurse, course):
    original = vitals(
        course, nurse, course.first_infusion_at + timedelta(hours=20), temperature_value="38.6"
    ).observation
    client.force_login(nurse)
    url = reverse("amend_record", args=["vital-signs", original.public_id])
    assert "38.6" in client.get(url).content.decode()  # prefilled with the original values
    form = {
        **VITALS_FORM,
        "observed_at": "2026-03-11T06:00",
        "temperature_value": "36.8",
        "systolic_bp": "120",
        "diastolic_bp": "70",
    }
    response = client.post(url, {**form, "reason": "Wrong patient's reading"})
    assert response.status_code == 302
    original.refresh_from_db()
    assert original.superseded
    assert VitalSigns.objects.current().get().amendment_reason == "Wrong patient's reading"


def test_physician_reviews_a_flagged_assessment_from_the_course_page(client, nurse, physician, course):
    obs = vitals(
        course, nurse, course.first_infusion_at + timedelta(hours=20), temperature_value="38.6", nurse_judged_grade=3
    ).observation
    client.force_login(physician)
    page = client.get(reverse("course_detail", args=[course.public_id])).content.decode()
    assert "Flagged for physician review" in page and "Nurse judged CRS grade 3" in page
    client.post(reverse("review_record", args=["vital-signs", obs.public_id]), {"note": "Agree: grade 1"})
    obs.refresh_from_db()
    assert obs.reviewed_by == physician and obs.review_note == "Agree: grade 1"


def test_a_nurse_cannot_mark_a_review(client, nurse, course):
    obs = vitals(course, nurse, course.first_infusion_at + timedelta(hours=20), nurse_judged_grade=2).observation
    client.force_login(nurse)
    response = client.post(reverse("review_record", args=["vital-signs", obs.public_id]), follow=True)
    assert "Only a physician" in response.content.decode()
    obs.refresh_from_db()
    assert obs.reviewed_at is None


def test_coordinator_cannot_open_the_vital_signs_form(client, coordinator, course):
    client.force_login(coordinator)
    assert client.get(reverse("record_vitals", args=[course.public_id])).status_code == 403


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_course_page_costs_the_same_queries_with_1_or_30_bedside_records(client, nurse, physician, course):
    start = course.first_infusion_at
    vitals(course, nurse, start + timedelta(hours=1))
    bedside_services.record_neuro_assessment(
        course=course, by=nurse, observed_at=start + timedelta(hours=2), **ice_with(10)
    )
    bedside_services.record_intervention(
        course=course, by=physician, given_at=start + timedelta(hours=3), kind="icu_transfer", indication="crs"
    )
    client.force_login(nurse)
    url = reverse("course_detail", args=[course.public_id])
    one_each = _count(client, url)
    for i in range(30):
        vitals(course, nurse, start + timedelta(hours=4 + i), temperature_value="38.5" if i % 3 else "37.0")
        bedside_services.record_neuro_assessment(
            course=course, by=nurse, observed_at=start + timedelta(hours=4 + i, minutes=5), **ice_with(10 - i % 3)
        )
    assert _count(client, url) == one_each


def test_ward_lists_acute_patients_with_their_grades_in_constant_queries(client, nurse, course, centre, staff):
    vitals(course, nurse, course.first_infusion_at + timedelta(hours=20), temperature_value="38.6")
    client.force_login(nurse)
    few = _count(client, reverse("ward"))
    from tests.builders import CourseWalker
    from tests.conftest import make_course, make_patient

    for i in range(3):
        infuse(CourseWalker(make_course(make_patient(centre, staff.coordinator, mrn=f"W{i}"), staff), staff))
    assert _count(client, reverse("ward")) == few
    body = client.get(reverse("ward")).content.decode()
    assert "badge grade-1" in body and body.count("day +6") == 4


# --- API ---------------------------------------------------------------------------------------

API_VITALS = {
    **VITALS_FORM,
    "observed_at": "2026-03-12T08:00:00+00:00",
    "heart_rate": 112,
    "systolic_bp": 84,
    "diastolic_bp": 50,
    "respiratory_rate": 20,
    "spo2": 96,
}


def test_api_records_vital_signs_and_returns_the_grade_and_events(client, nurse, course):
    client.force_login(nurse)
    response = client.post(f"/api/courses/{course.public_id}/vital-signs/", API_VITALS, content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["grade"] == 2 and body["rule_version"] == "ASTCT-2019/1"
    assert [e["kind"] for e in body["threshold_events"]] == ["first_fever", "crs_grade_2_or_more"]
    listed = client.get(f"/api/courses/{course.public_id}/vital-signs/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]


def test_api_bad_value_is_a_400_naming_the_field_and_range(client, nurse, course):
    client.force_login(nurse)
    response = client.post(
        f"/api/courses/{course.public_id}/vital-signs/",
        {**API_VITALS, "heart_rate": 400},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "field": "heart_rate",
                "code": "invalid",
                "message": "heart rate must be between 20 and 250 beats/min; got 400",
            }
        ]
    }


def test_api_amends_and_reviews(client, nurse, physician, course):
    client.force_login(nurse)
    created = client.post(
        f"/api/courses/{course.public_id}/vital-signs/",
        {**API_VITALS, "nurse_judged_grade": 3},
        content_type="application/json",
    ).json()
    amended = client.post(
        f"/api/vital-signs/{created['id']}/amend/",
        {**API_VITALS, "temperature_value": "37.0", "reason": "Thermometer error"},
        content_type="application/json",
    )
    assert amended.status_code == 201 and amended.json()["amends"] == created["id"] and amended.json()["grade"] == 0
    assert (
        client.post(f"/api/vital-signs/{created['id']}/review/", {}, content_type="application/json").status_code == 403
    )
    client.force_login(physician)
    review = client.post(f"/api/vital-signs/{created['id']}/review/", {"note": "Seen"}, content_type="application/json")
    assert review.status_code == 200 and review.json()["review_note"] == "Seen"


def test_api_records_neuro_assessments_and_interventions(client, nurse, physician, course):
    client.force_login(nurse)
    neuro = client.post(
        f"/api/courses/{course.public_id}/neuro-assessments/",
        {"observed_at": "2026-03-12T08:00:00Z", **ice_with(5)},
        content_type="application/json",
    )
    assert neuro.status_code == 201 and neuro.json()["grade"] == 2
    assert [e["kind"] for e in neuro.json()["threshold_events"]] == ["icans_any_grade"]
    client.force_login(physician)
    toci = client.post(
        f"/api/courses/{course.public_id}/interventions/",
        {
            "given_at": "2026-03-12T09:00:00Z",
            "kind": "tocilizumab",
            "dose_value": "900",
            "dose_unit": "mg",
            "indication": "crs",
        },
        content_type="application/json",
    )
    assert toci.status_code == 201 and "above the 800 mg maximum" in toci.json()["warnings"][0]
    episodes = client.get(f"/api/courses/{course.public_id}/episodes/").json()["results"]
    assert episodes == [
        {
            "syndrome": "icans",
            "number": 1,
            "onset_at": "2026-03-12T08:00:00Z",
            "onset_day": 2,
            "max_grade": 2,
            "max_grade_at": "2026-03-12T08:00:00Z",
            "resolved_at": None,
            "duration_hours": 0.0,
        }
    ]


def test_api_bedside_records_of_other_teams_are_404(client, other_centre_nurse, nurse, course):
    obs = vitals(course, nurse, course.first_infusion_at + timedelta(hours=20)).observation
    client.force_login(other_centre_nurse)
    assert client.get(f"/api/vital-signs/{obs.public_id}/").status_code == 404
    assert (
        client.post(
            f"/api/courses/{course.public_id}/vital-signs/", API_VITALS, content_type="application/json"
        ).status_code
        == 404
    )


def test_patient_login_cannot_record_vital_signs(client, patient_user, course):
    client.force_login(patient_user)
    response = client.post(f"/api/courses/{course.public_id}/vital-signs/", API_VITALS, content_type="application/json")
    assert response.status_code == 403
