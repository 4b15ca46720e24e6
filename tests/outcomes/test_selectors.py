"""Outcome rows from the database and `manage.py outcomes --format json`, on a hand-built cohort
whose figures are worked out by hand below."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from tests.builders import DAY0
from tests.outcomes.conftest import day
from tracker.models import TreatmentCourse
from tracker.outcomes.selectors import OutcomeFilters, outcome_facts

MONTH = 30.4375


def run_outcomes(*args) -> dict:
    out = StringIO()
    call_command("outcomes", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_course_facts_read_what_was_recorded(cohort):
    facts = {f.course_id: f for f in outcome_facts(TreatmentCourse.objects.all())}
    a = facts[str(cohort["A"].public_id)]
    assert (a.infused_on, a.apheresed_on, a.day28_category, a.best_category) == (DAY0, date(2026, 1, 20), "CR", "CR")
    assert (a.crs_max_grade, a.crs_onset_day, a.crs_duration_days, a.icans_max_grade) == (1, 1, 1, None)
    assert (a.last_contact_on, a.vein_to_vein_days, a.cell_dose_per_kg, a.age_at_infusion) == (
        day(400),
        49,
        2_000_000.0,
        16,
    )
    b = facts[str(cohort["B"].public_id)]
    assert (b.relapse_on, b.death_on, b.crs_max_grade) == (day(200), day(300), 0)
    d = facts[str(cohort["D"].public_id)]
    assert (d.best_category, d.crs_max_grade) == (None, None)
    e = facts[str(cohort["E"].public_id)]
    assert (e.infused_on, e.apheresed_on) == (None, date(2026, 1, 20))


def test_outcomes_json_matches_the_hand_computed_figures(cohort):
    result = run_outcomes()
    assert set(result) == {"denominators", "day28_remission", "best_overall_response", "crs", "icans", "efs", "os"}
    assert result["denominators"] == {"apheresed": 5, "infused": 4, "evaluable_day28": 3}
    assert (result["day28_remission"]["n"], result["day28_remission"]["of"]) == (2, 3)
    assert result["day28_remission"]["rate"] == pytest.approx(2 / 3)
    # Best overall response over all 4 infused courses; D (never assessed) is no response.
    assert (result["best_overall_response"]["n"], result["best_overall_response"]["of"]) == (2, 4)
    assert result["best_overall_response"]["rate"] == 0.5
    # CRS over the two graded courses: A grade 1, B grade 0.
    assert result["crs"]["by_max_grade"] == {"0": 1, "1": 1, "2": 0, "3": 0, "4": 0}
    assert (result["crs"]["any"]["n"], result["crs"]["any"]["of"]) == (1, 2)
    # EFS: C and D fail at day 0 (2 of 4): 0.5; B relapses at day 200 with 2 at risk: 0.25.
    efs = result["efs"]
    assert efs["median_months"] == 0.0
    assert efs["at_6_months"]["estimate"] == pytest.approx(0.5)
    assert efs["at_12_months"]["estimate"] == pytest.approx(0.25)
    # OS: D censored at 60; C dies at 100 (3 at risk): 2/3; B dies at 300 (2 at risk): 1/3.
    os_ = result["os"]
    assert os_["at_6_months"]["estimate"] == pytest.approx(2 / 3)
    assert os_["at_12_months"]["estimate"] == pytest.approx(1 / 3)
    assert os_["median_months"] == pytest.approx(300 / MONTH)
    assert [point[1] for point in os_["curve"]] == pytest.approx([1, 1, 2 / 3, 1 / 3, 1 / 3])


def test_outcomes_filters_and_the_intention_to_treat_origin(cohort):
    assert run_outcomes("--diagnosis", "lbcl")["denominators"] == {"apheresed": 0, "infused": 0, "evaluable_day28": 0}
    itt = run_outcomes("--origin", "leukapheresis")
    assert (itt["best_overall_response"]["n"], itt["best_overall_response"]["of"]) == (2, 5)
    facts = outcome_facts(TreatmentCourse.objects.all(), OutcomeFilters(infused_from=day(1)))
    assert facts == []


def test_outcome_rows_cost_a_fixed_number_of_queries(cohort, django_assert_max_num_queries):
    with django_assert_max_num_queries(11):
        facts = outcome_facts(TreatmentCourse.objects.all())
    assert len(facts) == 5


def test_a_user_reads_only_the_courses_they_may_see(cohort, other_centre_coordinator):
    out = StringIO()
    call_command("outcomes", "--format", "json", "--user", other_centre_coordinator.username, stdout=out)
    assert json.loads(out.getvalue())["denominators"]["apheresed"] == 0
