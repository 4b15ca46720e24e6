"""Tests for tracker.clinical.cytopenia: ICAHT from an ANC series and CIBMTR neutrophil recovery
(docs/clinical-rules.md §9.2 and §9.3).

Sources of the expected grades: EHA/EBMT consensus (Rejeski et al., Blood 2023;142:865), early
ICAHT by days with ANC ≤ 500/µL (1-6 → 1, 7-13 → 2, 14-30 → 3, all 31 days → 4) and ≤ 100/µL
(≥ 7 → 3, ≥ 14 → 4), late ICAHT by nadir (≤ 1500 → 1, ≤ 1000 → 2, ≤ 500 → 3, ≤ 100 → 4); the
cumulative count with unstable (< 3 day) recoveries from the T-ICAHT table that restates the
N-ICAHT logic; the CIBMTR "initial ANC recovery" instructions; and the decisions numbered in the
module docstring (tests named test_decision_N_...). ANC values are ×10⁹/L: 0.5 = 500/µL.
"""

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.clinical.cytopenia import (
    MAX_CARRY_FORWARD_DAYS,
    RECOVERY_RULE_VERSION,
    RULE_VERSION,
    AncMeasurement,
    grade_icaht,
    neutrophil_recovery,
)
from tracker.clinical.findings import FindingError

HIGH = "2.0"  # well above every ICAHT threshold
SEVERE = "0.3"  # ≤ 0.5, above 0.1
PROFOUND = "0.05"  # ≤ 0.1


def runs(*spans):
    """Daily measurements: each span is (first day, last day, ANC)."""
    return [AncMeasurement(day, value) for first, last, value in spans for day in range(first, last + 1)]


def window_with(first, last, value, *, background=HIGH, through=30):
    """Daily counts on days 0..through: `value` on days first..last, `background` elsewhere."""
    return [AncMeasurement(day, value if first <= day <= last else background) for day in range(0, through + 1)]


# --- Early ICAHT, ANC ≤ 500/µL row ------------------------------------------------------------

# (row id, first neutropenic day, last neutropenic day, expected count, expected grade)
SEVERE_ROW = [
    ("0 days: grade 0", None, None, 0, 0),
    ("1 day: grade 1", 5, 5, 1, 1),
    ("6 days: grade 1", 5, 10, 6, 1),
    ("7 days: grade 2", 5, 11, 7, 2),
    ("13 days: grade 2", 5, 17, 13, 2),
    ("14 days: grade 3", 5, 18, 14, 3),
    ("25 days: grade 3", 5, 29, 25, 3),
    ("30 days (0-29), day 30 recovered: grade 3", 0, 29, 30, 3),
    ("all 31 days 0-30: grade 4", 0, 30, 31, 4),
]


@pytest.mark.parametrize(
    ("first", "last", "count", "grade"), [row[1:] for row in SEVERE_ROW], ids=[row[0] for row in SEVERE_ROW]
)
def test_early_icaht_follows_the_500_per_ul_row(first, last, count, grade):
    measurements = window_with(first, last, SEVERE) if first is not None else window_with(0, -1, SEVERE)
    result = grade_icaht(measurements)
    assert result.days_at_or_below_500 == count
    assert result.days_at_or_below_100 == 0
    assert result.early_grade == grade
    assert result.needs_review is False
    assert result.rule_version == RULE_VERSION


# --- Early ICAHT, ANC ≤ 100/µL row ------------------------------------------------------------

# (row id, days ≤ 0.5 starting day 5, of which the first N are ≤ 0.1, expected grade)
PROFOUND_ROW = [
    ("10 days ≤ 500, 6 of them ≤ 100: grade 2 from the 500 row", 10, 6, 2),
    ("10 days ≤ 500, 7 of them ≤ 100: grade 3", 10, 7, 3),
    ("20 days ≤ 500, 13 of them ≤ 100: grade 3", 20, 13, 3),
    ("20 days ≤ 500, 14 of them ≤ 100: grade 4", 20, 14, 4),
]


@pytest.mark.parametrize(
    ("severe_days", "profound_days", "grade"), [row[1:] for row in PROFOUND_ROW], ids=[row[0] for row in PROFOUND_ROW]
)
def test_early_icaht_follows_the_100_per_ul_row(severe_days, profound_days, grade):
    measurements = runs(
        (0, 4, HIGH),
        (5, 5 + profound_days - 1, PROFOUND),
        (5 + profound_days, 5 + severe_days - 1, SEVERE),
        (5 + severe_days, 30, HIGH),
    )
    result = grade_icaht(measurements)
    assert result.days_at_or_below_500 == severe_days
    assert result.days_at_or_below_100 == profound_days
    assert result.early_grade == grade


def test_the_100_row_decides_first_when_it_gives_the_higher_grade():
    result = grade_icaht(runs((0, 4, HIGH), (5, 11, PROFOUND), (12, 30, HIGH)))
    assert result.early_grade == 3
    assert result.reasons[0].startswith("ANC ≤ 0.1 ×10⁹/L (≤ 100/µL) on 7 days of days 0-30 → grade 3")
    assert any(reason.startswith("Also: ANC ≤ 0.5 ×10⁹/L (≤ 500/µL) on 7 days") for reason in result.reasons)


# --- Exact thresholds (decision 1: ≤, inclusive) -----------------------------------------------

SEVERE_THRESHOLD = [
    ("0.499 (499/µL) counts", "0.499", 1, 1),
    ("0.5 (500/µL) counts", "0.5", 1, 1),
    ("0.50 as Decimal counts", Decimal("0.50"), 1, 1),
    ("0.5 as float counts", 0.5, 1, 1),
    ("0.501 (501/µL) does not count", "0.501", 0, 0),
]


@pytest.mark.parametrize(
    ("value", "count", "grade"), [row[1:] for row in SEVERE_THRESHOLD], ids=[row[0] for row in SEVERE_THRESHOLD]
)
def test_decision_1_the_500_threshold_is_inclusive(value, count, grade):
    result = grade_icaht(window_with(10, 10, value))
    assert result.days_at_or_below_500 == count
    assert result.early_grade == grade


PROFOUND_THRESHOLD = [
    ("0.099 (99/µL) counts", "0.099", 7, 3),
    ("0.1 (100/µL) counts", "0.1", 7, 3),
    ("0.101 (101/µL) does not count", "0.101", 0, 2),
]


@pytest.mark.parametrize(
    ("value", "count", "grade"), [row[1:] for row in PROFOUND_THRESHOLD], ids=[row[0] for row in PROFOUND_THRESHOLD]
)
def test_decision_1_the_100_threshold_is_inclusive(value, count, grade):
    result = grade_icaht(window_with(5, 11, value))
    assert result.days_at_or_below_500 == 7
    assert result.days_at_or_below_100 == count
    assert result.early_grade == grade


# --- Day 30 / 31 boundary ---------------------------------------------------------------------


def test_day_30_belongs_to_early_icaht():
    result = grade_icaht([*window_with(30, 30, SEVERE), AncMeasurement(31, HIGH)])
    assert result.days_at_or_below_500 == 1
    assert result.early_grade == 1
    assert result.late_grade == 0  # the single count after day 30 is above 1.5


def test_day_31_belongs_to_late_icaht():
    result = grade_icaht([*window_with(0, -1, SEVERE), AncMeasurement(31, SEVERE), AncMeasurement(32, SEVERE)])
    assert result.early_grade == 0
    assert result.days_at_or_below_500 == 0
    assert result.late_grade == 3
    assert result.late_nadir == Decimal("0.3")


# --- Decision 2: cumulative days, unstable recoveries counted -------------------------------


def test_decision_2_days_are_cumulative_across_separate_episodes():
    # Two 4-day episodes with a stable 10-day recovery between: 4 + 4 = 8 days → grade 2
    # (the longest single episode would give grade 1).
    result = grade_icaht(runs((0, 2, HIGH), (3, 6, SEVERE), (7, 16, HIGH), (17, 20, SEVERE), (21, 30, HIGH)))
    assert result.days_at_or_below_500 == 8
    assert result.early_grade == 2


RECOVERY_GAPS = [
    ("rise of 1 day is not stable: counted", 1, 10 + 1 + 4, 3),
    ("rise of 2 days is not stable: counted", 2, 10 + 2 + 4, 3),
    ("rise of 3 days is stable: not counted", 3, 10 + 4, 3),
]


@pytest.mark.parametrize(
    ("rise_days", "count", "grade"), [row[1:] for row in RECOVERY_GAPS], ids=[row[0] for row in RECOVERY_GAPS]
)
def test_decision_2_a_rise_shorter_than_3_days_counts_as_neutropenic(rise_days, count, grade):
    # ≤ 0.5 on days 1-10, above 0.5 for `rise_days`, ≤ 0.5 again for 4 days, then recovered.
    measurements = runs(
        (0, 0, HIGH),
        (1, 10, SEVERE),
        (11, 10 + rise_days, "0.8"),
        (11 + rise_days, 14 + rise_days, SEVERE),
        (15 + rise_days, 30, HIGH),
    )
    result = grade_icaht(measurements)
    assert result.days_at_or_below_500 == count
    assert result.early_grade == grade
    bridged = any("not stable" in reason for reason in result.reasons)
    assert bridged is (rise_days < 3)


def test_decision_2_unstable_rise_turns_13_days_into_grade_3():
    # 7 + 6 = 13 days ≤ 0.5 (grade 2) separated by a 2-day rise: 15 counted → grade 3.
    result = grade_icaht(runs((0, 4, HIGH), (5, 11, SEVERE), (12, 13, "0.9"), (14, 19, SEVERE), (20, 30, HIGH)))
    assert result.days_at_or_below_500 == 15
    assert result.early_grade == 3


def test_decision_2_a_rise_at_the_window_end_is_not_bridged():
    # ≤ 0.5 on days 0-28, above on 29-30: the rise is not followed by neutropenia within days 0-30.
    result = grade_icaht(runs((0, 28, SEVERE), (29, 30, HIGH)))
    assert result.days_at_or_below_500 == 29
    assert result.early_grade == 3


# --- Decision 3: sparse series, carry-forward and unknown days ----------------------------------


def test_decision_3_a_value_is_carried_forward_up_to_7_days():
    # Day 0: 0.2; next count day 8: 2.0. Days 1-7 take day 0's value: 8 days ≤ 0.5 → grade 2.
    result = grade_icaht([AncMeasurement(0, "0.2"), AncMeasurement(8, HIGH), *runs((9, 30, HIGH))])
    assert MAX_CARRY_FORWARD_DAYS == 7
    assert result.days_at_or_below_500 == 8
    assert result.early_grade == 2
    assert result.needs_review is False
    assert any("carried forward up to 7 days" in reason for reason in result.reasons)


def test_decision_3_an_interior_gap_longer_than_7_days_leaves_the_grade_open_for_review():
    # Day 0: 0.2, next count day 9: day 8 is 8 days after day 0, so it is unknown.
    result = grade_icaht([AncMeasurement(0, "0.2"), *runs((9, 30, HIGH))])
    assert result.early_grade is None
    assert result.needs_review is True
    assert result.days_at_or_below_500 == 8  # a lower bound
    assert result.reasons[0].startswith(
        "Early ICAHT not final: 1 day of days 0-30 without a usable ANC; at least grade 2"
    )
    assert any("day(s) 8: those days are unknown" in reason for reason in result.reasons)


def test_decision_3_days_after_the_last_count_are_not_measured_yet():
    # Counts on days 0-12 only (the patient is on day 12): days 13-30 are not yet known.
    result = grade_icaht(window_with(2, 9, SEVERE, through=12))
    assert result.early_grade is None
    assert result.needs_review is False
    assert result.days_at_or_below_500 == 8
    assert "at least grade 2" in result.reasons[0]
    assert any("Day(s) 13-30 not measured yet" in reason for reason in result.reasons)


def test_decision_3_known_days_already_giving_grade_4_settle_the_grade():
    # ≤ 0.1 on days 0-13 (14 days) while days 14-30 are not measured yet: grade 4 cannot change.
    result = grade_icaht(runs((0, 13, PROFOUND)))
    assert result.early_grade == 4
    assert result.days_at_or_below_100 == 14


def test_decision_3_a_count_after_day_30_closes_the_early_window():
    # Weekly counts 14, 21, 28, 35: days 29-30 take day 28's value because day 35 follows.
    measurements = [*runs((0, 14, HIGH)), *(AncMeasurement(day, HIGH) for day in (21, 28, 35))]
    assert grade_icaht(measurements).early_grade == 0
    assert grade_icaht(measurements[:-1]).early_grade is None


def test_decision_3_two_counts_on_one_day_count_as_the_lower():
    result = grade_icaht([*window_with(0, -1, SEVERE), AncMeasurement(10, "0.4")])
    assert result.days_at_or_below_500 == 1


def test_measurement_order_does_not_matter():
    measurements = window_with(3, 12, SEVERE)
    assert grade_icaht(measurements) == grade_icaht(list(reversed(measurements)))


# --- Decision 4: no recovery by day 30 --------------------------------------------------------

NO_RECOVERY = [
    ("onset day 1, ≤ 0.5 through day 30 (30 days): grade 4", 1, 30, 4),
    ("onset day 3, through day 30 (28 days): grade 4", 3, 28, 4),
    ("onset day 4, through day 30 (27 days): grade 3", 4, 27, 3),
]


@pytest.mark.parametrize(
    ("onset", "count", "grade"), [row[1:] for row in NO_RECOVERY], ids=[row[0] for row in NO_RECOVERY]
)
def test_decision_4_no_recovery_by_day_30_is_grade_4(onset, count, grade):
    result = grade_icaht(window_with(onset, 30, SEVERE))
    assert result.days_at_or_below_500 == count
    assert result.early_grade == grade
    if grade == 4:
        assert result.reasons[0].startswith(f"ANC ≤ 0.5 ×10⁹/L from day {onset} through day 30 without a stable")


def test_decision_4_an_unstable_rise_does_not_count_as_recovery():
    result = grade_icaht(runs((0, 0, HIGH), (1, 12, SEVERE), (13, 14, "0.7"), (15, 30, SEVERE)))
    assert result.early_grade == 4


# --- Decision 5: censoring -----------------------------------------------------------------------


def test_decision_5_days_from_the_censoring_day_are_left_out():
    # ≤ 0.5 every day 0-20, censored from day 10: days 0-9 count (10 days) → grade 2, and the
    # patient was still neutropenic when censored, so a physician reviews the grade.
    result = grade_icaht(runs((0, 20, SEVERE)), censored_from_day=10)
    assert result.days_at_or_below_500 == 10
    assert result.early_grade == 2
    assert result.needs_review is True
    assert any("Still neutropenic" in reason and "day 10" in reason for reason in result.reasons)


def test_decision_5_censoring_after_recovery_needs_no_review():
    result = grade_icaht(runs((0, 5, SEVERE), (6, 20, HIGH)), censored_from_day=15)
    assert result.early_grade == 1
    assert result.needs_review is False
    assert any("only days 0-14 are counted" in reason for reason in result.reasons)


def test_decision_5_a_censored_series_is_complete_so_its_last_value_is_carried_forward():
    # Last count day 12, death on day 15: days 13-14 take day 12's value, the grade is final.
    result = grade_icaht(runs((0, 12, HIGH)), censored_from_day=15)
    assert result.early_grade == 0


def test_decision_5_censoring_on_day_0_leaves_nothing_to_grade():
    result = grade_icaht(runs((0, 40, SEVERE)), censored_from_day=0)
    assert result.early_grade is None
    assert result.late_grade is None
    assert result.days_at_or_below_500 == 0


def test_decision_5_censoring_before_day_31_leaves_late_icaht_unassessed():
    result = grade_icaht(runs((0, 40, HIGH)), censored_from_day=31)
    assert result.early_grade == 0
    assert result.late_grade is None
    assert result.reasons[1] == "Censored from day 31: late ICAHT (after day 30) not assessed"


def test_decision_5_late_counts_after_censoring_are_ignored():
    measurements = [
        *runs((0, 30, HIGH)),
        AncMeasurement(40, HIGH),
        AncMeasurement(47, HIGH),
        AncMeasurement(60, "0.05"),
    ]
    assert grade_icaht(measurements).late_grade == 0
    assert grade_icaht(measurements, censored_from_day=60).late_grade == 0


# --- Late ICAHT (decision 6) ---------------------------------------------------------------------

# (row id, values after day 30 (days 35, 42, ...), expected grade, needs review)
LATE_TABLE = [
    ("no count after day 30", (), None, False),
    ("1.5 twice: grade 1", ("1.5", "1.5"), 1, False),
    ("1.501 and 1.6: grade 0", ("1.501", "1.6"), 0, False),
    ("1.0 twice: grade 2", ("1.0", "1.0"), 2, False),
    ("1.001 and 1.2: grade 1", ("1.001", "1.2"), 1, False),
    ("0.5 twice: grade 3", ("0.5", "0.5"), 3, False),
    ("0.501 and 0.6: grade 2", ("0.501", "0.6"), 2, False),
    ("0.1 twice: grade 4", ("0.1", "0.1"), 4, False),
    ("0.101 and 0.2: grade 3", ("0.101", "0.2"), 3, False),
    ("nadir 0.05 once, then 1.4: grade 1, review", ("0.05", "1.4"), 1, True),
    ("nadir 1.2 once, then normal: grade 0, review", ("1.2", "2.5", "3.0"), 0, True),
    ("a single count of 0.3: grade 3, review", ("0.3",), 3, True),
    ("a single normal count: grade 0", ("2.5",), 0, False),
]


@pytest.mark.parametrize(
    ("values", "grade", "review"), [row[1:] for row in LATE_TABLE], ids=[row[0] for row in LATE_TABLE]
)
def test_decision_6_late_icaht_is_graded_by_a_confirmed_nadir(values, grade, review):
    late = [AncMeasurement(35 + 7 * index, value) for index, value in enumerate(values)]
    result = grade_icaht([*runs((0, 30, HIGH)), *late])
    assert result.early_grade == 0
    assert result.late_grade == grade
    assert result.needs_review is review
    assert result.late_nadir == (min(Decimal(value) for value in values) if values else None)


def test_decision_6_two_counts_on_one_day_confirm_nothing():
    result = grade_icaht([*runs((0, 30, HIGH)), AncMeasurement(40, "0.3"), AncMeasurement(40, "0.4")])
    assert result.late_grade == 3
    assert result.needs_review is True


def test_decision_6_an_unconfirmed_deeper_nadir_is_named_in_the_reasons():
    result = grade_icaht([*runs((0, 30, HIGH)), AncMeasurement(45, "0.05"), AncMeasurement(52, "1.4")])
    assert result.reasons[1].startswith("ANC ≤ 1.5 ×10⁹/L on at least 2 measurements after day 30")
    assert any("nadir 0.05 ×10⁹/L on day 45 alone would be grade 4" in reason for reason in result.reasons)


def test_decision_7_g_csf_is_not_an_input():
    assert [field.name for field in dataclasses.fields(AncMeasurement)] == ["day", "anc_10e9_per_l"]


# --- ANC series computed by hand -----------------------------------------------------------------


def test_hand_series_a_quick_recovery():
    # Daily days 0-14, then weekly. ≤ 0.5 on days 3 (0.4), 4 (0.2), 5 (0.08), 6 (0.05), 7 (0.09),
    # 8 (0.3): 6 days → early grade 1. ≤ 0.1 on days 5, 6, 7: 3 days (< 7, no effect).
    # Days 15-20 take 2.5 (day 14), 22-27 take 2.8 (day 21), 29-30 take 3.0 (day 28; day 35 follows).
    # After day 30: 2.6 and 2.9, none ≤ 1.5 → late grade 0.
    # CIBMTR: nadir 0.05 on day 6; days 7 (0.09) and 8 (0.3) are below 0.5; 9, 10, 11 are ≥ 0.5
    # → recovered on day 9.
    values = [
        "1.8",
        "1.2",
        "0.6",
        "0.4",
        "0.2",
        "0.08",
        "0.05",
        "0.09",
        "0.3",
        "0.7",
        "1.1",
        "1.5",
        "2.0",
        "2.2",
        "2.5",
    ]
    measurements = [AncMeasurement(day, value) for day, value in enumerate(values)]
    measurements += [AncMeasurement(21, "2.8"), AncMeasurement(28, "3.0"), AncMeasurement(35, "2.6")]
    measurements += [AncMeasurement(42, "2.9")]
    result = grade_icaht(measurements)
    assert (result.early_grade, result.days_at_or_below_500, result.days_at_or_below_100) == (1, 6, 3)
    assert (result.late_grade, result.late_nadir, result.needs_review) == (0, Decimal("2.6"), False)
    recovery = neutrophil_recovery(measurements)
    assert (recovery.recovered_on_day, recovery.nadir, recovery.nadir_day) == (9, Decimal("0.05"), 6)


def test_hand_series_b_biphasic_with_an_unstable_recovery():
    # Day 0: 0.9. Days 1-10 ≤ 0.5 (10 days). Days 11 (0.6) and 12 (0.7) rise for 2 days only, so
    # they are counted (2). Days 13 (0.4), 14 (0.3) ≤ 0.5; days 15-20 take 0.3 (day 14); day 21
    # 0.45 and days 22-27 take it: 2 + 6 + 7 = 15. Day 28 is 0.8, days 29-30 take 0.8.
    # Total 10 + 2 + 15 = 27 days → 14-30 band, grade 3 (day 30 is above 0.5: no decision 4).
    # ≤ 0.1 on days 3 (0.1), 4-7, 8 (0.1): 6 days, under 7. Early grade 3.
    # After day 30: 1.2 (35), 0.9 (42), 1.6 (49). Second lowest 1.2 → late grade 1; the nadir 0.9
    # alone would be grade 2 → needs review.
    # CIBMTR: nadir 0.02 on day 5. 11, 12 are ≥ 0.5 but 13 is not (run reset); 28 (0.8),
    # 35 (1.2), 42 (0.9) are three consecutive values ≥ 0.5 → recovered on day 28.
    early = [
        "0.9",
        "0.4",
        "0.2",
        "0.1",
        "0.05",
        "0.02",
        "0.03",
        "0.06",
        "0.1",
        "0.2",
        "0.3",
        "0.6",
        "0.7",
        "0.4",
        "0.3",
    ]
    measurements = [AncMeasurement(day, value) for day, value in enumerate(early)]
    for day, value in ((21, "0.45"), (28, "0.8"), (35, "1.2"), (42, "0.9"), (49, "1.6")):
        measurements.append(AncMeasurement(day, value))
    result = grade_icaht(measurements)
    assert (result.early_grade, result.days_at_or_below_500, result.days_at_or_below_100) == (3, 27, 6)
    assert (result.late_grade, result.late_nadir, result.needs_review) == (1, Decimal("0.9"), True)
    assert neutrophil_recovery(measurements).recovered_on_day == 28


def test_hand_series_c_aplasia_without_recovery():
    # Day -1 (before infusion) 1.5, day 0 0.6. Days 1 (0.4), 2 (0.2), 3-14 (0.15) ≤ 0.5; 15-20 take
    # 0.15; 21 (0.3) and 22-27; 28 (0.2), 29 takes it, 30 (0.25): every day 1-30 ≤ 0.5 = 30 days
    # (14-30 band, grade 3), but neutropenia began on day 1 ≤ day 3 and never recovered → grade 4.
    # ≤ 0.1: none. After day 30: one count, 0.4 on day 37 → late grade 3, needs a second count.
    # CIBMTR: nadir 0.15 first on day 3, no value ≥ 0.5 after it → not recovered.
    measurements = [AncMeasurement(-1, "1.5"), AncMeasurement(0, "0.6"), AncMeasurement(1, "0.4")]
    measurements += [AncMeasurement(2, "0.2"), *runs((3, 14, "0.15"))]
    for day, value in ((21, "0.3"), (28, "0.2"), (30, "0.25"), (37, "0.4")):
        measurements.append(AncMeasurement(day, value))
    result = grade_icaht(measurements)
    assert (result.early_grade, result.days_at_or_below_500, result.days_at_or_below_100) == (4, 30, 0)
    assert (result.late_grade, result.late_nadir, result.needs_review) == (3, Decimal("0.4"), True)
    recovery = neutrophil_recovery(measurements)
    assert (recovery.recovered_on_day, recovery.nadir_day) == (None, 3)


def test_hand_series_d_censored_by_progression_on_day_18():
    # Day 0: 0.8; days 1-7 0.3; days 8-12 0.05; days 13-17 0.2; next therapy on day 18 (censored).
    # Days 0-17 are counted: ≤ 0.5 on days 1-17 = 17 → grade 3; ≤ 0.1 on days 8-12 = 5 (< 7).
    # Still neutropenic on day 17 → review. Day 18 and 25 counts are after censoring: ignored,
    # and there is no late ICAHT.
    measurements = runs((0, 0, "0.8"), (1, 7, "0.3"), (8, 12, "0.05"), (13, 17, "0.2"))
    measurements += [AncMeasurement(18, "0.1"), AncMeasurement(25, "0.05")]
    result = grade_icaht(measurements, censored_from_day=18)
    assert (result.early_grade, result.days_at_or_below_500, result.days_at_or_below_100) == (3, 17, 5)
    assert (result.late_grade, result.needs_review) == (None, True)


def test_hand_series_e_a_missed_week_needs_review():
    # Days 0 (0.3), 1 (0.2), 2 (0.1), 3 (0.4); next counts 14 (1.0), 21, 28, 35. Days 4-10 take
    # day 3's 0.4 (≤ 7 days later); days 11-13 have nothing within 7 days → unknown.
    # Known: ≤ 0.5 on days 0-10 = 11 (at least grade 2), ≤ 0.1 on day 2 = 1. Early grade open, review.
    measurements = [AncMeasurement(day, value) for day, value in enumerate(["0.3", "0.2", "0.1", "0.4"])]
    measurements += [AncMeasurement(day, value) for day, value in ((14, "1.0"), (21, "1.2"), (28, "1.8"), (35, "2.0"))]
    result = grade_icaht(measurements)
    assert (result.early_grade, result.days_at_or_below_500, result.days_at_or_below_100) == (None, 11, 1)
    assert result.needs_review is True
    assert any("day(s) 11-13: those days are unknown" in reason for reason in result.reasons)


# --- Reasons, validation -------------------------------------------------------------------------


def test_grade_0_says_the_anc_never_fell_to_500():
    result = grade_icaht(runs((0, 30, HIGH)))
    assert result.reasons[0] == "ANC never ≤ 0.5 ×10⁹/L (500/µL) on days 0-30 → early ICAHT grade 0"
    assert result.reasons[1] == "No ANC after day 30: late ICAHT not assessed"


def test_an_empty_series_is_not_graded_and_needs_no_review():
    result = grade_icaht([])
    assert (result.early_grade, result.late_grade, result.needs_review) == (None, None, False)


BAD_MEASUREMENTS = [
    ("day as float", {"day": 1.5, "anc_10e9_per_l": 1}, "day", "between -30 and 5500"),
    ("day as boolean", {"day": True, "anc_10e9_per_l": 1}, "day", "between -30 and 5500"),
    ("day before lymphodepletion", {"day": -31, "anc_10e9_per_l": 1}, "day", "between -30 and 5500"),
    ("day beyond 15 years", {"day": 5501, "anc_10e9_per_l": 1}, "day", "between -30 and 5500"),
    ("ANC typed per µL", {"day": 3, "anc_10e9_per_l": 500}, "anc_10e9_per_l", "between 0 and 100 ×10⁹/L"),
    ("negative ANC", {"day": 3, "anc_10e9_per_l": "-0.1"}, "anc_10e9_per_l", "between 0 and 100 ×10⁹/L"),
    ("ANC as text", {"day": 3, "anc_10e9_per_l": "low"}, "anc_10e9_per_l", "between 0 and 100 ×10⁹/L"),
    ("ANC missing", {"day": 3, "anc_10e9_per_l": None}, "anc_10e9_per_l", "between 0 and 100 ×10⁹/L"),
]


@pytest.mark.parametrize(
    ("kwargs", "field", "range_text"), [row[1:] for row in BAD_MEASUREMENTS], ids=[row[0] for row in BAD_MEASUREMENTS]
)
def test_a_bad_measurement_is_refused_naming_the_field_and_range(kwargs, field, range_text):
    with pytest.raises(FindingError) as error:
        AncMeasurement(**kwargs)
    assert error.value.field == field
    assert field in str(error.value)
    assert range_text in str(error.value)


def test_an_anc_typed_per_ul_names_the_conversion():
    with pytest.raises(FindingError, match=r"500/µL is 0\.5 ×10⁹/L"):
        AncMeasurement(3, 500)


@pytest.mark.parametrize(
    ("measurements", "censored", "field"),
    [
        ("0.3,0.4", None, "measurements"),
        ([0.3, 0.4], None, "measurements"),
        (None, None, "measurements"),
        ([], -1, "censored_from_day"),
        ([], True, "censored_from_day"),
        ([], 2.5, "censored_from_day"),
    ],
    ids=["text", "bare numbers", "no list", "negative censoring day", "boolean censoring", "fractional censoring"],
)
def test_bad_arguments_are_refused_naming_the_field(measurements, censored, field):
    with pytest.raises(FindingError) as error:
        grade_icaht(measurements, censored_from_day=censored)
    assert error.value.field == field


def test_a_measurement_keeps_the_anc_as_an_exact_decimal():
    assert AncMeasurement(3, 0.1).anc_10e9_per_l == Decimal("0.1")
    assert AncMeasurement(3, " 0.45 ").anc_10e9_per_l == Decimal("0.45")


# --- Neutrophil recovery (CIBMTR) ----------------------------------------------------------------

# (row id, (day, ANC) pairs, recovery day)
RECOVERY_TABLE = [
    ("three consecutive values ≥ 0.5 after the nadir", ((0, "1.0"), (3, "0.1"), (4, "0.6"), (5, "0.7"), (6, "0.8")), 4),
    ("exactly 0.5 counts as recovered", ((3, "0.1"), (4, "0.5"), (5, "0.5"), (6, "0.5")), 4),
    ("0.499 does not count", ((3, "0.1"), (4, "0.499"), (5, "0.6"), (6, "0.6"), (7, "0.6")), 5),
    ("a dip resets the count", ((3, "0.1"), (4, "0.6"), (5, "0.7"), (6, "0.4"), (7, "0.6"), (8, "0.8"), (9, "0.9")), 7),
    (
        "values ≥ 0.5 before the nadir are not counted",
        ((0, "2.0"), (1, "1.5"), (2, "1.0"), (5, "0.1"), (8, "0.6"), (9, "0.7"), (10, "0.8")),
        8,
    ),
    ("weekly values count as consecutive", ((7, "0.05"), (14, "0.9"), (21, "1.4"), (28, "2.0")), 14),
    ("only two values ≥ 0.5 so far", ((3, "0.1"), (4, "0.6"), (5, "0.7")), None),
    ("two values on one day count as the lower", ((3, "0.1"), (4, "0.6"), (4, "0.4"), (5, "0.7"), (6, "0.8")), None),
    ("counts before infusion are not read", ((-3, "0.01"), (0, "0.2"), (1, "0.6"), (2, "0.7"), (3, "0.8")), 1),
]


@pytest.mark.parametrize("pairs, day", [row[1:] for row in RECOVERY_TABLE], ids=[row[0] for row in RECOVERY_TABLE])
def test_neutrophil_recovery_follows_the_cibmtr_rule(pairs, day):
    result = neutrophil_recovery([AncMeasurement(d, value) for d, value in pairs])
    assert result.recovered_on_day == day
    assert result.never_below is False
    assert result.rule_version == RECOVERY_RULE_VERSION


def test_recovery_reason_names_the_three_values_and_the_nadir():
    result = neutrophil_recovery(
        [AncMeasurement(d, v) for d, v in ((2, "0.3"), (5, "0.1"), (6, "0.5"), (8, "1"), (9, "2"))]
    )
    assert result.reasons[0] == (
        "ANC ≥ 0.5 ×10⁹/L on 3 consecutive measurements (days 6, 8, 9) after the nadir of 0.1 on day 5 "
        "→ recovered on day 6 (CIBMTR: the first of the three)"
    )


def test_not_recovered_says_how_many_values_are_still_needed():
    result = neutrophil_recovery([AncMeasurement(3, "0.1"), AncMeasurement(4, "0.6"), AncMeasurement(5, "0.7")])
    assert "2 consecutive values ≥ 0.5 since day 4, 3 needed" in result.reasons[0]


def test_an_anc_that_never_fell_below_500_has_nothing_to_recover_from():
    result = neutrophil_recovery(runs((0, 10, "0.5")))
    assert (result.recovered_on_day, result.never_below, result.nadir) == (None, True, Decimal("0.5"))


def test_exactly_500_is_neutropenic_for_icaht_and_recovered_for_cibmtr():
    # The two sources meet at 0.5: ICAHT counts ANC ≤ 500/µL, CIBMTR recovery needs ≥ 0.5.
    measurements = runs((0, 2, HIGH), (3, 3, "0.1"), (4, 10, "0.5"), (11, 30, HIGH))
    assert grade_icaht(measurements).days_at_or_below_500 == 8
    assert neutrophil_recovery(measurements).recovered_on_day == 4


def test_no_count_after_infusion_is_not_assessed():
    result = neutrophil_recovery([AncMeasurement(-2, "0.3")])
    assert result.recovered_on_day is None
    assert result.reasons[0] == "No ANC from day 0 on: neutrophil recovery not assessed"


# --- Properties ----------------------------------------------------------------------------------

anc_values = st.one_of(
    st.sampled_from([Decimal(v) for v in ("0", "0.1", "0.101", "0.5", "0.501", "1.0", "1.5", "1.501")]),
    st.decimals(min_value=0, max_value=3, places=2),
)
series_maps = st.dictionaries(st.integers(min_value=-2, max_value=60), anc_values, min_size=1, max_size=45)
censor_days = st.none() | st.integers(min_value=0, max_value=70)


def as_measurements(values_by_day):
    return [AncMeasurement(day, value) for day, value in values_by_day.items()]


@given(series_maps, censor_days, st.data())
def test_lowering_any_anc_never_lowers_a_grade(values_by_day, censored, data):
    day = data.draw(st.sampled_from(sorted(values_by_day)))
    lowered = {**values_by_day, day: data.draw(st.decimals(min_value=0, max_value=values_by_day[day], places=3))}
    before = grade_icaht(as_measurements(values_by_day), censored_from_day=censored)
    after = grade_icaht(as_measurements(lowered), censored_from_day=censored)
    if before.early_grade is not None:
        assert after.early_grade is not None
        assert after.early_grade >= before.early_grade
    if before.late_grade is not None:
        assert after.late_grade >= before.late_grade
    assert after.days_at_or_below_500 >= before.days_at_or_below_500
    assert after.days_at_or_below_100 >= before.days_at_or_below_100


@given(series_maps, censor_days)
def test_grades_and_counts_stay_in_range(values_by_day, censored):
    result = grade_icaht(as_measurements(values_by_day), censored_from_day=censored)
    assert result.early_grade in (None, 0, 1, 2, 3, 4)
    assert result.late_grade in (None, 0, 1, 2, 3, 4)
    assert 0 <= result.days_at_or_below_100 <= result.days_at_or_below_500 <= 31
    assert result.reasons


@st.composite
def recovered_series(draw):
    """Daily counts on days 0..k (anything), then at least 3 days ≥ 0.6 and counts at most a week
    apart through day 30 or later, all ≥ 0.6: a stable recovery after day k."""
    k = draw(st.integers(min_value=0, max_value=27))
    values = {day: draw(anc_values) for day in range(0, k + 1)}
    for day in range(k + 1, k + 4):
        values[day] = draw(st.decimals(min_value="0.6", max_value=3, places=2))
    day = k + 3
    while day < 30:
        day = min(day + draw(st.integers(min_value=1, max_value=7)), 30)
        values[day] = draw(st.decimals(min_value="0.6", max_value=3, places=2))
    return k, values


@given(recovered_series(), st.data())
def test_a_count_above_every_threshold_after_recovery_does_not_change_the_early_grade(series, data):
    k, values = series
    extra_day = data.draw(st.integers(min_value=k + 1, max_value=60))
    extra = AncMeasurement(extra_day, data.draw(st.decimals(min_value="1.51", max_value=100, places=2)))
    before = grade_icaht(as_measurements(values))
    after = grade_icaht([*as_measurements(values), extra])
    assert before.early_grade is not None
    assert after.early_grade == before.early_grade
    assert after.days_at_or_below_500 == before.days_at_or_below_500
    assert after.days_at_or_below_100 == before.days_at_or_below_100


@given(series_maps, st.randoms())
def test_the_order_of_measurements_never_matters(values_by_day, random):
    measurements = as_measurements(values_by_day)
    shuffled = list(measurements)
    random.shuffle(shuffled)
    assert grade_icaht(shuffled) == grade_icaht(measurements)
    assert neutrophil_recovery(shuffled) == neutrophil_recovery(measurements)
