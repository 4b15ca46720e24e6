"""Tests for tracker.clinical.immune_reconstitution: serum IgG and B-cell aplasia after CAR-T
(docs/clinical-rules.md §9.1).

Sources of the expected values: Hill et al., Blood Rev 2019 (consider replacement at IgG
≤ 400 mg/dL; 400-600 mg/dL with serious recurrent infections); AAAAI 2022 (Otani et al., J Allergy
Clin Immunol 2022;149:1525): IgG < 400 with recurrent infections, or < 150; and the project's
documented decisions for the 600 mg/dL lower limit and the B-cell aplasia threshold.
"""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.clinical.findings import FindingError
from tracker.clinical.immune_reconstitution import (
    AAAAI_PROFOUND_BELOW_MG_DL,
    B_CELL_APLASIA_MAX_CELLS_PER_UL,
    B_CELL_APLASIA_MAX_PERCENT_OF_LYMPHOCYTES,
    HYPOGAMMAGLOBULINAEMIA_BELOW_MG_DL,
    REPLACEMENT_CONSIDER_AT_OR_BELOW_MG_DL,
    RULE_VERSION,
    assess_igg,
    b_cell_aplasia,
)


def test_the_thresholds_are_the_published_ones():
    assert REPLACEMENT_CONSIDER_AT_OR_BELOW_MG_DL == Decimal("400")  # Hill et al. 2019
    assert AAAAI_PROFOUND_BELOW_MG_DL == Decimal("150")  # AAAAI 2022
    assert HYPOGAMMAGLOBULINAEMIA_BELOW_MG_DL == Decimal("600")  # decision §9.1
    assert B_CELL_APLASIA_MAX_CELLS_PER_UL == Decimal("100")  # decision §9.1
    assert B_CELL_APLASIA_MAX_PERCENT_OF_LYMPHOCYTES == Decimal("1")  # decision §9.1


# (row id, IgG mg/dL, recurrent infections, hypogammaglobulinaemia, replacement may be considered)
IGG_TABLE = [
    ("AAAAI: 149 below 150 without infections", 149, False, True, True),
    ("AAAAI: 150 is not below 150, Hill still applies", 150, False, True, True),
    ("Hill: 399 at or below 400 without infections", 399, False, True, True),
    ("Hill: exactly 400 without infections", 400, False, True, True),
    ("Hill: exactly 400 with infections", 400, True, True, True),
    ("401 without infections: no criterion", 401, False, True, False),
    ("Hill band: 401 with infections", 401, True, True, True),
    ("Hill band: 599 with infections", 599, True, True, True),
    ("599 without infections: low but no criterion", 599, False, True, False),
    ("600 is not low, even with infections", 600, True, False, False),
    ("601 not low", 601, False, False, False),
    ("normal adult IgG", 1000, False, False, False),
    ("AAAAI: 0 (undetectable)", 0, False, True, True),
]


@pytest.mark.parametrize(
    ("igg", "infections", "low", "may_consider"),
    [row[1:] for row in IGG_TABLE],
    ids=[row[0] for row in IGG_TABLE],
)
def test_igg_matches_the_published_thresholds(igg, infections, low, may_consider):
    result = assess_igg(igg, recurrent_infections=infections)
    assert result.igg_mg_dl == Decimal(igg)
    assert result.hypogammaglobulinaemia is low
    assert result.replacement_may_be_considered is may_consider
    assert result.rule_version == RULE_VERSION


def test_the_deciding_criterion_comes_first_and_leaves_the_decision_to_the_physician():
    result = assess_igg("380")
    assert result.reasons[0].startswith("IgG 380 mg/dL is at or below 400 mg/dL → IgG replacement may be considered")
    assert "Hill et al., Blood Rev 2019" in result.reasons[0]
    assert "the decision is the physician's" in result.reasons[0]
    assert any("ASBMT advises against replacement without recurrent infections" in r for r in result.reasons)


def test_profound_igg_cites_aaaai_whatever_the_infections():
    result = assess_igg(120)
    assert "below 150 mg/dL" in result.reasons[0]
    assert "AAAAI 2022" in result.reasons[0]


def test_recurrent_infections_below_400_cite_both_hill_and_aaaai():
    result = assess_igg(350, recurrent_infections=True)
    assert "Hill et al." in result.reasons[0]
    assert "AAAAI 2022 also supports it" in result.reasons[1]


def test_igg_below_700_with_infections_points_to_the_aaaai_vaccine_criterion_it_cannot_assess():
    result = assess_igg(650, recurrent_infections=True)
    assert result.replacement_may_be_considered is False
    assert any("below 700 mg/dL" in reason and "not assessed here" in reason for reason in result.reasons)


def test_wording_never_prescribes():
    for igg in (0, 120, 400, 450, 1000):
        for infections in (False, True):
            text = " ".join(assess_igg(igg, recurrent_infections=infections).reasons).lower()
            assert "give " not in text
            assert "must " not in text
            assert "start " not in text


@pytest.mark.parametrize(
    "value",
    [-1, 15001, "abc", None, True],
    ids=["negative", "above 15000", "text", "missing", "boolean"],
)
def test_an_implausible_igg_is_refused_naming_the_field_and_range(value):
    with pytest.raises(FindingError, match=r"serum IgG \(igg_mg_dl\).*between 0 and 15000 mg/dL") as error:
        assess_igg(value)
    assert error.value.field == "igg_mg_dl"


def test_recurrent_infections_must_be_a_flag():
    with pytest.raises(FindingError) as error:
        assess_igg(300, recurrent_infections="yes")
    assert error.value.field == "recurrent_infections"


@given(
    st.decimals(min_value=0, max_value=15000, places=1),
    st.decimals(min_value=0, max_value=15000, places=1),
    st.booleans(),
)
def test_a_lower_igg_never_withdraws_what_a_higher_one_allows(first, second, infections):
    lower, higher = sorted((first, second))
    low_result = assess_igg(lower, recurrent_infections=infections)
    high_result = assess_igg(higher, recurrent_infections=infections)
    assert low_result.hypogammaglobulinaemia >= high_result.hypogammaglobulinaemia
    assert low_result.replacement_may_be_considered >= high_result.replacement_may_be_considered


@given(st.decimals(min_value=0, max_value=15000, places=1))
def test_recurrent_infections_never_withdraw_consideration(igg):
    assert (
        assess_igg(igg, recurrent_infections=True).replacement_may_be_considered
        >= assess_igg(igg, recurrent_infections=False).replacement_may_be_considered
    )


# --- B-cell aplasia -----------------------------------------------------------------------

# (row id, CD19+ cells/µL, lymphocytes ×10⁹/L or None, aplasia)
B_CELL_TABLE = [
    ("none detected", 0, None, True),
    ("99 cells/µL", 99, None, True),
    ("exactly 100 cells/µL", 100, None, True),
    ("101 cells/µL", 101, None, False),
    ("normal adult count", 250, None, False),
    ("1 % of 1.0 ×10⁹/L exactly (10 cells/µL)", 10, "1.0", True),
    ("just over 1 % of 1.0 ×10⁹/L (11 cells/µL)", 11, "1.0", False),
    ("100 cells/µL but 2 % of 5.0 ×10⁹/L", 100, "5.0", False),
    ("101 cells/µL, 0.5 % of 20 ×10⁹/L (CLL-like count)", 101, "20", False),
    ("no lymphocytes, no B cells", 0, 0, True),
]


@pytest.mark.parametrize(
    ("cd19", "lymphocytes", "aplasia"),
    [row[1:] for row in B_CELL_TABLE],
    ids=[row[0] for row in B_CELL_TABLE],
)
def test_b_cell_aplasia_matches_the_documented_threshold(cd19, lymphocytes, aplasia):
    result = b_cell_aplasia(cd19, lymphocytes_10e9_per_l=lymphocytes)
    assert result.aplasia is aplasia
    assert result.rule_version == RULE_VERSION


def test_b_cell_percent_is_computed_exactly():
    result = b_cell_aplasia("15", lymphocytes_10e9_per_l="1.5")
    assert result.percent_of_lymphocytes == Decimal("1")
    assert result.aplasia is True
    assert "1.00 % of lymphocytes" in result.reasons[0]


def test_without_a_lymphocyte_count_the_reason_says_only_the_count_was_checked():
    result = b_cell_aplasia(5)
    assert result.percent_of_lymphocytes is None
    assert result.reasons[0].startswith("CD19+ B cells 5 cells/µL: ≤ 100 cells/µL → B-cell aplasia")
    assert "only the absolute count was checked" in result.reasons[1]


def test_b_cells_present_asks_for_confirmation_on_the_next_sample():
    result = b_cell_aplasia(180)
    assert result.aplasia is False
    assert "above 100 cells/µL" in result.reasons[0]
    assert "confirmed on the next sample" in result.reasons[1]


def test_more_b_cells_than_lymphocytes_is_refused():
    with pytest.raises(FindingError, match="cannot exceed the lymphocyte count") as error:
        b_cell_aplasia(1500, lymphocytes_10e9_per_l="1.2")
    assert error.value.field == "cd19_cells_per_ul"


@pytest.mark.parametrize(
    ("cd19", "lymphocytes", "field", "range_text"),
    [
        (-1, None, "cd19_cells_per_ul", "between 0 and 500000 cells/µL"),
        (None, None, "cd19_cells_per_ul", "between 0 and 500000 cells/µL"),
        (10, 1200, "lymphocytes_10e9_per_l", "between 0 and 500 ×10⁹/L"),
    ],
    ids=["negative B cells", "missing B cells", "lymphocytes typed per µL"],
)
def test_an_implausible_count_is_refused_naming_the_field_and_range(cd19, lymphocytes, field, range_text):
    with pytest.raises(FindingError) as error:
        b_cell_aplasia(cd19, lymphocytes_10e9_per_l=lymphocytes)
    assert error.value.field == field
    assert field in str(error.value)
    assert range_text in str(error.value)


@given(st.integers(min_value=0, max_value=500000), st.integers(min_value=0, max_value=500000))
def test_fewer_b_cells_never_end_aplasia(first, second):
    fewer, more = sorted((first, second))
    assert b_cell_aplasia(fewer).aplasia >= b_cell_aplasia(more).aplasia
