"""The outcomes page and `GET /api/v1/outcomes/`: who may see them, the figures drawn, CSV export,
filters, and a fixed number of queries."""

import csv
import io

import pytest
from django.urls import reverse

PAGE = reverse("outcomes")
API = "/api/v1/outcomes/"


def test_the_outcomes_page_draws_the_figures_with_their_tables(client, cohort, coordinator):
    client.force_login(coordinator)
    response = client.get(PAGE)
    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    assert html.count("<svg") == 4  # survival, grades, forest plot, duration of response
    assert "Number at risk" in html
    assert "5 apheresed · 4 infused · 3 evaluable at day +28" in html
    assert "Consolidative transplant" in html


def test_every_table_downloads_as_csv(client, cohort, physician):
    client.force_login(physician)
    response = client.get(PAGE, {"export": "response"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Measure", "n", "of", "%", "95% CI low %", "95% CI high %"]
    assert rows[2][:4] == ["Best overall response (of infused)", "2", "4", "50.0"]
    for name in ("denominators", "survival", "at_risk", "grades", "toxicity", "timing", "transplant", "subgroups"):
        assert client.get(PAGE, {"export": name}).status_code == 200
    assert client.get(PAGE, {"export": "nothing"}).status_code == 404


def test_nurses_and_patients_may_not_see_programme_outcomes(client, cohort, nurse, patient_user):
    for user in (nurse, patient_user):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403
        assert client.get(API).status_code == 403


def test_the_api_returns_the_same_summary_as_the_command(client, cohort, coordinator):
    client.force_login(coordinator)
    body = client.get(API).json()
    assert body["summary"]["denominators"] == {"apheresed": 5, "infused": 4, "evaluable_day28": 3}
    assert body["summary"]["best_overall_response"]["rate"] == 0.5
    assert body["transplant"]["efs"]["landmark"]["too_small"] is True
    filtered = client.get(API, {"diagnosis": "lbcl"}).json()
    assert filtered["summary"]["denominators"]["infused"] == 0


def test_a_bad_filter_is_refused_naming_it(client, cohort, coordinator):
    client.force_login(coordinator)
    response = client.get(API, {"infused_from": "yesterday", "age_group": "teen"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "infused_from" in text and "age_group" in text


def test_another_centres_coordinator_sees_no_courses(client, cohort, other_centre_coordinator):
    client.force_login(other_centre_coordinator)
    assert client.get(API).json()["summary"]["denominators"]["apheresed"] == 0


@pytest.mark.parametrize("target", [PAGE, API])
def test_outcomes_run_a_fixed_number_of_queries(client, cohort, coordinator, target, django_assert_max_num_queries):
    client.force_login(coordinator)
    client.get(target)  # warm the session and role caches
    with django_assert_max_num_queries(20):
        assert client.get(target).status_code == 200
