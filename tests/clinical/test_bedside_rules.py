"""Pure bedside rules: ranges, ICE/CAPD scores, age-dependent hypotension, fever masking,
episodes, threshold events and tocilizumab dose limits."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.clinical import hypotension, neuro_scores, ranges, toxicity
from tracker.clinical.toxicity import Dose, EventKind, GradePoint, MaskingDrug

T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


# --- Ranges -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("temperature_c", 45, True),
        ("temperature_c", "45.1", False),
        ("temperature_c", 24.9, False),
        ("temperature_f", 100.4, True),
        ("heart_rate", 251, False),
        ("spo2", 101, False),
        ("spo2", 50, True),
        ("oxygen_flow_l_min", -1, False),
        ("fio2_pct", 20, False),
    ],
)
def test_physiological_ranges(field, value, ok):
    problem = ranges.range_problem(field, value)
    assert (problem is None) is ok
    if not ok:
        allowed = ranges.PHYSIOLOGICAL_RANGES[field]
        assert field.replace("_", " ") in problem and str(allowed.low) in problem and str(allowed.high) in problem


# --- ICE and CAPD -----------------------------------------------------------------------------


def ice(correct: int) -> dict:
    return {name: i < correct for i, name in enumerate(neuro_scores.ICE_ITEM_NAMES)}


@pytest.mark.parametrize("correct", [0, 2, 3, 6, 7, 9, 10])
def test_ice_score_is_one_point_per_item(correct):
    assert neuro_scores.ice_score(ice(correct)) == correct


def test_ice_needs_all_ten_items():
    items = ice(10)
    del items["ice_writing"]
    with pytest.raises(ValueError, match="ice_writing"):
        neuro_scores.ice_score(items)


def test_there_are_ten_ice_items_and_eight_capd_items():
    assert len(neuro_scores.ICE_ITEMS) == 10 and len(neuro_scores.CAPD_ITEMS) == 8


@pytest.mark.parametrize(("scores", "total"), [([0] * 8, 0), ([1] * 8, 8), ([1] * 7 + [2], 9), ([4] * 8, 32)])
def test_capd_score_sums_eight_items(scores, total):
    assert neuro_scores.capd_score(dict(zip(neuro_scores.CAPD_ITEM_NAMES, scores, strict=True))) == total


def test_capd_items_are_0_to_4():
    with pytest.raises(ValueError, match="0–4"):
        neuro_scores.capd_score(dict(zip(neuro_scores.CAPD_ITEM_NAMES, [5] + [0] * 7, strict=True)))


# --- Hypotension by age (docs/clinical-rules.md §5.2) -------------------------------------------


@pytest.mark.parametrize(
    ("age", "systolic", "diastolic", "hypotensive"),
    [
        (0, 69, 40, True),  # infant: < 70
        (0, 70, 40, False),
        (5, 79, 40, True),  # 1–10 years: < 70 + 2 × age = 80
        (5, 80, 40, False),
        (10, 89, 50, True),  # 90 at 10 years
        (11, 89, 50, True),  # over 10: < 90
        (11, 90, 50, False),
        (40, 89, 60, True),
        (40, 90, 60, False),
        (40, 92, 50, False),  # MAP 64 at ... (92 + 100) / 3 = 64.0 → hypotensive by MAP
        (40, 95, 55, False),  # MAP 68.3
        (16, 90, 40, False),  # MAP rule applies from 18
    ],
)
def test_hypotension_thresholds_by_age(age, systolic, diastolic, hypotensive):
    basis = hypotension.hypotension_by_pressure(age_years=age, systolic=systolic, diastolic=diastolic)
    expected = hypotensive or (age >= 18 and hypotension.mean_arterial_pressure(systolic, diastolic) < 65)
    assert (basis is not None) is expected


def test_adult_mean_arterial_pressure_below_65_is_hypotension():
    assert hypotension.hypotension_by_pressure(age_years=40, systolic=92, diastolic=50) == (
        "mean arterial pressure 64.0 mmHg < 65 mmHg"
    )


# --- Episodes ---------------------------------------------------------------------------------


def test_an_episode_runs_from_first_grade_1_to_the_next_grade_0():
    episodes = toxicity.derive_episodes(
        [GradePoint(h(0), 0), GradePoint(h(4), 1), GradePoint(h(8), 2), GradePoint(h(30), 0)]
    )
    (episode,) = episodes
    assert (episode.onset_at, episode.max_grade, episode.max_grade_at, episode.resolved_at) == (h(4), 2, h(8), h(30))
    assert episode.duration() == timedelta(hours=26)


def test_a_recurrence_within_24_hours_of_resolution_reopens_the_episode():
    points = [GradePoint(h(0), 1), GradePoint(h(10), 0), GradePoint(h(30), 3)]
    (episode,) = toxicity.derive_episodes(points)
    assert episode.max_grade == 3 and episode.is_open


def test_a_recurrence_after_24_hours_is_a_new_episode():
    points = [GradePoint(h(0), 1), GradePoint(h(10), 0), GradePoint(h(35), 1)]
    assert len(toxicity.derive_episodes(points)) == 2


def test_an_open_episode_lasts_until_its_last_positive_assessment():
    (episode,) = toxicity.derive_episodes([GradePoint(h(1), 1), GradePoint(h(5), 1)])
    assert episode.is_open and episode.duration() == timedelta(hours=4)


@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 4)), max_size=40))
def test_episode_maximum_is_the_highest_grade_and_episodes_never_overlap(raw):
    points = [GradePoint(h(hour), grade) for hour, grade in raw]
    episodes = toxicity.derive_episodes(points)
    positive = [p.grade for p in points if p.grade]
    assert max((e.max_grade for e in episodes), default=0) == max(positive, default=0)
    for earlier, later in zip(episodes, episodes[1:], strict=False):
        assert earlier.resolved_at is not None and earlier.resolved_at <= later.onset_at


# --- Fever masking (docs/clinical-rules.md §3.2, §5.3) ------------------------------------------

CRS_FROM_2H = toxicity.derive_episodes([GradePoint(h(2), 1)])  # still open


@pytest.mark.parametrize(
    ("drug", "given_hours", "at_hours", "masked"),
    [
        (MaskingDrug.TOCILIZUMAB, 3, 10, True),
        (MaskingDrug.TOCILIZUMAB, 3, 200, True),  # for as long as the episode stays open
        (MaskingDrug.CORTICOSTEROID, 3, 100, True),
        (MaskingDrug.ANAKINRA, 3, 50, True),
        (MaskingDrug.ANTIPYRETIC, 3, 11, True),
        (MaskingDrug.ANTIPYRETIC, 3, 11.5, False),  # antipyretics: 8 hours
        (MaskingDrug.TOCILIZUMAB, 1, 10, False),  # given before CRS began: prophylaxis does not mask
        (MaskingDrug.ANTIPYRETIC, 12, 10, False),  # not yet given at the time of the assessment
    ],
)
def test_fever_is_masked_by_a_dose_given_after_crs_began(drug, given_hours, at_hours, masked):
    doses = [Dose(h(given_hours), drug)]
    assert toxicity.fever_may_be_masked(at=h(at_hours), crs_episodes=CRS_FROM_2H, doses=doses) is masked


def test_masking_ends_when_the_episode_resolves():
    resolved = toxicity.derive_episodes([GradePoint(h(2), 2), GradePoint(h(40), 0)])
    doses = [Dose(h(3), MaskingDrug.TOCILIZUMAB)]
    assert toxicity.fever_may_be_masked(at=h(39), crs_episodes=resolved, doses=doses)
    assert not toxicity.fever_may_be_masked(at=h(41), crs_episodes=resolved, doses=doses)


def test_no_masking_without_a_crs_episode():
    assert not toxicity.fever_may_be_masked(at=h(5), crs_episodes=[], doses=[Dose(h(4), MaskingDrug.TOCILIZUMAB)])


def test_a_dose_after_the_episode_resolved_does_not_mask():
    resolved = toxicity.derive_episodes([GradePoint(h(2), 1), GradePoint(h(6), 0)])
    assert not toxicity.fever_may_be_masked(
        at=h(12), crs_episodes=resolved, doses=[Dose(h(10), MaskingDrug.ANTIPYRETIC)]
    )


# --- Threshold events -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("temperature", "had_fever", "grade", "previous", "expected"),
    [
        (Decimal("38.0"), False, 1, 0, [EventKind.FIRST_FEVER]),
        (Decimal("37.9"), False, 0, 0, []),
        (Decimal("38.5"), True, 1, 1, []),
        (Decimal("38.5"), True, 1, 0, [EventKind.GRADE_RISE]),
        (Decimal("39.0"), False, 2, 0, [EventKind.FIRST_FEVER, EventKind.CRS_GRADE_2_OR_MORE]),
        (Decimal("39.0"), True, 2, 1, [EventKind.CRS_GRADE_2_OR_MORE]),
        (Decimal("39.0"), True, 3, 2, [EventKind.GRADE_RISE]),
        (Decimal("39.0"), True, 2, 3, []),
        (Decimal("38.2"), False, 0, 0, [EventKind.FIRST_FEVER]),  # fever from another cause still alerts
    ],
)
def test_crs_threshold_events(temperature, had_fever, grade, previous, expected):
    events = toxicity.crs_events(
        temperature_c=temperature, had_fever_before=had_fever, grade=grade, previous_grade=previous
    )
    assert events == expected


@pytest.mark.parametrize(
    ("grade", "previous", "expected"),
    [
        (1, 0, [EventKind.ICANS_ANY_GRADE]),
        (3, 0, [EventKind.ICANS_ANY_GRADE]),
        (2, 1, [EventKind.GRADE_RISE]),
        (1, 2, []),
        (0, 1, []),
    ],
)
def test_icans_threshold_events(grade, previous, expected):
    assert toxicity.icans_events(grade=grade, previous_grade=previous) == expected


# --- Tocilizumab dose limits (docs/clinical-rules.md §5.6) --------------------------------------


def toci(dose, weight=70, age=50, earlier=()):
    return toxicity.tocilizumab_warnings(
        dose_mg=Decimal(dose),
        weight_kg=Decimal(weight),
        age_years=age,
        given_at=h(24),
        earlier_doses_at=[h(x) for x in earlier],
    )


def test_a_standard_dose_has_no_warning():
    assert toci(560) == []  # 8 mg/kg × 70 kg


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"dose": 900, "weight": 120}, "above the 800 mg maximum"),
        ({"dose": 700, "weight": 70}, "above 8 mg/kg for 70 kg (560 mg)"),
        ({"dose": 300, "weight": 20, "age": 6}, "above 12 mg/kg for 20 kg (240 mg)"),
        ({"dose": 560, "earlier": (1, 9, 17)}, "Dose 4 within 24 hours: the limit is 3"),
        ({"dose": 560, "earlier": (-72, -48, -30, 5)}, "Dose 5 in total: the limit is 4"),
        ({"dose": 560, "earlier": (20,)}, "Less than 8 hours"),
        ({"dose": 100, "weight": 12, "age": 1}, "from 2 years"),
    ],
)
def test_tocilizumab_dose_limits_warn(kwargs, words):
    assert any(words in w for w in toci(**kwargs)), toci(**kwargs)


def test_three_doses_in_24_hours_are_within_the_limit():
    assert not any("within 24 hours" in w for w in toci(560, earlier=(8, 16)))
