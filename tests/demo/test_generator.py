"""The synthetic cohort generator: its cohorts return the rates they were drawn from within
their intervals, and with a transplant that has no effect the honest comparisons find none
where the naive comparison does (immortal-time bias)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tracker.models import CheckIn, ImportedHistory, TreatmentCourse
from tracker.outcomes import statistics
from tracker.outcomes.selectors import outcome_facts


@pytest.fixture
def generated(db, tmp_path):
    truth_path = tmp_path / "truth.json"
    call_command(
        "generate_cohort",
        "--profile",
        "peds-ball-cd19cd22",
        "--size",
        "2000",
        "--seed",
        "1",
        "--truth",
        str(truth_path),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    return json.loads(truth_path.read_text())


def within(rate: dict, value: float) -> bool:
    return rate["ci_low"] <= value <= rate["ci_high"]


def test_a_generated_cohort_returns_its_drawn_rates_within_their_intervals(generated):
    out = StringIO()
    call_command("outcomes", "--format", "json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["denominators"]["infused"] == 2000
    assert within(result["best_overall_response"], generated["response_rate"])
    assert within(result["crs"]["any"], generated["crs_any"])
    assert within(result["crs"]["grade_3_or_more"], generated["crs_grade_3_or_more"])
    assert within(result["efs"]["at_12_months"], generated["efs_at_12_months"])
    assert within(result["os"]["at_12_months"], generated["os_at_12_months"])
    assert generated["transplant_hazard_ratio"] == 1.0


def test_generated_courses_are_imported_history_without_a_schedule(generated):
    assert ImportedHistory.objects.count() == TreatmentCourse.objects.count() == 2000
    assert CheckIn.objects.count() == 0


def test_without_a_transplant_effect_only_the_naive_comparison_shows_a_benefit(generated):
    facts = outcome_facts(TreatmentCourse.objects.all())
    naive = statistics.naive_transplant_comparison(facts, "efs")
    assert naive.significant and naive.hazard_ratio < 1  # immortal-time bias
    landmark = statistics.landmark_transplant_comparison(facts, "efs", landmark_day=90)
    time_varying = statistics.time_varying_transplant_comparison(facts, "efs")
    assert not landmark.significant and not landmark.too_small
    assert not time_varying.significant and not time_varying.too_small


def test_the_generated_crs_grade_follows_burden_not_dose(generated):
    drivers = statistics.crs_drivers(outcome_facts(TreatmentCourse.objects.all()))
    assert drivers.sentence.startswith("Disease burden, not cell dose")
