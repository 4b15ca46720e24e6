"""The CRS and ICANS calculators grade posted findings and store nothing."""

import pytest

from tracker.models import NeuroAssessment, VitalSigns


@pytest.mark.parametrize(
    ("findings", "grade"),
    [
        ({"temperature_c": "37.0"}, 0),
        ({"temperature_c": "38.6"}, 1),
        ({"temperature_c": "38.9", "hypotension": True, "vasopressors": ["norepinephrine"]}, 3),
        ({"temperature_c": "38.9", "oxygen_device": "nasal_cannula", "oxygen_flow_l_min": "2"}, 2),
    ],
)
def test_the_crs_calculator_returns_the_grade_and_reasons(client, nurse, findings, grade):
    client.force_login(nurse)
    response = client.post("/api/v1/calculators/crs/", findings, content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["grade"] == grade and response.json()["reasons"]
    assert response.json()["rule_version"] == "ASTCT-2019/1"
    assert not VitalSigns.objects.exists()


def test_the_icans_calculator_grades_the_ice_score(client, nurse):
    client.force_login(nurse)
    response = client.post(
        "/api/v1/calculators/icans/", {"age_years": 60, "ice_score": 5}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["grade"] == 2
    assert not NeuroAssessment.objects.exists()


def test_a_finding_out_of_range_names_its_field(client, nurse):
    client.force_login(nurse)
    response = client.post("/api/v1/calculators/crs/", {"temperature_c": "45.5"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "temperature_c"
    icans = client.post("/api/v1/calculators/icans/", {"age_years": 8, "ice_score": 5}, content_type="application/json")
    assert icans.status_code == 400 and icans.json()["errors"][0]["field"] == "ice_score"
