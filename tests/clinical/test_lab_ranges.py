"""Tests for tracker.clinical.lab_ranges: plausibility limits of the late-effect laboratory values
(docs/clinical-rules.md §9.4). Every limit is accepted, the next value out is refused, and the
error names the field and the allowed range."""

from decimal import Decimal

import pytest

from tracker.clinical.findings import FindingError
from tracker.clinical.lab_ranges import LAB_RANGES, check_lab_value, lab_range_problem

# (field, lowest accepted, highest accepted, just below, just above)
LIMITS = [
    ("igg_mg_dl", "0", "15000", "-1", "15000.1"),
    ("cd19_cells_per_ul", "0", "500000", "-0.1", "500001"),
    ("anc_10e9_per_l", "0", "100", "-0.01", "100.01"),
    ("platelets_10e9_per_l", "0", "2000", "-1", "2001"),
    ("haemoglobin_g_dl", "1", "25", "0.9", "25.1"),
    ("lymphocytes_10e9_per_l", "0", "500", "-0.01", "500.01"),
]
LIMIT_IDS = [row[0] for row in LIMITS]


def test_every_late_effect_field_has_a_range():
    assert set(LAB_RANGES) == {row[0] for row in LIMITS}


@pytest.mark.parametrize(("field", "low", "high", "below", "above"), LIMITS, ids=LIMIT_IDS)
def test_both_limits_are_accepted(field, low, high, below, above):
    assert lab_range_problem(field, Decimal(low)) is None
    assert lab_range_problem(field, Decimal(high)) is None
    assert check_lab_value(field, high) == Decimal(high)


@pytest.mark.parametrize(("field", "low", "high", "below", "above"), LIMITS, ids=LIMIT_IDS)
def test_values_just_outside_are_refused_naming_field_and_range(field, low, high, below, above):
    allowed = LAB_RANGES[field]
    for value in (below, above):
        problem = lab_range_problem(field, value)
        assert problem is not None
        assert field in problem
        assert allowed.label in problem
        assert f"between {allowed.low} and {allowed.high} {allowed.unit}" in problem
        assert value in problem
        with pytest.raises(FindingError) as error:
            check_lab_value(field, value)
        assert error.value.field == field
        assert str(error.value) == problem


UNIT_SLIPS = [
    ("anc typed per µL", "anc_10e9_per_l", 500, "500/µL is 0.5 ×10⁹/L"),
    ("platelets typed per µL", "platelets_10e9_per_l", 150000, "150,000/µL is 150 ×10⁹/L"),
    ("haemoglobin typed in g/L", "haemoglobin_g_dl", 95, "95 g/L is 9.5 g/dL"),
    ("lymphocytes typed per µL", "lymphocytes_10e9_per_l", 1200, "1,200/µL is 1.2 ×10⁹/L"),
]


@pytest.mark.parametrize(("field", "value", "hint"), [row[1:] for row in UNIT_SLIPS], ids=[r[0] for r in UNIT_SLIPS])
def test_a_unit_slip_is_refused_with_the_usual_conversion(field, value, hint):
    problem = lab_range_problem(field, value)
    assert problem is not None
    assert hint in problem


ACCEPTED_FORMS = [
    ("int", 1, Decimal("1")),
    ("float without binary noise", 0.1, Decimal("0.1")),
    ("decimal", Decimal("0.499"), Decimal("0.499")),
    ("numeric string", "0.501", Decimal("0.501")),
    ("string with spaces", " 0.5 ", Decimal("0.5")),
]


@pytest.mark.parametrize(("value", "expected"), [row[1:] for row in ACCEPTED_FORMS], ids=[r[0] for r in ACCEPTED_FORMS])
def test_numbers_are_read_exactly_from_every_form(value, expected):
    assert check_lab_value("anc_10e9_per_l", value) == expected


NOT_NUMBERS = [
    ("text", "abc"),
    ("boolean", True),
    ("not a number", "NaN"),
    ("infinity", float("inf")),
    ("list", [1]),
]


@pytest.mark.parametrize("value", [row[1] for row in NOT_NUMBERS], ids=[row[0] for row in NOT_NUMBERS])
def test_a_value_that_is_not_a_number_is_refused_naming_field_and_range(value):
    problem = lab_range_problem("igg_mg_dl", value)
    assert problem == f"serum IgG (igg_mg_dl) must be a number between 0 and 15000 mg/dL; got {value!r}"
    with pytest.raises(FindingError) as error:
        check_lab_value("igg_mg_dl", value)
    assert error.value.field == "igg_mg_dl"


def test_an_empty_value_is_no_problem_for_a_form_but_required_by_a_calculator():
    assert lab_range_problem("platelets_10e9_per_l", None) is None
    with pytest.raises(FindingError, match=r"platelets \(platelets_10e9_per_l\) is required") as error:
        check_lab_value("platelets_10e9_per_l", None)
    assert error.value.field == "platelets_10e9_per_l"


def test_the_message_reads_as_a_sentence_for_the_form():
    assert lab_range_problem("anc_10e9_per_l", 500) == (
        "ANC (anc_10e9_per_l) must be between 0 and 100 ×10⁹/L; got 500 (500/µL is 0.5 ×10⁹/L)"
    )
