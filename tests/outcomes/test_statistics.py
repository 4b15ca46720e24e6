"""Outcome statistics (docs/clinical-rules.md §10.4-§10.6): exact intervals, Kaplan-Meier, comparisons."""

import math
import random
from datetime import date, timedelta

import pytest

from tracker.outcomes.definitions import CourseFacts, Endpoint, time_to_event_rows
from tracker.outcomes.statistics import (
    crs_drivers,
    kaplan_meier,
    landmark_transplant_comparison,
    naive_transplant_comparison,
    proportion,
    subgroups,
    summary,
    time_varying_transplant_comparison,
    toxicity_profile,
)

D0 = date(2024, 1, 1)
MONTH = 30.4375

# Clopper-Pearson exact 95 % intervals as published (e.g. Newcombe, Stat Med 1998;17:857,
# table I, and standard binomial tables), to 4 decimals.
CLOPPER_PEARSON_TABLE = [
    (0, 10, 0.0, 0.3085),
    (10, 10, 0.6915, 1.0),
    (3, 10, 0.0667, 0.6525),
    (5, 10, 0.1871, 0.8129),
    (81, 263, 0.2527, 0.3676),  # Newcombe 1998 example 81/263
    (15, 148, 0.0578, 0.1617),  # Newcombe 1998 example 15/148
    (0, 20, 0.0, 0.1684),
    (1, 29, 0.0009, 0.1776),  # Newcombe 1998 example 1/29
]


@pytest.mark.parametrize(
    ("n", "of", "low", "high"), CLOPPER_PEARSON_TABLE, ids=[f"{n}/{of}" for n, of, *_ in CLOPPER_PEARSON_TABLE]
)
def test_rates_have_exact_clopper_pearson_intervals(n, of, low, high):
    rate = proportion(n, of)
    assert rate.rate == n / of
    assert rate.ci_low == pytest.approx(low, abs=5e-5)
    assert rate.ci_high == pytest.approx(high, abs=5e-5)


def test_a_rate_over_no_courses_has_no_value():
    assert proportion(0, 0).as_dict() == {"n": 0, "of": 0, "rate": None, "ci_low": None, "ci_high": None}


def facts_for(spec):
    """Courses infused on D0 with (days, died) for OS; all complete responders."""
    facts = []
    for number, (days, died) in enumerate(spec):
        end = D0 + timedelta(days=days)
        facts.append(
            CourseFacts(
                course_id=number,
                diagnosis_group="b_all",
                infused_on=D0,
                best_category="CR",
                responded_on=D0 if days == 0 else D0 + timedelta(days=min(days, 28)),
                death_on=end if died else None,
                last_contact_on=None if died else end,
            )
        )
    return facts


# Six courses: deaths on days 61, 122 and 183, censored on days 91, 244 and 305.
SIX = [(61, True), (91, False), (122, True), (183, True), (244, False), (305, False)]


def log_log_interval(survival: float, greenwood_sum: float) -> tuple[float, float]:
    """Kalbfleisch-Prentice exponential Greenwood interval, written out by hand."""
    log_s = math.log(survival)
    sd = math.sqrt(greenwood_sum / log_s**2)
    centre = math.log(-log_s)
    return math.exp(-math.exp(centre + 1.959964 * sd)), math.exp(-math.exp(centre - 1.959964 * sd))


def test_kaplan_meier_matches_a_hand_computed_example():
    curve = kaplan_meier(time_to_event_rows(facts_for(SIX), Endpoint.OS))
    # Day 61: 6 at risk, 1 death: 5/6. Day 122: 4 at risk (one censored at 91): 5/6 * 3/4 = 0.625.
    # Day 183: 3 at risk: 0.625 * 2/3 = 0.41667.
    expected = {61: (5 / 6, 1 / 30), 122: (0.625, 1 / 30 + 1 / 12), 183: (0.625 * 2 / 3, 1 / 30 + 1 / 12 + 1 / 6)}
    points = {round(point[0] * MONTH): point[1:] for point in curve.points}
    for day_number, (survival, greenwood) in expected.items():
        estimate, low, high = points[day_number]
        assert estimate == pytest.approx(survival, abs=1e-9)
        hand_low, hand_high = log_log_interval(survival, greenwood)
        assert low == pytest.approx(hand_low, abs=1e-4)
        assert high == pytest.approx(hand_high, abs=1e-4)
    assert curve.points[0] == (0.0, 1.0, 1.0, 1.0)
    assert (curve.n, curve.events) == (6, 3)
    # The median is the first time the curve is at or below 0.5: day 183.
    assert curve.median_months == pytest.approx(183 / MONTH)
    # 6 months is day 182.6: the curve is still 0.625 then.
    assert curve.estimate_at(6).estimate == pytest.approx(0.625)
    # Beyond the last follow-up (day 305, 10 months) there is no estimate.
    assert curve.estimate_at(12).estimate is None
    # At risk at 0, 3 (day 91.3: the censoring at 91 has left) and 6 months (day 182.6).
    at_risk = dict(curve.at_risk)
    assert (at_risk[0.0], at_risk[3.0], at_risk[6.0], at_risk[12.0]) == (6, 4, 3, 0)


def test_decision_a_curve_that_never_reaches_half_has_no_median():
    curve = kaplan_meier(time_to_event_rows(facts_for([(100, True), (400, False), (400, False)]), Endpoint.OS))
    assert curve.median_months is None
    assert curve.estimate_at(12).estimate == pytest.approx(2 / 3)


def test_summary_prints_exactly_the_issue_keys():
    result = summary(facts_for(SIX))
    assert set(result) == {"denominators", "day28_remission", "best_overall_response", "crs", "icans", "efs", "os"}
    assert set(result["denominators"]) == {"apheresed", "infused", "evaluable_day28"}
    assert set(result["crs"]) == {"any", "grade_3_or_more", "by_max_grade"}
    assert list(result["crs"]["by_max_grade"]) == ["0", "1", "2", "3", "4"]
    assert set(result["efs"]) == {"median_months", "at_6_months", "at_12_months", "curve"}
    assert set(result["os"]["at_6_months"]) == {"estimate", "ci_low", "ci_high"}


def test_toxicity_incidence_is_by_maximum_grade_over_graded_infused_courses():
    facts = [
        CourseFacts(course_id=n, diagnosis_group="b_all", infused_on=D0, crs_max_grade=grade)
        for n, grade in enumerate([0, 1, 1, 2, 3, 4, None])
    ]
    profile = toxicity_profile(facts, "crs")
    assert profile.by_max_grade == (1, 2, 1, 1, 1)
    assert (profile.any.n, profile.any.of) == (5, 6)
    assert (profile.grade_3_or_more.n, profile.grade_3_or_more.of) == (2, 6)


def synthetic(seed: int, size: int, *, transplant_effect: bool):
    """Responders with exponential EFS; half of those event-free at day 60 are transplanted
    then. With no effect the transplant changes nothing of their event time."""
    rng = random.Random(seed)
    facts = []
    for number in range(size):
        event_day = max(1, int(rng.expovariate(1 / 300)))
        follow_up = 720
        transplant_day = 60 if event_day > 60 and rng.random() < 0.5 else None
        if transplant_effect and transplant_day is not None:
            event_day = int(event_day * 3)
        relapse = D0 + timedelta(days=event_day) if event_day < follow_up else None
        facts.append(
            CourseFacts(
                course_id=number,
                diagnosis_group="b_all",
                infused_on=D0,
                best_category="CR",
                responded_on=D0 + timedelta(days=1),
                relapse_on=relapse,
                transplant_on=D0 + timedelta(days=transplant_day) if transplant_day else None,
                last_contact_on=D0 + timedelta(days=follow_up) if relapse is None else None,
            )
        )
    return facts


def test_naive_transplant_comparison_shows_immortal_time_benefit_the_honest_ones_do_not():
    facts = synthetic(7, 600, transplant_effect=False)
    naive = naive_transplant_comparison(facts, Endpoint.EFS)
    assert naive.significant and naive.hazard_ratio < 1
    landmark = landmark_transplant_comparison(facts, Endpoint.EFS, landmark_day=60)
    time_varying = time_varying_transplant_comparison(facts, Endpoint.EFS)
    assert not landmark.significant
    assert not time_varying.significant
    assert landmark.ci_low < 1 < landmark.ci_high


def test_honest_comparisons_find_a_real_transplant_benefit():
    facts = synthetic(7, 600, transplant_effect=True)
    assert time_varying_transplant_comparison(facts, Endpoint.EFS).hazard_ratio < 1
    assert landmark_transplant_comparison(facts, Endpoint.EFS, landmark_day=60).significant


def test_decision_a_comparison_with_few_events_is_too_small_to_conclude():
    facts = synthetic(3, 12, transplant_effect=True)
    comparison = landmark_transplant_comparison(facts, Endpoint.EFS, landmark_day=60)
    assert comparison.too_small
    assert not comparison.significant
    assert comparison.sentence.startswith(("Too few", "Nothing to compare"))


def test_subgroups_show_n_and_hazard_ratio_against_the_rest():
    facts = synthetic(5, 80, transplant_effect=False)
    tables = {table.dimension: table for table in subgroups(facts, dimensions=["diagnosis", "infusion_period"])}
    (row,) = tables["diagnosis"].rows
    assert row.n == 80
    assert row.too_small  # nothing to compare it with


def test_crs_drivers_say_burden_not_dose_explains_the_grade():
    rng = random.Random(11)
    facts = []
    for number in range(200):
        blasts = rng.uniform(0, 95)
        dose = 10 ** rng.uniform(5.5, 6.7)
        grade = min(4, max(0, int(blasts / 22 + rng.gauss(0, 0.6))))
        facts.append(
            CourseFacts(
                course_id=number,
                diagnosis_group="b_all",
                infused_on=D0,
                crs_max_grade=grade,
                baseline_marrow_blasts_percent=blasts,
                cell_dose_per_kg=dose,
            )
        )
    drivers = crs_drivers(facts)
    assert not drivers.too_small
    assert drivers.sentence.startswith("Disease burden, not cell dose")
    assert drivers.burden.rho > 0.5
    assert [t.tertile for t in drivers.burden_tertiles] == ["lower", "middle", "upper"]
