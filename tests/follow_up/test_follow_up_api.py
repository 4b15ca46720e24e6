"""Follow-up through API v1: the same services and errors as the pages, the calculator that
stores nothing, and the same privacy."""

from datetime import timedelta

import pytest

from tests.builders import DAY0, infuse
from tracker.core.clock import local_moment
from tracker.models import ResponseAssessment

MYELOMA = {
    "baseline_serum_m_protein_g_dl": "3.2",
    "serum_m_protein_g_dl": "0.2",
    "nadir_serum_m_protein_g_dl": None,
    "baseline_urine_m_protein_mg_24h": "0",
    "urine_m_protein_mg_24h": "0",
    "nadir_urine_m_protein_mg_24h": None,
    "serum_immunofixation_negative": False,
    "urine_immunofixation_negative": None,
    "marrow_plasma_cells_percent": None,
    "flc_ratio_normal": None,
    "clonal_plasma_cells_in_marrow": None,
    "plasmacytomas_present": None,
    "new_bone_lesions_or_plasmacytomas": False,
}
PET = {"deauville_score": 2, "change_from_baseline": "reduced", "new_lesions": False, "marrow": "clear"}


@pytest.fixture
def course(walker, time_machine):
    time_machine.move_to(local_moment(DAY0, 11), tick=False)
    course = infuse(walker)
    time_machine.move_to(local_moment(DAY0 + timedelta(days=29), 14), tick=False)
    return course


def url(course, what):
    return f"/api/v1/courses/{course.public_id}/{what}/"


def test_the_calculator_classifies_without_storing_anything(client, physician):
    client.force_login(physician)
    body = client.post(
        "/api/v1/calculators/response/", {"disease": "lymphoma", "findings": PET}, content_type="application/json"
    ).json()
    assert body["category"] == "CMR" and body["label"] == "Complete metabolic response"
    assert body["is_complete_response"] and "Deauville 2" in body["reasons"][0]
    assert not ResponseAssessment.objects.exists()


def test_the_calculator_names_the_bad_field(client, physician):
    client.force_login(physician)
    response = client.post(
        "/api/v1/calculators/response/",
        {"disease": "myeloma", "findings": {**MYELOMA, "baseline_serum_m_protein_g_dl": "x"}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "baseline_serum_m_protein_g_dl" in [problem["field"] for problem in response.json()["errors"]]


def test_a_response_posted_under_its_course_is_classified_and_listed(client, physician, course):
    client.force_login(physician)
    body = {"assessed_on": str(DAY0 + timedelta(days=28)), "methods": ["pet_ct"], "findings": PET}
    created = client.post(url(course, "responses"), body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["category"] == "CMR" and created.json()["day"] == 28
    listed = client.get(url(course, "responses")).json()
    assert [row["category"] for row in listed["results"]] == ["CMR"]


def test_a_category_sent_by_the_client_is_not_taken(client, physician, course):
    client.force_login(physician)
    body = {
        "assessed_on": str(DAY0 + timedelta(days=28)),
        "methods": ["pet_ct"],
        "findings": {**PET, "category": "PMD"},
    }
    response = client.post(url(course, "responses"), body, content_type="application/json")
    assert response.status_code == 400
    [problem] = response.json()["errors"]
    assert problem["field"] == "category" and "not a lymphoma finding" in problem["message"]


@pytest.mark.parametrize(
    ("what", "body", "field"),
    [
        (
            "events",
            {"kind": "relapse", "occurred_on": str(DAY0 - timedelta(days=1)), "sites": ["marrow"]},
            "occurred_on",
        ),
        ("lab-results", {"collected_on": str(DAY0 + timedelta(days=20)), "platelets_10e9_per_l": "150000"}, None),
        ("infections", {"onset_on": str(DAY0), "organism_type": "viral", "site": "toe", "severity": "mild"}, "site"),
    ],
)
def test_bad_follow_up_input_is_a_400_naming_the_field(client, physician, course, what, body, field):
    client.force_login(physician)
    response = client.post(url(course, what), body, content_type="application/json")
    assert response.status_code == 400
    assert (field or "platelets_10e9_per_l") in [problem["field"] for problem in response.json()["errors"]]


def test_events_and_lab_results_are_recorded(client, physician, course):
    client.force_login(physician)
    event = client.post(
        url(course, "events"),
        {"kind": "transplant", "occurred_on": str(DAY0 + timedelta(days=29)), "donor_type": "matched_sibling"},
        content_type="application/json",
    )
    assert event.status_code == 201, event.content
    assert event.json()["day"] == 29
    lab = client.post(
        url(course, "lab-results"),
        {"collected_on": str(DAY0 + timedelta(days=28)), "igg_mg_dl": "420", "anc_10e9_per_l": "0.8"},
        content_type="application/json",
    )
    assert lab.status_code == 201, lab.content
    assert lab.json()["interpretation"]


def test_other_teams_and_patients_cannot_reach_follow_up(client, other_centre_coordinator, patient_user, course):
    for user in (other_centre_coordinator, patient_user):
        client.force_login(user)
        assert client.get(url(course, "responses")).status_code in (403, 404)
        assert client.post(url(course, "events"), {}, content_type="application/json").status_code in (403, 404)
