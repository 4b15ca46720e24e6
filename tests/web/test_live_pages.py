"""The pages that work while they are open: the live grade on the bedside forms, the work list
and alert badge that refresh themselves, and the coordinator's milestone list."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.builders import ice_with, infuse, vitals
from tracker.models import Alert, NeuroAssessment, VitalSigns

HX = {"HTTP_HX_REQUEST": "true"}

VITALS = {
    "observed_at": "2026-03-12T08:00",
    "temperature_value": "39.1",
    "temperature_unit": "C",
    "temperature_site": "oral",
    "heart_rate": "112",
    "systolic_bp": "82",
    "diastolic_bp": "48",
    "respiratory_rate": "20",
    "spo2": "96",
    "oxygen_device": "none",
}


@pytest.fixture
def course(walker, frozen_now):
    return infuse(walker)


def _preview(client, course, data, name="preview_vitals"):
    response = client.post(reverse(name, args=[course.public_id]), data, **HX)
    assert response.status_code == 200
    return response.content.decode()


def test_the_vital_signs_preview_shows_the_crs_grade_and_its_reason_and_stores_nothing(client, nurse, course):
    client.force_login(nurse)
    body = _preview(client, course, VITALS)
    assert "CRS grade 2" in body and "not yet saved" in body
    assert "hypotension" in body.lower()
    assert not VitalSigns.objects.exists() and not Alert.objects.exists()
    assert not VitalSigns.history.exists()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"temperature_value": "37.0", "systolic_bp": "120", "diastolic_bp": "70"}, "CRS grade 0"),
        ({"systolic_bp": "120", "diastolic_bp": "70"}, "CRS grade 1"),
        ({}, "CRS grade 2"),
        ({"vasopressors": ["norepinephrine"]}, "CRS grade 3"),
    ],
)
def test_the_preview_grades_as_saving_would(client, nurse, course, changes, expected):
    client.force_login(nurse)
    assert expected in _preview(client, course, {**VITALS, **changes})


def test_the_preview_grades_before_the_signs_that_do_not_change_the_grade_are_filled_in(client, nurse, course):
    client.force_login(nurse)
    partial = {k: v for k, v in VITALS.items() if k not in ("heart_rate", "respiratory_rate", "spo2")}
    body = _preview(client, course, partial)
    assert "CRS grade 2" in body and "Still needed before saving: Heart rate (/min)" in body


def test_the_preview_names_what_is_missing_and_what_is_out_of_range(client, nurse, course):
    client.force_login(nurse)
    assert "Temperature" in _preview(client, course, {**VITALS, "temperature_value": ""})
    body = _preview(client, course, {**VITALS, "spo2": "110"})
    assert "grade not yet computed" in body and "spo2 must be between 50 and 100 %; got 110" in body


def test_the_neuro_preview_shows_the_icans_grade_from_the_ticked_ice_items(client, nurse, course):
    client.force_login(nurse)
    form = {
        "observed_at": "2026-03-12T08:00",
        "tool": "ice",
        "level_of_consciousness": "alert",
        "motor_finding": "none",
    }
    form |= {name: "on" for name, done in ice_with(5).items() if done}
    body = _preview(client, course, form, "preview_neuro")
    assert "ICANS grade 2" in body and "ICE" in body
    assert not NeuroAssessment.objects.exists()


def test_the_correction_form_previews_its_grade_without_the_row_it_replaces(client, nurse, course):
    original = vitals(course, nurse, course.first_infusion_at + timedelta(hours=20), temperature_value="38.6")
    client.force_login(nurse)
    url = reverse("preview_amendment", args=["vital-signs", original.observation.public_id])
    body = client.post(url, {**VITALS, "observed_at": "2026-03-11T06:00", "reason": "typo"}, **HX).content.decode()
    assert "CRS grade 2" in body
    assert VitalSigns.objects.count() == 1


def test_the_forms_post_to_their_preview_and_the_ice_items_are_large_tiles(client, nurse, course):
    client.force_login(nurse)
    vitals_page = client.get(reverse("record_vitals", args=[course.public_id])).content.decode()
    assert reverse("preview_vitals", args=[course.public_id]) in vitals_page and 'id="grade-preview"' in vitals_page
    neuro_page = client.get(reverse("record_neuro", args=[course.public_id])).content.decode()
    assert reverse("preview_neuro", args=[course.public_id]) in neuro_page
    assert neuro_page.count('class="tile"') == 10 + 8 * 5  # ten ICE items, eight CAPD items scored 0-4
    assert "<script>" not in neuro_page  # no inline script (the CSP forbids it)


def test_another_centre_cannot_preview(client, other_centre_nurse, course):
    client.force_login(other_centre_nurse)
    assert client.post(reverse("preview_vitals", args=[course.public_id]), VITALS).status_code == 404


def test_the_preview_costs_the_same_queries_however_many_readings(client, nurse, course, django_assert_max_num_queries):
    client.force_login(nurse)
    for hours in (2, 4, 6):
        vitals(course, nurse, course.first_infusion_at + timedelta(hours=hours))
    with django_assert_max_num_queries(12):
        _preview(client, course, VITALS)
