"""Tests for tracker.clinical.response: the published criteria row by row, every boundary, decisions.

Sources of the expected categories (docs/clinical-rules.md §7): B-ALL, Kröger et al., BBMT
2010;16:1187 Table 4a (CIBMTR ALL criteria) and the 0.01 % MRD threshold; lymphoma, Lugano 2014
(Cheson et al., JCO 32:3059) and Galtier et al., Haematologica 2023;108:171; myeloma, IMWG 2016
(Kumar et al., Lancet Oncol 17:e328); rules across assessments, FDA 2018 endpoints guidance.
Tests named test_decision_N_... check decision N of the module docstring.
"""

import dataclasses
from decimal import Decimal

import pytest

from tracker.clinical.response import (
    ALL_RULE_VERSION,
    LYMPHOMA_RULE_VERSION,
    MYELOMA_RULE_VERSION,
    AllMarrowFindings,
    AllResponse,
    ChangeFromBaseline,
    Disease,
    FindingError,
    LymphomaPetFindings,
    LymphomaResponse,
    MarrowUptake,
    MrdStatus,
    MyelomaFindings,
    MyelomaResponse,
    ResponseResult,
    best_overall_response,
    classify_all,
    classify_lymphoma_pet,
    classify_myeloma,
    disease_for_diagnosis,
    is_complete_response,
    is_response,
    myeloma_confirmations,
    patient_words,
    pet_response_pending,
)

# --- Builders ------------------------------------------------------------------------------


def all_findings(**overrides):
    """A B-ALL marrow in CR with recovered counts, unless the test says otherwise."""
    values = {
        "marrow_blasts_percent": 1,
        "circulating_blasts": False,
        "extramedullary_disease": False,
        "anc_10e9_per_l": "1.5",
        "platelets_10e9_per_l": 150,
        "transfusion_independent": True,
    }
    return AllMarrowFindings(**{**values, **overrides})


def marrow(**overrides):
    return classify_all(all_findings(**overrides))


def pet_findings(**overrides):
    """A Deauville 2 scan with reduced uptake, no new lesions and a clear marrow, unless told otherwise."""
    values = {"deauville_score": 2, "change_from_baseline": "reduced", "new_lesions": False, "marrow": "clear"}
    return LymphomaPetFindings(**{**values, **overrides})


def pet(**overrides):
    return classify_lymphoma_pet(pet_findings(**overrides))


def myeloma_findings(**overrides):
    """Serum-only IgG myeloma, 2.0 g/dL at baseline and now, immunofixation positive, unless told otherwise."""
    values = {
        "baseline_serum_m_protein_g_dl": "2.0",
        "serum_m_protein_g_dl": "2.0",
        "nadir_serum_m_protein_g_dl": None,
        "baseline_urine_m_protein_mg_24h": 0,
        "urine_m_protein_mg_24h": 0,
        "nadir_urine_m_protein_mg_24h": None,
        "serum_immunofixation_negative": False,
        "urine_immunofixation_negative": False,
        "marrow_plasma_cells_percent": 20,
        "flc_ratio_normal": False,
        "clonal_plasma_cells_in_marrow": True,
        "plasmacytomas_present": False,
        "new_bone_lesions_or_plasmacytomas": False,
    }
    return MyelomaFindings(**{**values, **overrides})


def myeloma(**overrides):
    return classify_myeloma(myeloma_findings(**overrides))


# CR criteria all met (serum 0), sCR criteria not.
IN_CR = {
    "serum_m_protein_g_dl": 0,
    "serum_immunofixation_negative": True,
    "urine_immunofixation_negative": True,
    "marrow_plasma_cells_percent": 2,
}
# Both serum (2.0 g/dL) and urine (1000 mg/24 h) measurable at baseline.
BOTH = {"baseline_urine_m_protein_mg_24h": 1000, "urine_m_protein_mg_24h": 1000}
# Urine only: serum 0.5 g/dL at baseline is not measurable.
URINE_ONLY = {
    "baseline_serum_m_protein_g_dl": "0.5",
    "serum_m_protein_g_dl": "0.5",
    "baseline_urine_m_protein_mg_24h": 1000,
}


def rows(table):
    """Parametrize arguments from a table of (id, *values) rows: the first column names each row."""
    return {"argvalues": [row[1:] for row in table], "ids": [row[0] for row in table]}


# --- §7.1 B-ALL marrow response ------------------------------------------------------------

ALL_TABLE = [
    ("CR: blasts < 5 %, no circulating or extramedullary disease, counts recovered", {}, "CR"),
    ("blasts 4.9 % is below 5 %: CR", {"marrow_blasts_percent": "4.9"}, "CR"),
    ("blasts 5.0 % is not below 5 %: NR", {"marrow_blasts_percent": "5.0"}, "NR"),
    (
        "blasts 5.0 % after a remission: relapse",
        {"marrow_blasts_percent": "5.0", "previously_in_remission": True},
        "relapse",
    ),
    ("blasts 80 %: NR", {"marrow_blasts_percent": 80}, "NR"),
    ("circulating blasts with a clear marrow: NR", {"circulating_blasts": True}, "NR"),
    ("extramedullary (CNS) disease with a clear marrow: NR", {"extramedullary_disease": True}, "NR"),
    (
        "extramedullary disease after a remission: relapse",
        {"extramedullary_disease": True, "previously_in_remission": True},
        "relapse",
    ),
    (
        "circulating blasts after a remission: relapse",
        {"circulating_blasts": True, "previously_in_remission": True},
        "relapse",
    ),
    ("remission maintained after a previous remission: CR", {"previously_in_remission": True}, "CR"),
    ("ANC 0.99 is below 1.0: CRi", {"anc_10e9_per_l": "0.99"}, "CRi"),
    ("ANC 1.0 is recovered: CR", {"anc_10e9_per_l": "1.0"}, "CR"),
    ("platelets 99 are below 100: CRi", {"platelets_10e9_per_l": 99}, "CRi"),
    ("platelets 100 are recovered: CR", {"platelets_10e9_per_l": 100}, "CR"),
    ("still transfusion dependent: CRi", {"transfusion_independent": False}, "CRi"),
    ("ANC not recorded: CRi", {"anc_10e9_per_l": None}, "CRi"),
    ("platelets not recorded: CRi", {"platelets_10e9_per_l": None}, "CRi"),
    ("transfusion independence not recorded: CRi", {"transfusion_independent": None}, "CRi"),
    ("low counts do not matter without remission: NR", {"marrow_blasts_percent": 30, "anc_10e9_per_l": 0.1}, "NR"),
]


@pytest.mark.parametrize(("overrides", "expected"), **rows(ALL_TABLE))
def test_all_category_matches_the_cibmtr_table(overrides, expected):
    result = marrow(**overrides)
    assert result.category == expected
    assert isinstance(result.category, AllResponse)
    assert result.rule_version == ALL_RULE_VERSION


def test_all_cr_reason_names_the_deciding_criteria_first():
    reasons = marrow(marrow_blasts_percent="4.9").reasons
    assert reasons[0].startswith("Marrow blasts 4.9 % (below 5 %)")
    assert "→ CR" in reasons[0]


def test_all_cri_reason_names_the_count_not_recovered():
    first = marrow(platelets_10e9_per_l=99).reasons[0]
    assert "platelets 99 ×10⁹/L (below 100)" in first
    assert "ANC" not in first.split("not recovered:")[1]


def test_all_relapse_reason_names_the_blasts():
    first = marrow(marrow_blasts_percent=12, previously_in_remission=True).reasons[0]
    assert first.startswith("Marrow blasts 12 % (5 % or more) after a previous remission → relapse")


MRD_TABLE = [
    ("not done: not_assessed", {"mrd_percent": None}, "not_assessed"),
    ("0.0099 % without a sensitivity: negative", {"mrd_percent": "0.0099"}, "negative"),
    ("0.01 % exactly: positive", {"mrd_percent": "0.01"}, "positive"),
    ("0 %: negative", {"mrd_percent": 0}, "negative"),
    ("2.5 %: positive", {"mrd_percent": "2.5"}, "positive"),
    (
        "0.0099 % with an assay reaching 0.01 %: negative",
        {"mrd_percent": "0.0099", "mrd_sensitivity_percent": "0.01"},
        "negative",
    ),
    (
        "0.0099 % with an assay reaching 0.001 % (10⁻⁵): negative",
        {"mrd_percent": "0.0099", "mrd_sensitivity_percent": "0.001"},
        "negative",
    ),
    (
        "0.0099 % with an assay reaching only 0.1 %: indeterminate",
        {"mrd_percent": "0.0099", "mrd_sensitivity_percent": "0.1"},
        "indeterminate",
    ),
    (
        "undetectable with an assay reaching only 0.1 %: indeterminate",
        {"mrd_percent": 0, "mrd_sensitivity_percent": "0.1"},
        "indeterminate",
    ),
    (
        "0.01 % with an assay reaching only 0.1 %: still positive",
        {"mrd_percent": "0.01", "mrd_sensitivity_percent": "0.1"},
        "positive",
    ),
    (
        "0.011 % just above an assay sensitivity of 0.0101 %: positive",
        {"mrd_percent": "0.011", "mrd_sensitivity_percent": "0.0101"},
        "positive",
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), **rows(MRD_TABLE))
def test_all_mrd_status_against_the_0_01_percent_threshold(overrides, expected):
    result = marrow(**overrides)
    assert result.mrd == expected
    assert isinstance(result.mrd, MrdStatus)


def test_all_mrd_is_reported_whatever_the_morphology():
    result = marrow(marrow_blasts_percent=40, mrd_percent=35)
    assert (result.category, result.mrd) == ("NR", "positive")


def test_all_mrd_positive_does_not_change_a_morphological_cr():
    result = marrow(mrd_percent="0.5")
    assert (result.category, result.mrd) == ("CR", "positive")
    assert result.reasons[0].startswith("Marrow blasts")  # morphology decides the category


def test_decision_1_a_count_not_recorded_is_not_recovered_and_needs_review():
    for field in ("anc_10e9_per_l", "platelets_10e9_per_l", "transfusion_independent"):
        result = marrow(**{field: None})
        assert result.category == "CRi"
        assert result.needs_review
    assert not marrow(platelets_10e9_per_l=50).needs_review  # a low count is a certain CRi
    assert not marrow().needs_review
    assert marrow(anc_10e9_per_l=None, platelets_10e9_per_l=50).needs_review  # literal: any None


def test_decision_1_counts_do_not_matter_without_remission():
    result = marrow(marrow_blasts_percent=50, anc_10e9_per_l=None)
    assert result.category == "NR"
    assert not result.needs_review


def test_decision_2_any_non_remission_marrow_after_remission_is_relapse():
    assert marrow(marrow_blasts_percent=6, previously_in_remission=True).category == "relapse"
    assert marrow(marrow_blasts_percent=6).category == "NR"


def test_decision_3_low_level_mrd_below_the_threshold_is_negative_and_says_so():
    result = marrow(mrd_percent="0.005", mrd_sensitivity_percent="0.001")
    assert result.mrd == "negative"
    assert "detected, but below the 0.01 % threshold" in result.reasons[1]


def test_decision_3_negative_without_a_sensitivity_notes_it_without_review():
    result = marrow(mrd_percent=0)
    assert result.mrd == "negative"
    assert "sensitivity not recorded" in result.reasons[1]
    assert not result.needs_review


def test_all_float_sensitivity_0_01_is_compared_as_written():
    # Decimal(0.01) from the binary float is slightly above 0.01; as written it reaches 10⁻⁴.
    assert marrow(mrd_percent=0.005, mrd_sensitivity_percent=0.01).mrd == "negative"


@pytest.mark.parametrize(
    "blasts", [4.9, "4.9", Decimal("4.9"), " 4.9 "], ids=["float", "str", "Decimal", "str with spaces"]
)
def test_all_number_representation_does_not_change_the_category(blasts):
    assert marrow(marrow_blasts_percent=blasts, anc_10e9_per_l=1.0).category == "CR"
    assert marrow(marrow_blasts_percent=blasts, anc_10e9_per_l="0.99").category == "CRi"


@pytest.mark.parametrize("anc", [1, 1.0, "1.0", Decimal("1.00")], ids=["int", "float", "str", "Decimal"])
def test_all_anc_at_the_threshold_is_recovered_in_every_representation(anc):
    assert marrow(anc_10e9_per_l=anc).category == "CR"


ALL_ERRORS = [
    ("blasts above 100", "marrow_blasts_percent", 100.1),
    ("blasts negative", "marrow_blasts_percent", -1),
    ("blasts not recorded", "marrow_blasts_percent", None),
    ("blasts as text", "marrow_blasts_percent", "many"),
    ("blasts as a bool", "marrow_blasts_percent", True),
    ("blasts not a number", "marrow_blasts_percent", "nan"),
    ("circulating blasts not a bool", "circulating_blasts", "no"),
    ("circulating blasts None", "circulating_blasts", None),
    ("extramedullary not a bool", "extramedullary_disease", 0),
    ("ANC above 100", "anc_10e9_per_l", 101),
    ("ANC negative", "anc_10e9_per_l", "-0.1"),
    ("platelets above 2000", "platelets_10e9_per_l", 2001),
    ("platelets as a bool", "platelets_10e9_per_l", False),
    ("transfusion independence not a bool", "transfusion_independent", "yes"),
    ("MRD above 100", "mrd_percent", 101),
    ("MRD as text", "mrd_percent", "low"),
    ("MRD sensitivity 0", "mrd_sensitivity_percent", 0),
    ("MRD sensitivity above 100", "mrd_sensitivity_percent", 101),
    ("previously in remission None", "previously_in_remission", None),
]


@pytest.mark.parametrize(("field", "value"), **rows(ALL_ERRORS))
def test_all_findings_refuse_a_bad_value_naming_the_field(field, value):
    with pytest.raises(FindingError) as error:
        all_findings(**{field: value})
    assert error.value.field == field
    assert field in str(error.value)


def test_all_range_errors_name_the_allowed_range():
    with pytest.raises(FindingError, match="between 0 and 100"):
        all_findings(marrow_blasts_percent=101)
    with pytest.raises(FindingError, match="greater than 0 and at most 100"):
        all_findings(mrd_sensitivity_percent=0)


def test_findings_and_results_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        all_findings().marrow_blasts_percent = 50
    with pytest.raises(dataclasses.FrozenInstanceError):
        marrow().category = "NR"


def test_all_findings_accept_positional_arguments_in_the_issue_order():
    findings = AllMarrowFindings(3, False, False, 1.2, 150, True, 0.005, 0.001, False)
    result = classify_all(findings)
    assert (result.category, result.mrd) == ("CR", "negative")


# --- §7.2 Lymphoma PET-CT, Lugano 2014 -----------------------------------------------------

LUGANO_TABLE = [
    ("Deauville 1, clear marrow: CMR", {"deauville_score": 1}, "CMR"),
    ("Deauville 2, clear marrow: CMR", {"deauville_score": 2}, "CMR"),
    ("Deauville 3, clear marrow: CMR", {"deauville_score": 3}, "CMR"),
    ("Deauville 3, residual marrow uptake: PMR", {"deauville_score": 3, "marrow": "residual"}, "PMR"),
    ("Deauville 1, residual marrow uptake: PMR", {"deauville_score": 1, "marrow": "residual"}, "PMR"),
    ("Deauville 4, reduced: PMR", {"deauville_score": 4, "change_from_baseline": "reduced"}, "PMR"),
    ("Deauville 5, reduced: PMR", {"deauville_score": 5, "change_from_baseline": "reduced"}, "PMR"),
    (
        "Deauville 4, reduced, residual marrow: PMR",
        {"deauville_score": 4, "change_from_baseline": "reduced", "marrow": "residual"},
        "PMR",
    ),
    ("Deauville 4, unchanged: NMR", {"deauville_score": 4, "change_from_baseline": "unchanged"}, "NMR"),
    ("Deauville 5, unchanged: NMR", {"deauville_score": 5, "change_from_baseline": "unchanged"}, "NMR"),
    (
        "Deauville 5, unchanged, residual marrow: NMR",
        {"deauville_score": 5, "change_from_baseline": "unchanged", "marrow": "residual"},
        "NMR",
    ),
    ("Deauville 4, increased: PMD", {"deauville_score": 4, "change_from_baseline": "increased"}, "PMD"),
    ("Deauville 5, increased: PMD", {"deauville_score": 5, "change_from_baseline": "increased"}, "PMD"),
    ("new FDG-avid lesions at Deauville 2: PMD", {"new_lesions": True}, "PMD"),
    ("new FDG-avid lesions at Deauville 4, reduced: PMD", {"deauville_score": 4, "new_lesions": True}, "PMD"),
    (
        "new or recurrent marrow disease at Deauville 1: PMD",
        {"deauville_score": 1, "marrow": "new_or_recurrent"},
        "PMD",
    ),
    (
        "new or recurrent marrow disease at Deauville 4, reduced: PMD",
        {"deauville_score": 4, "marrow": "new_or_recurrent"},
        "PMD",
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), **rows(LUGANO_TABLE))
def test_lymphoma_category_matches_the_lugano_table(overrides, expected):
    result = pet(**overrides)
    assert result.category == expected
    assert isinstance(result.category, LymphomaResponse)
    assert result.rule_version == LYMPHOMA_RULE_VERSION
    assert result.mrd is None
    assert not result.needs_review


@pytest.mark.parametrize(
    ("score", "expected"), [(3, "CMR"), (4, "NMR")], ids=["Deauville 3: complete", "Deauville 4: residual"]
)
def test_lymphoma_deauville_3_4_boundary(score, expected):
    assert pet(deauville_score=score, change_from_baseline="unchanged").category == expected


@pytest.mark.parametrize("change", list(ChangeFromBaseline), ids=[change.value for change in ChangeFromBaseline])
def test_decision_4_deauville_1_to_3_with_clear_marrow_is_cmr_whatever_the_change(change):
    for score in (1, 2, 3):
        assert pet(deauville_score=score, change_from_baseline=change).category == "CMR"


def test_decision_4_new_disease_decides_first_at_any_score():
    for score in range(1, 6):
        for change in ChangeFromBaseline:
            assert pet(deauville_score=score, change_from_baseline=change, new_lesions=True).category == "PMD"
            assert pet(deauville_score=score, change_from_baseline=change, marrow="new_or_recurrent").category == "PMD"


def test_lymphoma_reason_names_the_deciding_criterion():
    assert (
        pet(deauville_score=4, change_from_baseline="increased")
        .reasons[0]
        .startswith("Deauville 4 (uptake moderately above the liver) with uptake increased from baseline → PMD")
    )
    assert pet(new_lesions=True).reasons[0].startswith("New FDG-avid lesions consistent with lymphoma → PMD")


def test_lymphoma_findings_accept_enum_members():
    findings = pet_findings(change_from_baseline=ChangeFromBaseline.UNCHANGED, marrow=MarrowUptake.CLEAR)
    assert findings.change_from_baseline is ChangeFromBaseline.UNCHANGED


LUGANO_ERRORS = [
    ("Deauville 0", "deauville_score", 0),
    ("Deauville 6", "deauville_score", 6),
    ("Deauville as a float", "deauville_score", 4.0),
    ("Deauville as text", "deauville_score", "4"),
    ("Deauville as a bool", "deauville_score", True),
    ("Deauville X is not scored", "deauville_score", "X"),
    ("unknown change", "change_from_baseline", "better"),
    ("change None", "change_from_baseline", None),
    ("new lesions not a bool", "new_lesions", "no"),
    ("unknown marrow", "marrow", "involved"),
]


@pytest.mark.parametrize(("field", "value"), **rows(LUGANO_ERRORS))
def test_lymphoma_findings_refuse_a_bad_value_naming_the_field(field, value):
    with pytest.raises(FindingError) as error:
        pet_findings(**{field: value})
    assert error.value.field == field


def test_lymphoma_choice_errors_list_the_allowed_values():
    with pytest.raises(FindingError, match="reduced, unchanged, increased"):
        pet_findings(change_from_baseline="better")
    with pytest.raises(FindingError, match="between 1 and 5"):
        pet_findings(deauville_score=6)


PENDING_TABLE = [
    ("PMR Deauville 4 on day 20: before the month-1 window", "PMR", 4, 20, False),
    ("PMR Deauville 4 on day 21: pending", "PMR", 4, 21, True),
    ("PMR Deauville 4 on day 28: pending", "PMR", 4, 28, True),
    ("PMR Deauville 4 on day 60: pending", "PMR", 4, 60, True),
    ("PMR Deauville 4 on day 61: after the window", "PMR", 4, 61, False),
    ("PMR Deauville 4 on day 90: the month-3 scan decides", "PMR", 4, 90, False),
    ("PMR Deauville 5 on day 28: not pending", "PMR", 5, 28, False),
    ("PMR Deauville 3 (residual marrow) on day 28: not pending", "PMR", 3, 28, False),
    ("NMR Deauville 4 on day 28: not pending", "NMR", 4, 28, False),
    ("CMR Deauville 3 on day 28: not pending", "CMR", 3, 28, False),
    ("PMD Deauville 4 on day 28: not pending", "PMD", 4, 28, False),
]


@pytest.mark.parametrize(("category", "score", "day", "expected"), **rows(PENDING_TABLE))
def test_decision_11_month_1_deauville_4_pmr_is_pending_month_3(category, score, day, expected):
    assert pet_response_pending(category, score, day) is expected


@pytest.mark.parametrize(
    ("arguments", "field"),
    [(("CR", 4, 28), "category"), (("PMR", 6, 28), "deauville_score"), (("PMR", 4, 28.0), "day_number")],
    ids=["not a Lugano category", "Deauville 6", "day as a float"],
)
def test_pet_response_pending_refuses_bad_arguments(arguments, field):
    with pytest.raises(FindingError) as error:
        pet_response_pending(*arguments)
    assert error.value.field == field


# --- §7.3 Myeloma, IMWG 2016 -----------------------------------------------------------------

SERUM_FALLS = [
    # Baseline serum 2.0 g/dL, urine not measurable, immunofixation positive.
    ("serum 0.2: exactly 90 % fall: VGPR", "0.2", "VGPR"),
    ("serum 0.202: 89.9 % fall: PR", "0.202", "PR"),
    ("serum 0 with positive immunofixation: VGPR", 0, "VGPR"),
    ("serum 1.0: exactly 50 % fall: PR", "1.0", "PR"),
    ("serum 1.002: 49.9 % fall: MR", "1.002", "MR"),
    ("serum 1.5: exactly 25 % fall: MR", "1.5", "MR"),
    ("serum 1.502: 24.9 % fall: SD", "1.502", "SD"),
    ("serum unchanged: SD", "2.0", "SD"),
    ("serum 2.4, 20 % above baseline but rise < 0.5 g/dL: SD", "2.4", "SD"),
]


@pytest.mark.parametrize(("serum", "expected"), **rows(SERUM_FALLS))
def test_myeloma_serum_fall_thresholds_90_50_25_percent(serum, expected):
    result = myeloma(serum_m_protein_g_dl=serum)
    assert result.category == expected
    assert isinstance(result.category, MyelomaResponse)
    assert result.rule_version == MYELOMA_RULE_VERSION


URINE_TABLE = [
    # Serum 2.0 and urine 1000 mg/24 h at baseline: both measurable.
    ("serum -90 %, urine 99 mg: VGPR", {"serum_m_protein_g_dl": "0.2", "urine_m_protein_mg_24h": 99}, "VGPR"),
    ("serum -90 %, urine 100 mg: not VGPR, PR", {"serum_m_protein_g_dl": "0.2", "urine_m_protein_mg_24h": 100}, "PR"),
    ("serum -50 %, urine 199 mg: PR", {"serum_m_protein_g_dl": "1.0", "urine_m_protein_mg_24h": 199}, "PR"),
    ("serum -50 %, urine 200 mg (-80 %): MR", {"serum_m_protein_g_dl": "1.0", "urine_m_protein_mg_24h": 200}, "MR"),
    ("serum -25 %, urine -50 %: MR", {"serum_m_protein_g_dl": "1.5", "urine_m_protein_mg_24h": 500}, "MR"),
    ("serum -25 %, urine -49.9 %: SD", {"serum_m_protein_g_dl": "1.5", "urine_m_protein_mg_24h": 501}, "SD"),
    ("serum -24.9 %, urine -50 %: SD", {"serum_m_protein_g_dl": "1.502", "urine_m_protein_mg_24h": 500}, "SD"),
    ("serum -50 %, urine unchanged: MR needs urine too: SD", {"serum_m_protein_g_dl": "1.0"}, "SD"),
    ("serum -90 %, urine unchanged: SD", {"serum_m_protein_g_dl": "0.2"}, "SD"),
]


@pytest.mark.parametrize(("overrides", "expected"), **rows(URINE_TABLE))
def test_myeloma_urine_thresholds_100_and_200_mg(overrides, expected):
    assert myeloma(**{**BOTH, **overrides}).category == expected


@pytest.mark.parametrize(
    ("urine", "expected"),
    [(300, "PR"), (301, "MR")],
    ids=["urine -90 % (3000 → 300): PR", "urine -89.97 % (3000 → 301), over 200 mg: MR"],
)
def test_myeloma_pr_urine_90_percent_fall(urine, expected):
    findings = {"baseline_urine_m_protein_mg_24h": 3000, "urine_m_protein_mg_24h": urine, "serum_m_protein_g_dl": "1.0"}
    assert myeloma(**findings).category == expected


URINE_ONLY_TABLE = [
    # Serum 0.5 g/dL at baseline is not measurable: only urine criteria apply (decision 5).
    ("urine 99 mg: VGPR", 99, "VGPR"),
    ("urine 100 mg (-90 %): PR", 100, "PR"),
    ("urine 150 mg: PR", 150, "PR"),
    ("urine 500 mg (-50 %): MR", 500, "MR"),
    ("urine 501 mg: SD", 501, "SD"),
]


@pytest.mark.parametrize(("urine", "expected"), **rows(URINE_ONLY_TABLE))
def test_decision_5_urine_only_disease_is_judged_on_urine(urine, expected):
    assert myeloma(**{**URINE_ONLY, "urine_m_protein_mg_24h": urine}).category == expected


def test_decision_5_urine_not_measurable_skips_the_urine_criteria():
    # Urine 150 mg/24 h at baseline is not measurable, so its rise to 180 does not block VGPR.
    findings = {"baseline_urine_m_protein_mg_24h": 150, "urine_m_protein_mg_24h": 180}
    assert myeloma(serum_m_protein_g_dl="0.2", **findings).category == "VGPR"
    assert myeloma(serum_m_protein_g_dl="1.0", **findings).category == "PR"
    reasons = myeloma(serum_m_protein_g_dl="0.2", **findings).reasons
    assert any("Urine M-protein was not measurable at baseline" in reason for reason in reasons)


def test_decision_5_serum_not_measurable_skips_the_serum_criteria():
    # Serum 0.5 g/dL unchanged does not block a urine VGPR.
    assert myeloma(**{**URINE_ONLY, "urine_m_protein_mg_24h": 50}).category == "VGPR"


@pytest.mark.parametrize(
    ("serum", "urine", "measurable"),
    [("1.0", 0, True), ("0.99", 0, False), (0, 200, True), (0, 199, False), ("0.99", 199, False)],
    ids=["serum 1.0 g/dL", "serum 0.99 g/dL", "urine 200 mg", "urine 199 mg", "both just below"],
)
def test_decision_5_measurable_disease_boundaries(serum, urine, measurable):
    values = {
        "baseline_serum_m_protein_g_dl": serum,
        "serum_m_protein_g_dl": serum,
        "baseline_urine_m_protein_mg_24h": urine,
        "urine_m_protein_mg_24h": urine,
    }
    if measurable:
        assert myeloma(**values).category == "SD"
    else:
        with pytest.raises(FindingError) as error:
            myeloma_findings(**values)
        assert error.value.field == "baseline_serum_m_protein_g_dl"


def test_decision_5_light_chain_only_disease_is_refused_on_the_baseline_serum():
    with pytest.raises(FindingError, match="light-chain-only") as error:
        classify_myeloma(
            myeloma_findings(
                baseline_serum_m_protein_g_dl=0,
                serum_m_protein_g_dl=0,
                baseline_urine_m_protein_mg_24h=0,
                urine_m_protein_mg_24h=0,
            )
        )
    assert error.value.field == "baseline_serum_m_protein_g_dl"


PD_TABLE = [
    # Baseline serum 4.0 g/dL unless given; urine not measurable.
    (
        "rise 0.5 g/dL = 25 % of nadir 2.0: PD",
        {"nadir_serum_m_protein_g_dl": "2.0", "serum_m_protein_g_dl": "2.5"},
        "PD",
    ),
    (
        "rise 0.49 g/dL from nadir 2.0: not PD (37.75 % below baseline: MR)",
        {"nadir_serum_m_protein_g_dl": "2.0", "serum_m_protein_g_dl": "2.49"},
        "MR",
    ),
    (
        "rise 0.5 g/dL = 50 % of nadir 1.0: PD",
        {"nadir_serum_m_protein_g_dl": "1.0", "serum_m_protein_g_dl": "1.5"},
        "PD",
    ),
    (
        "rise 0.5 g/dL but only 16.7 % of nadir 3.0: not PD",
        {"nadir_serum_m_protein_g_dl": "3.0", "serum_m_protein_g_dl": "3.5"},
        "SD",
    ),
    (
        "rise 0.75 g/dL = 25 % of nadir 3.0: PD",
        {"nadir_serum_m_protein_g_dl": "3.0", "serum_m_protein_g_dl": "3.75"},
        "PD",
    ),
    ("from a nadir of 0, rise 0.5 g/dL: PD", {"nadir_serum_m_protein_g_dl": 0, "serum_m_protein_g_dl": "0.5"}, "PD"),
    (
        "from a nadir of 0, rise 0.4 g/dL: not PD (90 % below baseline: VGPR)",
        {"nadir_serum_m_protein_g_dl": 0, "serum_m_protein_g_dl": "0.4"},
        "VGPR",
    ),
    (
        "nadir 5.0, rise 1.0 g/dL (20 %): PD",
        {"baseline_serum_m_protein_g_dl": 8, "nadir_serum_m_protein_g_dl": "5.0", "serum_m_protein_g_dl": "6.0"},
        "PD",
    ),
    (
        "nadir 4.99, rise 1.0 g/dL (20.04 %): not PD (25.1 % below baseline: MR)",
        {"baseline_serum_m_protein_g_dl": 8, "nadir_serum_m_protein_g_dl": "4.99", "serum_m_protein_g_dl": "5.99"},
        "MR",
    ),
    (
        "nadir 5.0, rise 0.99 g/dL: not PD",
        {"baseline_serum_m_protein_g_dl": 8, "nadir_serum_m_protein_g_dl": "5.0", "serum_m_protein_g_dl": "5.99"},
        "MR",
    ),
    (
        "nadir 4.99, rise 1.25 g/dL (25.05 %): PD by the 25 % rule",
        {"baseline_serum_m_protein_g_dl": 8, "nadir_serum_m_protein_g_dl": "4.99", "serum_m_protein_g_dl": "6.24"},
        "PD",
    ),
    ("new bone lesion: PD", {"new_bone_lesions_or_plasmacytomas": True, "serum_m_protein_g_dl": "0.2"}, "PD"),
    ("new plasmacytoma during CR: PD", {"new_bone_lesions_or_plasmacytomas": True, **IN_CR}, "PD"),
]


@pytest.mark.parametrize(("overrides", "expected"), **rows(PD_TABLE))
def test_myeloma_serum_progression_from_the_nadir(overrides, expected):
    assert myeloma(**{"baseline_serum_m_protein_g_dl": "4.0", **overrides}).category == expected


URINE_PD_TABLE = [
    # Urine only (serum 0.5 g/dL not measurable), baseline urine 1000 mg/24 h.
    ("rise 200 mg = 50 % of nadir 400: PD", {"nadir_urine_m_protein_mg_24h": 400, "urine_m_protein_mg_24h": 600}, "PD"),
    (
        "rise 199 mg from nadir 400: not PD (40.1 % below baseline: SD)",
        {"nadir_urine_m_protein_mg_24h": 400, "urine_m_protein_mg_24h": 599},
        "SD",
    ),
    (
        "rise 199 mg from nadir 300: not PD (50.1 % below baseline: MR)",
        {"nadir_urine_m_protein_mg_24h": 300, "urine_m_protein_mg_24h": 499},
        "MR",
    ),
    (
        "rise 200 mg but 20 % of nadir 1000: not PD",
        {"nadir_urine_m_protein_mg_24h": 1000, "urine_m_protein_mg_24h": 1200},
        "SD",
    ),
    (
        "rise 250 mg = 25 % of nadir 1000: PD",
        {"nadir_urine_m_protein_mg_24h": 1000, "urine_m_protein_mg_24h": 1250},
        "PD",
    ),
    ("from a nadir of 0, rise 200 mg: PD", {"nadir_urine_m_protein_mg_24h": 0, "urine_m_protein_mg_24h": 200}, "PD"),
    (
        "from a nadir of 0, rise 199 mg: not PD (PR)",
        {"nadir_urine_m_protein_mg_24h": 0, "urine_m_protein_mg_24h": 199},
        "PR",
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), **rows(URINE_PD_TABLE))
def test_myeloma_urine_progression_from_the_nadir(overrides, expected):
    assert myeloma(**{**URINE_ONLY, **overrides}).category == expected


def test_decision_5_no_serum_progression_when_serum_was_not_measurable():
    # Serum 0.5 at baseline (not measurable) rising from 0 to 0.9 g/dL is not applied.
    result = myeloma(
        **{**URINE_ONLY, "urine_m_protein_mg_24h": 1000, "nadir_serum_m_protein_g_dl": 0, "serum_m_protein_g_dl": "0.9"}
    )
    assert result.category == "SD"


def test_decision_5_no_urine_progression_when_urine_was_not_measurable():
    # Urine 150 at baseline (not measurable) rising from 0 to 400 mg/24 h is not applied.
    result = myeloma(baseline_urine_m_protein_mg_24h=150, nadir_urine_m_protein_mg_24h=0, urine_m_protein_mg_24h=400)
    assert result.category == "SD"


def test_myeloma_pd_reason_names_the_rise():
    first = myeloma(nadir_serum_m_protein_g_dl="1.0", serum_m_protein_g_dl="1.5").reasons[0]
    assert first.startswith("Serum M-protein 1.5 g/dL is 0.5 g/dL above its nadir 1.0 g/dL")
    assert "→ PD" in first


@pytest.mark.parametrize(
    ("serum", "expected"),
    [("2.5", "PD"), ("2.49", "SD"), ("1.9", "SD")],
    ids=["rise 0.5 from baseline 2.0: PD", "rise 0.49: SD", "below baseline: SD"],
)
def test_decision_6_a_missing_nadir_is_the_baseline(serum, expected):
    assert myeloma(nadir_serum_m_protein_g_dl=None, serum_m_protein_g_dl=serum).category == expected
    assert myeloma(nadir_serum_m_protein_g_dl="2.0", serum_m_protein_g_dl=serum).category == expected
    lower = min(Decimal("2.0"), Decimal(serum))
    assert myeloma(nadir_serum_m_protein_g_dl=lower, serum_m_protein_g_dl=serum).category == expected


def test_decision_6_a_missing_nadir_is_noted():
    reasons = myeloma().reasons
    assert "No serum nadir recorded: the baseline is used as the lowest value" in reasons


def test_decision_6_a_nadir_above_baseline_is_used_but_flagged():
    result = myeloma(nadir_serum_m_protein_g_dl="3.0", serum_m_protein_g_dl="3.5")
    assert result.category == "SD"  # rise 0.5 is only 16.7 % of 3.0
    assert result.needs_review
    assert any("nadir 3.0 g/dL is above the baseline" in reason for reason in result.reasons)


CR_TABLE = [
    # Serum 2.0 → 0 g/dL; the CR criteria, each removed in turn.
    ("IFE negative both, no plasmacytoma, marrow 2 %: CR", {}, "CR", False),
    ("marrow plasma cells 4.9 %: CR", {"marrow_plasma_cells_percent": "4.9"}, "CR", False),
    ("marrow plasma cells 5.0 %: VGPR", {"marrow_plasma_cells_percent": "5.0"}, "VGPR", False),
    ("serum immunofixation positive: VGPR", {"serum_immunofixation_negative": False}, "VGPR", False),
    ("urine immunofixation positive: VGPR", {"urine_immunofixation_negative": False}, "VGPR", False),
    ("plasmacytoma still present: VGPR", {"plasmacytomas_present": True}, "VGPR", False),
    ("serum immunofixation not done: VGPR, review", {"serum_immunofixation_negative": None}, "VGPR", True),
    ("urine immunofixation not done: VGPR, review", {"urine_immunofixation_negative": None}, "VGPR", True),
    ("marrow not done: VGPR, review", {"marrow_plasma_cells_percent": None}, "VGPR", True),
    ("plasmacytoma imaging not done: VGPR, review", {"plasmacytomas_present": None}, "VGPR", True),
    (
        "urine IFE positive and marrow not done: VGPR, no review (CR is already excluded)",
        {"urine_immunofixation_negative": False, "marrow_plasma_cells_percent": None},
        "VGPR",
        False,
    ),
    (
        "CR plus normal FLC ratio and no clonal plasma cells: sCR",
        {"flc_ratio_normal": True, "clonal_plasma_cells_in_marrow": False},
        "sCR",
        False,
    ),
    (
        "CR with clonal plasma cells: CR",
        {"flc_ratio_normal": True, "clonal_plasma_cells_in_marrow": True},
        "CR",
        False,
    ),
    (
        "CR with abnormal FLC ratio: CR",
        {"flc_ratio_normal": False, "clonal_plasma_cells_in_marrow": False},
        "CR",
        False,
    ),
    ("CR, FLC not done: CR, review", {"flc_ratio_normal": None, "clonal_plasma_cells_in_marrow": False}, "CR", True),
    (
        "CR, clonality not done: CR, review",
        {"flc_ratio_normal": True, "clonal_plasma_cells_in_marrow": None},
        "CR",
        True,
    ),
    (
        "CR, FLC abnormal and clonality not done: CR, no review (sCR is already excluded)",
        {"flc_ratio_normal": False, "clonal_plasma_cells_in_marrow": None},
        "CR",
        False,
    ),
    (
        "immunofixation negative and marrow < 5 % with a 50 % fall: CR (IFE decides, not the fall)",
        {"serum_m_protein_g_dl": "1.0"},
        "CR",
        True,
    ),
]


@pytest.mark.parametrize(("overrides", "expected", "review"), **rows(CR_TABLE))
def test_decision_8_myeloma_cr_and_scr_criteria(overrides, expected, review):
    result = myeloma(**{**IN_CR, **overrides})
    assert result.category == expected
    assert result.needs_review is review


def test_decision_8_cr_needs_no_measurability_of_the_component_it_tests():
    # Urine not measurable at baseline; the urine immunofixation still has to be negative.
    assert myeloma(**{**IN_CR, "urine_immunofixation_negative": False}).category == "VGPR"
    assert myeloma(**IN_CR).category == "CR"


def test_decision_8_negative_immunofixation_with_m_protein_is_flagged():
    result = myeloma(**{**IN_CR, "serum_m_protein_g_dl": "0.1"})
    assert result.category == "CR"
    assert result.needs_review
    assert any("contradictory" in reason for reason in result.reasons)


def test_myeloma_reasons_put_the_deciding_criterion_first():
    vgpr = myeloma(serum_m_protein_g_dl="0.2").reasons
    assert (
        vgpr[0]
        == "Serum M-protein 0.2 g/dL (90 % below baseline 2.0 g/dL), VGPR needs ≥ 90 % fall: met → VGPR (IMWG 2016)"
    )
    pr = myeloma(serum_m_protein_g_dl="0.202").reasons
    assert pr[0].startswith("Serum M-protein 0.202 g/dL (89.9 % below baseline 2.0 g/dL)")
    assert pr[1].startswith("Not VGPR")
    assert myeloma().reasons[0].startswith("No progression and no response criteria met")


def test_myeloma_fall_in_reasons_is_rounded_down_never_overstated():
    # 1 - 0.20001/2.0 = 89.9995 %: shown as 89.9 %, never as 90.0 %.
    assert "89.9 % below" in myeloma(serum_m_protein_g_dl="0.20001").reasons[0]


@pytest.mark.parametrize(
    "value",
    [0.1, "0.1", Decimal("0.1"), Decimal("0.10")],
    ids=["float", "str", "Decimal", "Decimal with a trailing zero"],
)
def test_myeloma_float_0_1_is_compared_as_decimal_0_1(value):
    # Baseline 1.0 → 0.1 is exactly a 90 % fall; the binary float 0.1 would be just short of it.
    result = myeloma(baseline_serum_m_protein_g_dl=1.0, serum_m_protein_g_dl=value)
    assert result.category == "VGPR"


@pytest.mark.parametrize(
    ("nadir", "serum"),
    [(5, 6), (5.0, 6.0), ("5.0", "6.0"), (Decimal("5"), Decimal("6.00"))],
    ids=["int", "float", "str", "Decimal"],
)
def test_myeloma_representation_does_not_change_progression(nadir, serum):
    values = {"baseline_serum_m_protein_g_dl": 8, "nadir_serum_m_protein_g_dl": nadir, "serum_m_protein_g_dl": serum}
    assert myeloma(**values).category == "PD"


MYELOMA_ERRORS = [
    ("baseline serum above 20", "baseline_serum_m_protein_g_dl", 21),
    ("baseline serum negative", "baseline_serum_m_protein_g_dl", -1),
    ("baseline serum None", "baseline_serum_m_protein_g_dl", None),
    ("serum as text", "serum_m_protein_g_dl", "high"),
    ("serum None", "serum_m_protein_g_dl", None),
    ("serum nadir above 20", "nadir_serum_m_protein_g_dl", "20.1"),
    ("baseline urine above 20000", "baseline_urine_m_protein_mg_24h", 20001),
    ("urine negative", "urine_m_protein_mg_24h", -5),
    ("urine None", "urine_m_protein_mg_24h", None),
    ("urine nadir as a bool", "nadir_urine_m_protein_mg_24h", True),
    ("serum immunofixation as text", "serum_immunofixation_negative", "negative"),
    ("urine immunofixation as a number", "urine_immunofixation_negative", 1),
    ("marrow plasma cells above 100", "marrow_plasma_cells_percent", 101),
    ("FLC ratio as text", "flc_ratio_normal", "normal"),
    ("clonal plasma cells as a number", "clonal_plasma_cells_in_marrow", 0),
    ("plasmacytomas as text", "plasmacytomas_present", "none"),
    ("new lesions None", "new_bone_lesions_or_plasmacytomas", None),
]


@pytest.mark.parametrize(("field", "value"), **rows(MYELOMA_ERRORS))
def test_myeloma_findings_refuse_a_bad_value_naming_the_field(field, value):
    with pytest.raises(FindingError) as error:
        myeloma_findings(**{field: value})
    assert error.value.field == field


def test_myeloma_range_errors_name_the_allowed_range():
    with pytest.raises(FindingError, match="between 0 and 20 g/dL"):
        myeloma_findings(serum_m_protein_g_dl=21)
    with pytest.raises(FindingError, match="between 0 and 20000 mg/24 h"):
        myeloma_findings(urine_m_protein_mg_24h=20001)
    with pytest.raises(FindingError, match="True, False or None"):
        myeloma_findings(flc_ratio_normal="yes")


def test_finding_error_is_a_value_error():
    assert issubclass(FindingError, ValueError)


def test_myeloma_findings_accept_positional_arguments_in_the_issue_order():
    findings = MyelomaFindings(2.0, 0.2, None, 0, 0, None, False, False, 20, None, None, False, False)
    assert classify_myeloma(findings).category == "VGPR"


def test_result_category_compares_equal_to_its_string():
    result = myeloma(**IN_CR)
    assert isinstance(result, ResponseResult)
    assert result.category == "CR"
    assert result.category == MyelomaResponse.CR
    assert result.mrd is None
    assert isinstance(result.reasons, tuple)


# --- §7.4 Rules across assessments -----------------------------------------------------------

DIAGNOSES = [
    ("b_all", "b_all", "b_all"),
    ("lbcl", "lbcl", "lymphoma"),
    ("follicular", "follicular", "lymphoma"),
    ("mantle_cell", "mantle_cell", "lymphoma"),
    ("multiple_myeloma", "multiple_myeloma", "myeloma"),
    ("cll: iwCLL, not Lugano", "cll", None),
    ("other: not classifiable", "other", None),
]


@pytest.mark.parametrize(("code", "expected"), **rows(DIAGNOSES))
def test_decision_12_disease_for_each_tracker_diagnosis(code, expected):
    disease = disease_for_diagnosis(code)
    assert disease == expected
    if expected is not None:
        assert isinstance(disease, Disease)


@pytest.mark.parametrize("code", ["hodgkin", "", None, "B_ALL"], ids=["unknown", "empty", "None", "wrong case"])
def test_decision_12_an_unknown_diagnosis_code_is_refused(code):
    with pytest.raises(FindingError) as error:
        disease_for_diagnosis(code)
    assert error.value.field == "diagnosis"


ENDPOINTS = [
    # (id, disease, category, counts for ORR, counts as CR)
    ("B-ALL CR", "b_all", "CR", True, True),
    ("B-ALL CRi", "b_all", "CRi", True, True),
    ("B-ALL NR", "b_all", "NR", False, False),
    ("B-ALL relapse", "b_all", "relapse", False, False),
    ("lymphoma CMR", "lymphoma", "CMR", True, True),
    ("lymphoma PMR", "lymphoma", "PMR", True, False),
    ("lymphoma NMR", "lymphoma", "NMR", False, False),
    ("lymphoma PMD", "lymphoma", "PMD", False, False),
    ("myeloma sCR", "myeloma", "sCR", True, True),
    ("myeloma CR", "myeloma", "CR", True, True),
    ("myeloma VGPR", "myeloma", "VGPR", True, False),
    ("myeloma PR", "myeloma", "PR", True, False),
    ("myeloma MR", "myeloma", "MR", False, False),
    ("myeloma SD", "myeloma", "SD", False, False),
    ("myeloma PD", "myeloma", "PD", False, False),
]


@pytest.mark.parametrize(("disease", "category", "response", "complete"), **rows(ENDPOINTS))
def test_orr_and_cr_rate_membership(disease, category, response, complete):
    assert is_response(disease, category) is response
    assert is_complete_response(disease, category) is complete
    assert is_response(Disease(disease), category) is response


@pytest.mark.parametrize(
    ("disease", "category", "field"),
    [("lymphoma", "CR", "category"), ("myeloma", "CRi", "category"), ("leukaemia", "CR", "disease")],
    ids=["CR is not a Lugano category", "CRi is not an IMWG category", "unknown disease"],
)
def test_endpoint_rules_refuse_a_category_of_another_disease(disease, category, field):
    for rule in (is_response, is_complete_response):
        with pytest.raises(FindingError) as error:
            rule(disease, category)
        assert error.value.field == field


BEST_RESPONSE = [
    ("no assessments: None", "lymphoma", [], None),
    ("one CMR", "lymphoma", ["CMR"], "CMR"),
    ("PMR then CMR: CMR", "lymphoma", ["PMR", "CMR"], "CMR"),
    ("CMR then PMR: CMR", "lymphoma", ["CMR", "PMR"], "CMR"),
    ("PMR, PMD, CMR: the CMR after progression does not count", "lymphoma", ["PMR", "PMD", "CMR"], "PMR"),
    ("PMD first: PMD", "lymphoma", ["PMD", "CMR"], "PMD"),
    ("NMR, NMR: NMR", "lymphoma", ["NMR", "NMR"], "NMR"),
    ("CRi, CR, relapse: CR", "b_all", ["CRi", "CR", "relapse"], "CR"),
    ("CR, relapse, CR: CR", "b_all", ["CR", "relapse", "CR"], "CR"),
    ("NR, CRi: CRi", "b_all", ["NR", "CRi"], "CRi"),
    ("relapse then CR: relapse", "b_all", ["relapse", "CR"], "relapse"),
    ("NR only: NR", "b_all", ["NR"], "NR"),
    ("PR, VGPR, CR, sCR: sCR", "myeloma", ["PR", "VGPR", "CR", "sCR"], "sCR"),
    ("MR, PR, PD, CR: PR", "myeloma", ["MR", "PR", "PD", "CR"], "PR"),
    ("SD, MR: MR", "myeloma", ["SD", "MR"], "MR"),
    ("PD, sCR: PD", "myeloma", ["PD", "sCR"], "PD"),
]


@pytest.mark.parametrize(("disease", "categories", "expected"), **rows(BEST_RESPONSE))
def test_decision_9_best_overall_response_until_progression(disease, categories, expected):
    best = best_overall_response(disease, categories)
    assert best == expected
    if expected is not None:
        assert type(best).__name__.endswith("Response")


def test_best_overall_response_refuses_bad_categories():
    with pytest.raises(FindingError) as error:
        best_overall_response("myeloma", ["PR", "CMR"])
    assert error.value.field == "categories"
    with pytest.raises(FindingError):
        best_overall_response("myeloma", "PR")


CONFIRMATIONS = [
    ("nothing", [], []),
    ("a single PR is unconfirmed", ["PR"], [False]),
    ("PR, PR: both confirmed", ["PR", "PR"], [True, True]),
    ("PR, VGPR: the PR is confirmed, the VGPR not yet", ["PR", "VGPR"], [True, False]),
    ("VGPR, PR: the PR is confirmed by the VGPR before it", ["VGPR", "PR"], [False, True]),
    ("PR, VGPR, VGPR", ["PR", "VGPR", "VGPR"], [True, True, True]),
    ("PR, SD: PR unconfirmed, SD needs none", ["PR", "SD"], [False, True]),
    ("a single PD is unconfirmed", ["PD"], [False]),
    ("PD, PD: both confirmed", ["PD", "PD"], [True, True]),
    ("PR, PD, PR: nothing confirmed", ["PR", "PD", "PR"], [False, False, False]),
    ("CR, PD, PD", ["CR", "PD", "PD"], [False, True, True]),
    ("MR, sCR: MR confirmed", ["MR", "sCR"], [True, False]),
    ("PD, SD: PD unconfirmed", ["PD", "SD"], [False, True]),
]


@pytest.mark.parametrize(("categories", "expected"), **rows(CONFIRMATIONS))
def test_decision_10_myeloma_confirmation_by_an_adjacent_assessment(categories, expected):
    assert myeloma_confirmations(categories) == expected


def test_myeloma_confirmations_refuse_a_non_myeloma_category():
    with pytest.raises(FindingError) as error:
        myeloma_confirmations(["PR", "CMR"])
    assert error.value.field == "categories_in_time_order"


# --- §7.5 Patient wording ----------------------------------------------------------------------

EVERY_CATEGORY = [
    (disease, category)
    for disease in Disease
    for category in {
        Disease.B_ALL: AllResponse,
        Disease.LYMPHOMA: LymphomaResponse,
        Disease.MYELOMA: MyelomaResponse,
    }[disease]
]
JARGON = (
    "CR",
    "PMR",
    "NMR",
    "PMD",
    "CMR",
    "VGPR",
    "MRD",
    "Deauville",
    "remission",
    "progress",
    "M-protein",
    "refractory",
)


def test_patient_words_match_the_example():
    assert patient_words("b_all", "CR", "day +28 marrow") == "Your day +28 marrow showed no leukaemia."


def test_patient_words_for_progression_say_what_happens_next():
    sentence = patient_words("lymphoma", "PMD", "month 3 PET-CT scan")
    assert sentence.startswith("Your month 3 PET-CT scan showed that the lymphoma is growing or has come back.")
    assert sentence.endswith("Your care team will talk with you about what happens next.")
    for disease, category in (("b_all", "relapse"), ("b_all", "NR"), ("myeloma", "PD")):
        assert patient_words(disease, category, "test").endswith("what happens next.")


@pytest.mark.parametrize(
    ("disease", "category"), EVERY_CATEGORY, ids=[f"{disease} {category}" for disease, category in EVERY_CATEGORY]
)
def test_patient_words_cover_every_category_in_plain_words(disease, category):
    sentence = patient_words(disease, category, "month 1 check")
    assert sentence.startswith("Your month 1 check showed ")
    assert sentence.endswith(".")
    for word in JARGON:
        assert word not in sentence.replace("care team", "")


def test_patient_words_differ_between_diseases_for_the_same_code():
    assert patient_words("b_all", "CR", "test") != patient_words("myeloma", "CR", "test")
    assert "myeloma" in patient_words("myeloma", "CR", "test")


@pytest.mark.parametrize(
    ("arguments", "field"),
    [(("b_all", "CR", ""), "what"), (("b_all", "CR", None), "what"), (("b_all", "CMR", "scan"), "category")],
    ids=["empty what", "what None", "category of another disease"],
)
def test_patient_words_refuse_bad_arguments(arguments, field):
    with pytest.raises(FindingError) as error:
        patient_words(*arguments)
    assert error.value.field == field
