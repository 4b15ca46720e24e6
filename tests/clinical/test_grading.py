"""Tests for tracker.grading: the ASTCT 2019 tables row by row, boundaries and the decisions.

Source of every expected grade: ASTCT 2019 (Lee et al., BBMT 25:625) as restated in
docs/clinical-rules.md §3.1–§3.5 (CRS), §4.1–§4.5 (ICANS) and the decisions listed in the grading module.
"""

import dataclasses
from decimal import Decimal
from fractions import Fraction

import pytest

from tracker.clinical import grading
from tracker.clinical.grading import (
    FEVER_THRESHOLD_C,
    ICE_MIN_AGE_YEARS,
    LOW_FLOW_MAX_L_MIN,
    RULE_VERSION,
    CrsFindings,
    FindingError,
    GradeResult,
    IcansFindings,
    LevelOfConsciousness,
    MotorFinding,
    OxygenDevice,
    RaisedIcpFinding,
    Seizure,
    Vasopressor,
    celsius_for_display,
    classify_seizure,
    fahrenheit_to_celsius,
    grade_crs,
    grade_icans,
)

FEVER = 38.6
ADULT = 45
CHILD = 8


def crs(**overrides):
    """Grade CRS findings; a febrile patient unless the test says otherwise."""
    return grade_crs(CrsFindings(**{"temperature_c": FEVER, **overrides}))


def icans(**overrides):
    """Grade ICANS findings; an adult with ICE 10 unless the test says otherwise."""
    return grade_icans(IcansFindings(**{"age_years": ADULT, "ice_score": 10, **overrides}))


def child_icans(**overrides):
    """Grade ICANS findings; a child of 8 with CAPD 0 unless the test says otherwise."""
    return grade_icans(IcansFindings(**{"age_years": CHILD, "capd_score": 0, **overrides}))


# --- CRS table (docs/clinical-rules.md §3.1), one row per criterion ---------------------------

CRS_TABLE = [
    # (row id, findings, expected grade)
    ("no fever: criteria not met", {"temperature_c": 37.0}, 0),
    ("grade 1: fever, no hypotension, no hypoxia", {}, 1),
    ("grade 2: hypotension not needing vasopressors", {"hypotension": True}, 2),
    (
        "grade 2: low-flow nasal cannula <= 6 L/min",
        {"oxygen_device": "nasal_cannula", "oxygen_flow_l_min": 3},
        2,
    ),
    ("grade 2: blow-by oxygen", {"oxygen_device": "blow_by"}, 2),
    (
        "grade 3: hypotension needing one vasopressor",
        {"hypotension": True, "vasopressors": ["norepinephrine"]},
        3,
    ),
    (
        "grade 3: one vasopressor with vasopressin",
        {"hypotension": True, "vasopressors": ["norepinephrine", "vasopressin"]},
        3,
    ),
    (
        "grade 3: high-flow nasal cannula > 6 L/min",
        {"oxygen_device": "high_flow_nasal_cannula", "oxygen_flow_l_min": 40},
        3,
    ),
    (
        "grade 3: nasal cannula above 6 L/min",
        {"oxygen_device": "nasal_cannula", "oxygen_flow_l_min": 8},
        3,
    ),
    ("grade 3: facemask", {"oxygen_device": "simple_face_mask", "oxygen_flow_l_min": 8}, 3),
    ("grade 3: non-rebreather mask", {"oxygen_device": "non_rebreather_mask"}, 3),
    ("grade 3: Venturi mask", {"oxygen_device": "venturi_mask"}, 3),
    (
        "grade 4: multiple vasopressors (vasopressin not counted)",
        {"hypotension": True, "vasopressors": ["norepinephrine", "epinephrine"]},
        4,
    ),
    ("grade 4: positive pressure, CPAP", {"oxygen_device": "cpap"}, 4),
    ("grade 4: positive pressure, BiPAP", {"oxygen_device": "bipap"}, 4),
    (
        "grade 4: intubation and mechanical ventilation",
        {"oxygen_device": "mechanical_ventilation"},
        4,
    ),
    (
        "rule 2.2.3: fever + one vasopressor + low-flow cannula = 3 (worst domain wins)",
        {
            "hypotension": True,
            "vasopressors": ["norepinephrine"],
            "oxygen_device": "nasal_cannula",
            "oxygen_flow_l_min": 2,
        },
        3,
    ),
    (
        "worst domain wins: hypotension 2 with positive pressure 4",
        {"hypotension": True, "oxygen_device": "bipap"},
        4,
    ),
]


@pytest.mark.parametrize(
    ("findings", "expected"),
    [row[1:] for row in CRS_TABLE],
    ids=[row[0] for row in CRS_TABLE],
)
def test_crs_grade_matches_the_astct_table(findings, expected):
    assert crs(**findings).grade == expected


# --- CRS boundaries --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("temperature", "expected"),
    [
        (37.9, 0),
        (37.95, 0),
        (Decimal("37.99"), 0),
        (38.0, 1),
        (38, 1),
        (Decimal("38.00"), 1),
        (38.01, 1),
    ],
    ids=["37.9", "37.95", "37.99", "38.0", "38 int", "38.00 Decimal", "38.01"],
)
def test_fever_is_38_0_or_more_compared_exactly(temperature, expected):
    assert crs(temperature_c=temperature).grade == expected


@pytest.mark.parametrize(
    ("flow", "expected"),
    [(0.5, 2), (6, 2), (6.0, 2), (Decimal("6.00"), 2), (6.01, 3), (6.1, 3), (15, 3)],
    ids=["0.5", "6", "6.0", "6.00 Decimal", "6.01", "6.1", "15"],
)
def test_nasal_cannula_is_low_flow_up_to_6_l_min(flow, expected):
    result = crs(oxygen_device="nasal_cannula", oxygen_flow_l_min=flow)
    assert result.grade == expected
    assert result.domains["hypoxia"] == expected


@pytest.mark.parametrize(
    ("agents", "expected"),
    [
        (["vasopressin"], 3),
        (["norepinephrine", "vasopressin"], 3),
        (["norepinephrine", "phenylephrine"], 4),
        (["norepinephrine", "phenylephrine", "vasopressin"], 4),
        (["dopamine"], 3),
        (["epinephrine", "dopamine"], 4),
    ],
    ids=[
        "vasopressin alone",
        "vasopressin + one agent",
        "two agents",
        "two agents + vasopressin",
        "dopamine alone",
        "epinephrine + dopamine",
    ],
)
def test_vasopressors_are_counted_by_agent_without_vasopressin(agents, expected):
    assert crs(hypotension=True, vasopressors=agents).grade == expected


def test_the_same_agent_listed_twice_is_one_vasopressor():
    assert crs(hypotension=True, vasopressors=["norepinephrine", "norepinephrine"]).grade == 3


def test_without_fever_hypotension_and_hypoxia_do_not_make_crs():
    result = crs(
        temperature_c=37.9,
        hypotension=True,
        vasopressors=["norepinephrine", "epinephrine"],
        oxygen_device="bipap",
    )
    assert result.grade == 0
    assert "no fever ≥ 38.0 °C: CRS criteria not met" in result.reasons[0]
    assert "don't make CRS without fever" in result.reasons[0]
    assert result.domains == {"fever": 0, "hypotension": 4, "hypoxia": 4}


def test_attributable_fever_fails_the_fever_gate():
    result = crs(temperature_c=39.5, fever_attributable_to_other_cause=True, hypotension=True)
    assert result.grade == 0
    assert "attributed to another cause" in result.reasons[0]


def test_attributable_hypotension_is_not_counted():
    result = crs(
        hypotension=True,
        vasopressors=["norepinephrine"],
        hypotension_attributable_to_other_cause=True,
    )
    assert result.grade == 1
    assert result.domains["hypotension"] == 0
    assert any("Hypotension attributed to another cause: not counted" in r for r in result.reasons)


def test_attributable_hypoxia_is_not_counted():
    result = crs(oxygen_device="mechanical_ventilation", hypoxia_attributable_to_other_cause=True)
    assert result.grade == 1
    assert result.domains["hypoxia"] == 0
    assert any("Hypoxia attributed to another cause: not counted" in r for r in result.reasons)


def test_crs_reason_names_the_observed_value_and_the_table_row():
    result = crs(hypotension=True, vasopressors=["norepinephrine"])
    assert result.reasons[0] == (
        "Fever 38.6 °C with hypotension needing one vasopressor (norepinephrine) "
        "→ grade 3 (ASTCT CRS table, hypotension row)"
    )


def test_crs_reason_lists_the_deciding_domain_first_then_the_others():
    result = crs(hypotension=True, oxygen_device="cpap")
    assert "CPAP" in result.reasons[0]
    assert "hypoxia row" in result.reasons[0]
    assert "hypotension not needing a vasopressor" in result.reasons[1]


def test_fever_only_reason_names_the_fever_row():
    result = crs(temperature_c=38.2)
    assert result.reasons[0] == ("Fever 38.2 °C without hypotension or hypoxia → grade 1 (ASTCT CRS table, fever row)")


def test_crs_result_carries_domains_and_rule_version():
    result = crs(oxygen_device="blow_by")
    assert result == GradeResult(
        grade=2,
        reasons=result.reasons,
        domains={"fever": 1, "hypotension": 0, "hypoxia": 2},
        not_assessed=(),
        needs_review=False,
        rule_version="ASTCT-2019/1",
    )
    assert RULE_VERSION == "ASTCT-2019/1"


def test_organ_toxicity_is_not_an_input_of_the_crs_grader():
    fields = {field.name for field in dataclasses.fields(CrsFindings)}
    assert not any("renal" in name or "hepatic" in name or "cardiac" in name for name in fields)


# --- Decisions (CRS, docs/clinical-rules.md §3.5) -------------------------------------------


def test_decision_11_1_masking_is_the_callers_flag_and_waives_the_fever_gate():
    afebrile_hypotension = {"temperature_c": 37.1, "hypotension": True}
    assert crs(**afebrile_hypotension).grade == 0
    masked = crs(**afebrile_hypotension, fever_masked_by_treatment=True)
    assert masked.grade == 2
    assert masked.reasons[0].startswith("Fever may be masked by treatment")


def test_decision_11_2_masked_fever_without_hypotension_or_hypoxia_is_grade_0():
    result = crs(temperature_c=37.2, fever_masked_by_treatment=True)
    assert result.grade == 0
    assert result.reasons[0] == (
        "fever may be masked by treatment; no hypotension or hypoxia, so CRS criteria are not "
        "met (after treatment ASTCT grades by hypotension/hypoxia only)"
    )


def test_masked_fever_grades_by_hypotension_and_hypoxia_without_a_temperature():
    result = crs(temperature_c=None, fever_masked_by_treatment=True, vasopressors=["norepinephrine"])
    assert result.grade == 3
    assert crs(temperature_c=None, fever_masked_by_treatment=True).grade == 0


def test_temperature_is_required_unless_fever_may_be_masked():
    with pytest.raises(FindingError, match=r"temperature_c is required \(25.0–45.0 °C\) unless"):
        CrsFindings(temperature_c=None, hypotension=True)


def test_decision_11_2_masked_with_real_fever_is_still_grade_1():
    assert crs(temperature_c=38.4, fever_masked_by_treatment=True).grade == 1


def test_decision_11_2_masked_with_attributable_fever_grades_by_hypoxia_only():
    result = crs(
        temperature_c=38.4,
        fever_attributable_to_other_cause=True,
        fever_masked_by_treatment=True,
        oxygen_device="non_rebreather_mask",
    )
    assert result.grade == 3


def test_decision_11_3_hypotension_is_the_callers_flag_with_no_pressure_threshold():
    fields = {field.name for field in dataclasses.fields(CrsFindings)}
    assert not {"sbp", "systolic_bp", "map"} & fields
    assert crs(hypotension=True).grade == 2


def test_decision_11_4_vasopressin_alone_is_one_vasopressor():
    result = crs(hypotension=True, vasopressors=["vasopressin"])
    assert result.grade == 3
    assert "one vasopressor (vasopressin)" in result.reasons[0]


def test_decision_11_4_vasopressin_never_makes_a_regimen_multiple():
    result = crs(hypotension=True, vasopressors=["vasopressin", "norepinephrine"])
    assert result.grade == 3
    assert "norepinephrine with vasopressin" in result.reasons[0]


def test_decision_11_4_running_vasopressor_implies_hypotension_needing_it():
    result = crs(hypotension=False, vasopressors=["phenylephrine"])
    assert result.grade == 3
    assert any("although hypotension was not ticked" in reason for reason in result.reasons)


def test_decision_11_4_dopamine_counts_at_any_dose():
    # Agents are counted, never doses: there is no dose input, and dopamine (even "renal-dose")
    # is one vasopressor; with norepinephrine it makes two.
    assert not [f.name for f in dataclasses.fields(CrsFindings) if "dose" in f.name]
    assert crs(hypotension=True, vasopressors=["dopamine"]).grade == 3
    assert crs(hypotension=True, vasopressors=["dopamine", "norepinephrine"]).grade == 4
    assert crs(hypotension=True, vasopressors=["dopamine", "vasopressin"]).grade == 3


@pytest.mark.parametrize("inotrope", ["dobutamine", "milrinone"])
def test_decision_11_4_inotropes_are_not_vasopressors(inotrope):
    with pytest.raises(FindingError, match=f"vasopressors: '{inotrope}' is not one of"):
        CrsFindings(FEVER, vasopressors=[inotrope])


@pytest.mark.parametrize("flow", [None, 1, 6, 15])
@pytest.mark.parametrize("device", ["simple_face_mask", "non_rebreather_mask", "venturi_mask"])
def test_decision_11_5_masks_are_grade_3_at_any_flow(device, flow):
    assert crs(oxygen_device=device, oxygen_flow_l_min=flow).grade == 3


@pytest.mark.parametrize("flow", [None, 2, 60])
def test_decision_11_5_hfnc_is_grade_3_at_any_flow_not_positive_pressure(flow):
    assert crs(oxygen_device="high_flow_nasal_cannula", oxygen_flow_l_min=flow).grade == 3


@pytest.mark.parametrize("flow", [None, 10])
def test_decision_11_5_blow_by_is_grade_2_at_any_flow(flow):
    assert crs(oxygen_device="blow_by", oxygen_flow_l_min=flow).grade == 2


def test_decision_11_5_oxygen_for_comfort_is_recorded_as_another_cause_and_does_not_grade():
    comfort = crs(oxygen_device="nasal_cannula", oxygen_flow_l_min=2, hypoxia_attributable_to_other_cause=True)
    assert comfort.grade == 1  # the fever alone
    assert crs(oxygen_device="nasal_cannula", oxygen_flow_l_min=2).grade == 2  # unless it is for hypoxia


def test_decision_11_5_a_home_oxygen_baseline_is_recorded_as_another_cause_and_does_not_grade():
    home = crs(oxygen_device="nasal_cannula", oxygen_flow_l_min=3, hypoxia_attributable_to_other_cause=True)
    assert home.grade == 1
    assert crs(temperature_c=37.0, oxygen_device="nasal_cannula", oxygen_flow_l_min=3).grade == 0  # no fever, no CRS


def test_decision_11_5_intubation_for_icans_airway_does_not_drive_crs():
    result = crs(oxygen_device="mechanical_ventilation", hypoxia_attributable_to_other_cause=True)
    assert result.grade == 1


def test_decision_11_6_temperatures_are_compared_exactly_without_rounding():
    assert crs(temperature_c=37.95).grade == 0
    assert crs(temperature_c=Decimal("37.999")).grade == 0
    assert crs(temperature_c=fahrenheit_to_celsius(100.4)).grade == 1
    assert crs(temperature_c=fahrenheit_to_celsius(100.3)).grade == 0


# The band just under 100.4 °F: each of these shows as 38.00 °C once rounded to hundredths
# (from 100.391 °F up), but only 100.4 °F itself is 38.0 °C (docs/clinical-rules.md §3.2).
FAHRENHEIT_BAND = [
    ("100.39", 0),
    ("100.391", 0),  # exactly 37.995 °C: rounds to 38.00 °C, is not fever
    ("100.395", 0),
    ("100.399", 0),
    ("100.3999999", 0),
    ("100.4", 1),
    ("100.40", 1),
    ("100.401", 1),
]


@pytest.mark.parametrize(("fahrenheit", "grade"), FAHRENHEIT_BAND, ids=[f for f, _ in FAHRENHEIT_BAND])
def test_decision_11_6_fahrenheit_is_converted_exactly_and_compared_unrounded(fahrenheit, grade):
    for value in (Decimal(fahrenheit), float(fahrenheit)):
        assert crs(temperature_c=fahrenheit_to_celsius(value)).grade == grade


def test_decision_11_6_100_391_fahrenheit_shows_as_38_00_but_is_not_fever():
    exact = fahrenheit_to_celsius(Decimal("100.391"))
    assert exact == Fraction(37995, 1000)
    assert celsius_for_display(exact) == Decimal("38.00")
    result = crs(temperature_c=exact)
    assert result.grade == 0
    assert result.reasons[0].startswith("Temperature 37.995 °C, so no fever ≥ 38.0 °C")


@pytest.mark.parametrize(
    ("fahrenheit", "shown"),
    [
        ("100.4", "Fever 38.00 °C"),
        ("98.825", "Temperature 37.125 °C"),
        ("101", "Fever 38.33 °C"),  # 38.333…: hundredths
        ("100.3", "Temperature 37.94 °C"),
        ("100.3999", "Temperature 37.999944… °C"),  # 38.00 once rounded: cut instead
    ],
)
def test_a_converted_reading_is_shown_in_the_reasons_on_its_side_of_the_threshold(fahrenheit, shown):
    assert crs(temperature_c=fahrenheit_to_celsius(Decimal(fahrenheit))).reasons[0].startswith(shown)


def test_decision_11_6_the_grader_has_no_measurement_site_input():
    # Oral, axillary, tympanic and core readings are graded alike: the site is recorded by the
    # caller (VitalSigns.temperature_site) and no offset is added for any site.
    assert not [f.name for f in dataclasses.fields(CrsFindings) if "site" in f.name]


def test_decision_11_7_attribution_flags_default_to_false():
    findings = CrsFindings(FEVER)
    assert findings.fever_attributable_to_other_cause is False
    assert findings.hypotension_attributable_to_other_cause is False
    assert findings.hypoxia_attributable_to_other_cause is False
    assert IcansFindings(ADULT).consciousness_attributable_to_other_cause is False


def test_decision_11_13_crs_never_returns_grade_5():
    worst = crs(
        temperature_c=45,
        hypotension=True,
        vasopressors=list(Vasopressor),
        oxygen_device="mechanical_ventilation",
    )
    assert worst.grade == 4


# --- ICANS adult table (docs/clinical-rules.md §4.2), one row per criterion -------------------

ICANS_ADULT_TABLE = [
    ("no findings: ICE 10, alert", {}, 0),
    ("ICE row, grade 1: ICE 9", {"ice_score": 9}, 1),
    ("ICE row, grade 1: ICE 7", {"ice_score": 7}, 1),
    ("ICE row, grade 2: ICE 6", {"ice_score": 6}, 2),
    ("ICE row, grade 2: ICE 3", {"ice_score": 3}, 2),
    ("ICE row, grade 3: ICE 2", {"ice_score": 2}, 3),
    ("ICE row, grade 3: ICE 0 awake with global aphasia", {"ice_score": 0}, 3),
    (
        "ICE row, grade 4: ICE 0 and unarousable",
        {"ice_score": 0, "level_of_consciousness": "unarousable"},
        4,
    ),
    (
        "consciousness row, grade 1: awakens spontaneously",
        {"level_of_consciousness": "awakens_spontaneously"},
        1,
    ),
    (
        "consciousness row, grade 2: awakens to voice",
        {"level_of_consciousness": "awakens_to_voice"},
        2,
    ),
    (
        "consciousness row, grade 3: awakens only to tactile stimulus",
        {"level_of_consciousness": "awakens_only_to_tactile_stimulus"},
        3,
    ),
    (
        "consciousness row, grade 4: needs vigorous or repetitive tactile stimuli",
        {"level_of_consciousness": "requires_vigorous_or_repetitive_tactile_stimuli"},
        4,
    ),
    ("consciousness row, grade 4: unarousable", {"level_of_consciousness": "unarousable"}, 4),
    ("consciousness row, grade 4: stupor", {"level_of_consciousness": "stupor"}, 4),
    ("consciousness row, grade 4: coma", {"level_of_consciousness": "coma"}, 4),
    ("seizure row, grade 3: focal, resolves rapidly", {"seizure": "focal_resolved_rapidly"}, 3),
    (
        "seizure row, grade 3: generalized, resolves rapidly",
        {"seizure": "generalized_resolved_rapidly"},
        3,
    ),
    (
        "seizure row, grade 3: non-convulsive on EEG, resolves with intervention",
        {"seizure": "nonconvulsive_on_eeg_resolved_with_intervention"},
        3,
    ),
    ("seizure row, grade 4: prolonged > 5 min", {"seizure": "prolonged_over_5_min"}, 4),
    (
        "seizure row, grade 4: repetitive without return to baseline",
        {"seizure": "repetitive_without_return_to_baseline"},
        4,
    ),
    ("motor row, grade 4: hemiparesis", {"motor_finding": "hemiparesis"}, 4),
    ("motor row, grade 4: paraparesis", {"motor_finding": "paraparesis"}, 4),
    (
        "ICP row, grade 3: focal/local edema on neuroimaging",
        {"raised_icp_findings": ["focal_edema_on_neuroimaging"]},
        3,
    ),
    (
        "ICP row, grade 4: diffuse cerebral edema on neuroimaging",
        {"raised_icp_findings": ["diffuse_cerebral_edema_on_neuroimaging"]},
        4,
    ),
    (
        "ICP row, grade 4: decerebrate posturing",
        {"raised_icp_findings": ["decerebrate_posturing"]},
        4,
    ),
    (
        "ICP row, grade 4: decorticate posturing",
        {"raised_icp_findings": ["decorticate_posturing"]},
        4,
    ),
    (
        "ICP row, grade 4: cranial nerve VI palsy",
        {"raised_icp_findings": ["cranial_nerve_vi_palsy"]},
        4,
    ),
    ("ICP row, grade 4: papilledema", {"raised_icp_findings": ["papilledema"]}, 4),
    ("ICP row, grade 4: Cushing's triad", {"raised_icp_findings": ["cushings_triad"]}, 4),
    (
        "ICANS rules §4.4: ASTCT example, ICE 3 + generalized seizure = 3",
        {"ice_score": 3, "seizure": "generalized_resolved_rapidly"},
        3,
    ),
    ("ICANS rules §4.4: tremor never changes the grade", {"motor_finding": "tremor"}, 0),
    ("ICANS rules §4.4: myoclonus never changes the grade", {"motor_finding": "myoclonus"}, 0),
    (
        "ICANS rules §4.4: intracranial hemorrhage is excluded",
        {"raised_icp_findings": ["intracranial_hemorrhage"]},
        0,
    ),
]


@pytest.mark.parametrize(
    ("findings", "expected"),
    [row[1:] for row in ICANS_ADULT_TABLE],
    ids=[row[0] for row in ICANS_ADULT_TABLE],
)
def test_adult_icans_grade_matches_the_astct_table(findings, expected):
    assert icans(**findings).grade == expected


# --- ICANS paediatric table (docs/clinical-rules.md §4.3) -------------------------------------

ICANS_CHILD_TABLE = [
    ("no findings: CAPD 0, alert", {}, 0),
    (
        "grade 1: CAPD 1-8 (1) and awakens spontaneously",
        {"capd_score": 1, "level_of_consciousness": "awakens_spontaneously"},
        1,
    ),
    (
        "grade 1: CAPD 1-8 (8) and awakens spontaneously",
        {"capd_score": 8, "level_of_consciousness": "awakens_spontaneously"},
        1,
    ),
    (
        "grade 2: CAPD < 9 and awakens to voice",
        {"capd_score": 5, "level_of_consciousness": "awakens_to_voice"},
        2,
    ),
    ("grade 3: CAPD >= 9 (9)", {"capd_score": 9}, 3),
    ("grade 3: CAPD >= 9 (32)", {"capd_score": 32}, 3),
    (
        "grade 3: awakens only to tactile stimulus",
        {"capd_score": 4, "level_of_consciousness": "awakens_only_to_tactile_stimulus"},
        3,
    ),
    (
        "grade 4: unable to perform CAPD, unarousable",
        {"capd_score": None, "level_of_consciousness": "unarousable"},
        4,
    ),
    (
        "grade 4: needs vigorous stimuli",
        {
            "capd_score": 12,
            "level_of_consciousness": "requires_vigorous_or_repetitive_tactile_stimuli",
        },
        4,
    ),
    ("seizure row as adults, grade 3", {"seizure": "focal_resolved_rapidly"}, 3),
    ("seizure row as adults, grade 4", {"seizure": "prolonged_over_5_min"}, 4),
    ("motor row as adults, grade 4", {"motor_finding": "hemiparesis"}, 4),
    (
        "ICP row as adults, grade 3",
        {"raised_icp_findings": ["focal_edema_on_neuroimaging"]},
        3,
    ),
    ("ICP row as adults, grade 4", {"raised_icp_findings": ["papilledema"]}, 4),
]


@pytest.mark.parametrize(
    ("findings", "expected"),
    [row[1:] for row in ICANS_CHILD_TABLE],
    ids=[row[0] for row in ICANS_CHILD_TABLE],
)
def test_child_icans_grade_matches_the_astct_paediatric_table(findings, expected):
    assert child_icans(**findings).grade == expected


# --- ICANS boundaries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ice", "expected"),
    [(10, 0), (9, 1), (7, 1), (6, 2), (3, 2), (2, 3), (0, 3)],
    ids=lambda value: str(value),
)
def test_ice_score_boundaries(ice, expected):
    result = icans(ice_score=ice)
    assert result.grade == expected
    assert result.domains["encephalopathy"] == expected


@pytest.mark.parametrize(("capd", "expected"), [(0, 0), (1, 1), (8, 1), (9, 3)], ids=lambda value: str(value))
def test_capd_score_boundaries(capd, expected):
    result = child_icans(capd_score=capd)
    assert result.grade == expected
    assert result.domains["encephalopathy"] == expected


@pytest.mark.parametrize(
    ("age", "uses_ice"),
    [(11, False), (11.99, False), (Decimal("11.999"), False), (12, True), (12.0, True)],
    ids=["11", "11.99", "11.999", "12", "12.0"],
)
def test_ice_from_age_12_exactly_and_capd_below(age, uses_ice):
    # ICE 10 says "no encephalopathy"; CAPD 12 says grade 3: the tool chosen shows in the grade.
    result = grade_icans(IcansFindings(age, ice_score=10, capd_score=12))
    assert result.domains["encephalopathy"] == (0 if uses_ice else 3)


def test_tremor_only_is_grade_0_and_the_reason_says_why():
    result = icans(motor_finding="tremor")
    assert result.grade == 0
    assert any("Tremor" in reason and "CTCAE" in reason for reason in result.reasons)


def test_hemorrhage_only_is_grade_0_and_the_reason_says_why():
    result = icans(raised_icp_findings=["intracranial_hemorrhage"])
    assert result.grade == 0
    assert result.domains["raised_icp"] == 0
    assert any("Intracranial hemorrhage is graded with CTCAE, not ICANS" in reason for reason in result.reasons)


def test_hemorrhage_with_edema_counts_the_edema_only():
    result = icans(raised_icp_findings=["intracranial_hemorrhage", "focal_edema_on_neuroimaging"])
    assert result.grade == 3


def test_astct_example_reason_names_the_seizure_first():
    result = icans(ice_score=3, seizure="generalized_resolved_rapidly")
    assert result.reasons[0] == ("Generalized seizure that resolved rapidly → grade 3 (ASTCT ICANS table, seizure row)")
    assert "ICE score 3/10 → grade 2" in result.reasons[1]


def test_sedation_explains_depressed_consciousness():
    result = icans(level_of_consciousness="coma", consciousness_attributable_to_other_cause=True)
    assert result.grade == 0
    assert result.domains["consciousness"] == 0
    assert any("sedating drugs: not counted" in reason for reason in result.reasons)


def test_icans_domains_are_all_reported():
    result = icans(ice_score=8, raised_icp_findings=["papilledema"])
    assert result.domains == {
        "encephalopathy": 1,
        "consciousness": 0,
        "seizure": 0,
        "motor": 0,
        "raised_icp": 4,
    }
    assert result.rule_version == RULE_VERSION


def test_adult_with_both_scores_is_graded_with_ice():
    result = icans(ice_score=10, capd_score=20)
    assert result.grade == 0
    assert any("CAPD score ignored" in reason for reason in result.reasons)


# --- Decisions (ICANS, docs/clinical-rules.md §4.5) -----------------------------------------


def test_decision_11_8_awakens_spontaneously_is_grade_1_even_with_ice_10():
    result = icans(ice_score=10, level_of_consciousness="awakens_spontaneously")
    assert result.grade == 1
    assert "depressed level of consciousness row" in result.reasons[0]


def test_decision_11_9_missing_score_is_not_assessed_rather_than_0():
    result = grade_icans(IcansFindings(ADULT, seizure="focal_resolved_rapidly"))
    assert result.grade == 3
    assert result.not_assessed == ("encephalopathy",)
    assert result.needs_review is True
    assert "encephalopathy" not in result.domains
    assert any("ICE/CAPD not performed" in reason for reason in result.reasons)


def test_decision_11_9_missing_score_with_no_other_finding_is_0_and_needs_review():
    result = grade_icans(IcansFindings(CHILD))
    assert result.grade == 0
    assert result.needs_review is True


def test_decision_11_10_ice_from_age_12_exactly():
    assert grade_icans(IcansFindings(12, ice_score=5)).grade == 2


def test_decision_11_10_capd_under_12_even_at_11_99():
    result = grade_icans(IcansFindings(11.99, ice_score=10, capd_score=9))
    assert result.grade == 3
    assert any("ICE score ignored" in reason for reason in result.reasons)


def test_decision_11_10_ice_only_under_12_is_rejected():
    with pytest.raises(FindingError) as error:
        IcansFindings(8, ice_score=7)
    assert str(error.value) == "ice_score applies from age 12; for age 8 record capd_score (0–32)"
    assert error.value.field == "ice_score"


def test_decision_11_10_capd_from_12_when_no_ice_score_for_developmental_delay():
    result = grade_icans(IcansFindings(17, capd_score=10))
    assert result.grade == 3
    assert result.not_assessed == ()
    assert any("graded with CAPD instead" in reason for reason in result.reasons)


def test_decision_11_10_capd_1_to_8_in_a_fully_alert_child_is_grade_1():
    assert child_icans(capd_score=3, level_of_consciousness="alert").grade == 1


def test_decision_11_11_seizure_of_exactly_5_minutes_is_not_prolonged():
    seizure = classify_seizure(duration_minutes=5, returned_to_baseline_between=None, on_eeg_only=False, focal=False)
    assert seizure is Seizure.GENERALIZED_RESOLVED_RAPIDLY
    assert icans(seizure=seizure).grade == 3


def test_decision_11_11_seizure_of_5_5_minutes_is_prolonged():
    seizure = classify_seizure(duration_minutes=5.5, returned_to_baseline_between=None, on_eeg_only=False, focal=True)
    assert seizure is Seizure.PROLONGED_OVER_5_MIN
    assert icans(seizure=seizure).grade == 4


@pytest.mark.parametrize("weakness", ["mild_weakness", "generalized_weakness"])
def test_decision_11_12_only_deep_focal_weakness_is_a_motor_finding(weakness):
    with pytest.raises(FindingError, match="motor_finding: .* is not one of none, tremor"):
        IcansFindings(ADULT, motor_finding=weakness)


def test_decision_11_13_icans_never_returns_grade_5():
    worst = icans(
        ice_score=0,
        level_of_consciousness="coma",
        seizure="repetitive_without_return_to_baseline",
        motor_finding="hemiparesis",
        raised_icp_findings=list(RaisedIcpFinding),
    )
    assert worst.grade == 4


def test_decisions_block_lists_every_section_11_item():
    docstring = grading.__doc__
    assert "Decisions on the points the consensus leaves open" in docstring
    for item in range(1, 14):
        assert f"\n{item}. " in docstring
    assert "14-16." in docstring


# --- classify_seizure ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"duration_minutes": 1, "focal": True}, Seizure.FOCAL_RESOLVED_RAPIDLY),
        ({"duration_minutes": 2}, Seizure.GENERALIZED_RESOLVED_RAPIDLY),
        (
            {"duration_minutes": 3, "on_eeg_only": True},
            Seizure.NONCONVULSIVE_ON_EEG_RESOLVED_WITH_INTERVENTION,
        ),
        ({"duration_minutes": Decimal("5.01")}, Seizure.PROLONGED_OVER_5_MIN),
        ({"duration_minutes": 6, "on_eeg_only": True}, Seizure.PROLONGED_OVER_5_MIN),
        (
            {"duration_minutes": 1, "returned_to_baseline_between": False},
            Seizure.REPETITIVE_WITHOUT_RETURN_TO_BASELINE,
        ),
        (
            {"duration_minutes": 1, "returned_to_baseline_between": True, "focal": True},
            Seizure.FOCAL_RESOLVED_RAPIDLY,
        ),
    ],
    ids=[
        "focal 1 min",
        "generalized 2 min",
        "EEG only 3 min",
        "5.01 min",
        "EEG only 6 min",
        "repetitive, no return to baseline",
        "repetitive, back to baseline between",
    ],
)
def test_classify_seizure(kwargs, expected):
    arguments = {
        "returned_to_baseline_between": None,
        "on_eeg_only": False,
        "focal": False,
        **kwargs,
    }
    assert classify_seizure(**arguments) is expected


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"duration_minutes": -1}, "duration_minutes"),
        ({"duration_minutes": "5"}, "duration_minutes"),
        ({"duration_minutes": 1, "focal": "yes"}, "focal"),
        ({"duration_minutes": 1, "on_eeg_only": 0}, "on_eeg_only"),
        (
            {"duration_minutes": 1, "returned_to_baseline_between": "no"},
            "returned_to_baseline_between",
        ),
    ],
    ids=["negative", "text", "focal not bool", "on_eeg_only not bool", "baseline not bool"],
)
def test_classify_seizure_rejects_bad_values(kwargs, field):
    arguments = {
        "returned_to_baseline_between": None,
        "on_eeg_only": False,
        "focal": False,
        **kwargs,
    }
    with pytest.raises(FindingError, match=f"^{field} must be") as error:
        classify_seizure(**arguments)
    assert error.value.field == field


# --- fahrenheit_to_celsius -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fahrenheit", "exact_celsius", "shown"),
    [
        (100.4, Fraction(38), "38.00"),
        (100.3, Fraction(3415, 90), "37.94"),
        (Decimal("100.4"), Fraction(38), "38.00"),
        (Decimal("100.391"), Fraction(37995, 1000), "38.00"),  # half-even: 37.995 → 38.00
        (212, Fraction(100), "100.00"),
        (32, Fraction(0), "0.00"),
        (-40, Fraction(-40), "-40.00"),
        (98.6, Fraction(37), "37.00"),
        (98.825, Fraction(37125, 1000), "37.12"),  # exactly 37.125: half-even rounds down to 37.12
        (98.843, Fraction(37135, 1000), "37.14"),  # exactly 37.135: half-even rounds up to 37.14
        (101, Fraction(345, 9), "38.33"),
    ],
    ids=lambda value: str(value),
)
def test_fahrenheit_to_celsius_is_exact_and_rounded_half_even_for_display_only(fahrenheit, exact_celsius, shown):
    result = fahrenheit_to_celsius(fahrenheit)
    assert isinstance(result, Fraction) and result == exact_celsius
    displayed = celsius_for_display(result)
    assert isinstance(displayed, Decimal) and str(displayed) == shown


@pytest.mark.parametrize("bad", ["100.4", True, None, float("nan"), float("inf")])
def test_fahrenheit_to_celsius_rejects_non_numbers(bad):
    with pytest.raises(FindingError, match="temperature_f must be"):
        fahrenheit_to_celsius(bad)


# --- Constants -------------------------------------------------------------------------------


def test_thresholds_are_exact_constants():
    assert FEVER_THRESHOLD_C == Decimal("38.0")
    assert LOW_FLOW_MAX_L_MIN == Decimal("6")
    assert ICE_MIN_AGE_YEARS == 12


# --- Construction: positional, keyword, normalisation ----------------------------------------


def test_crs_findings_accept_positional_arguments_in_the_documented_order():
    findings = CrsFindings(38.6, False, False, True, ("norepinephrine",), False, "nasal_cannula", 4, False)
    assert findings.hypotension is True
    assert findings.vasopressors == (Vasopressor.NOREPINEPHRINE,)
    assert findings.oxygen_device is OxygenDevice.NASAL_CANNULA
    assert findings.oxygen_flow_l_min == 4
    assert grade_crs(findings).grade == 3


def test_icans_findings_accept_positional_arguments_in_the_documented_order():
    findings = IcansFindings(30, 8, None, "awakens_to_voice", False, "none", "tremor", ["papilledema"])
    assert findings.level_of_consciousness is LevelOfConsciousness.AWAKENS_TO_VOICE
    assert findings.seizure is Seizure.NONE
    assert findings.motor_finding is MotorFinding.TREMOR
    assert findings.raised_icp_findings == (RaisedIcpFinding.PAPILLEDEMA,)
    assert grade_icans(findings).grade == 4


def test_field_order_matches_the_public_interface():
    assert [field.name for field in dataclasses.fields(CrsFindings)] == [
        "temperature_c",
        "fever_attributable_to_other_cause",
        "fever_masked_by_treatment",
        "hypotension",
        "vasopressors",
        "hypotension_attributable_to_other_cause",
        "oxygen_device",
        "oxygen_flow_l_min",
        "hypoxia_attributable_to_other_cause",
    ]
    assert [field.name for field in dataclasses.fields(IcansFindings)] == [
        "age_years",
        "ice_score",
        "capd_score",
        "level_of_consciousness",
        "consciousness_attributable_to_other_cause",
        "seizure",
        "motor_finding",
        "raised_icp_findings",
    ]


def test_enum_members_and_plain_strings_give_equal_findings():
    with_strings = CrsFindings(FEVER, vasopressors=["dopamine"], oxygen_device="blow_by")
    with_members = CrsFindings(FEVER, vasopressors=[Vasopressor.DOPAMINE], oxygen_device=OxygenDevice.BLOW_BY)
    assert with_strings == with_members
    assert type(with_strings.oxygen_device) is OxygenDevice


def test_lists_become_deduplicated_order_independent_tuples():
    one = CrsFindings(FEVER, vasopressors=["vasopressin", "norepinephrine", "vasopressin"])
    other = CrsFindings(FEVER, vasopressors=("norepinephrine", "vasopressin"))
    assert one == other
    assert one.vasopressors == (Vasopressor.NOREPINEPHRINE, Vasopressor.VASOPRESSIN)
    icp = IcansFindings(ADULT, raised_icp_findings={"papilledema", "cushings_triad"})
    assert icp.raised_icp_findings == (
        RaisedIcpFinding.PAPILLEDEMA,
        RaisedIcpFinding.CUSHINGS_TRIAD,
    )


def test_findings_are_frozen():
    findings = CrsFindings(FEVER)
    with pytest.raises(dataclasses.FrozenInstanceError):
        findings.temperature_c = 39  # type: ignore[misc]


def test_numbers_may_be_int_float_or_decimal():
    assert crs(temperature_c=Decimal("38.5")).grade == 1
    assert crs(temperature_c=39).grade == 1
    assert grade_icans(IcansFindings(Decimal("12.5"), ice_score=9)).grade == 1


# --- Validation: every field, each message names the field and what is allowed --------------

CRS_ERRORS = [
    (
        "temperature_c",
        {"temperature_c": 51},
        "temperature_c must be between 25.0 and 45.0 °C, got 51",
    ),
    ("temperature_c", {"temperature_c": 24.9}, "between 25.0 and 45.0 °C"),
    ("temperature_c", {"temperature_c": "38.5"}, "must be a number between 25.0 and 45.0 °C"),
    ("temperature_c", {"temperature_c": True}, "must be a number between 25.0 and 45.0 °C"),
    ("temperature_c", {"temperature_c": float("nan")}, "between 25.0 and 45.0 °C"),
    (
        "fever_attributable_to_other_cause",
        {"fever_attributable_to_other_cause": "yes"},
        "True or False",
    ),
    ("fever_masked_by_treatment", {"fever_masked_by_treatment": 1}, "True or False"),
    ("hypotension", {"hypotension": "yes"}, "True or False"),
    ("hypotension", {"hypotension": None}, "True or False"),
    (
        "vasopressors",
        {"vasopressors": ["dobutamine"]},
        "vasopressors: 'dobutamine' is not one of norepinephrine, epinephrine, phenylephrine, dopamine, vasopressin",
    ),
    (
        "vasopressors",
        {"vasopressors": "norepinephrine"},
        "must be a list of values from norepinephrine",
    ),
    ("vasopressors", {"vasopressors": None}, "must be a list of values from norepinephrine"),
    (
        "hypotension_attributable_to_other_cause",
        {"hypotension_attributable_to_other_cause": 0},
        "True or False",
    ),
    (
        "oxygen_device",
        {"oxygen_device": "tent"},
        "oxygen_device: 'tent' is not one of none, nasal_cannula, blow_by, "
        "high_flow_nasal_cannula, simple_face_mask, non_rebreather_mask, venturi_mask, cpap, "
        "bipap, mechanical_ventilation",
    ),
    (
        "oxygen_flow_l_min",
        {"oxygen_device": "cpap", "oxygen_flow_l_min": 81},
        "oxygen_flow_l_min must be between 0 and 80 L/min, got 81",
    ),
    (
        "oxygen_flow_l_min",
        {"oxygen_device": "cpap", "oxygen_flow_l_min": -1},
        "between 0 and 80 L/min",
    ),
    (
        "oxygen_flow_l_min",
        {"oxygen_device": "cpap", "oxygen_flow_l_min": "4"},
        "must be a number between 0 and 80 L/min",
    ),
    (
        "oxygen_flow_l_min",
        {"oxygen_device": "nasal_cannula"},
        "oxygen_flow_l_min is required with nasal_cannula",
    ),
    (
        "oxygen_flow_l_min",
        {"oxygen_device": "none", "oxygen_flow_l_min": 2},
        "oxygen_flow_l_min must be empty or 0 when oxygen_device is none",
    ),
    (
        "hypoxia_attributable_to_other_cause",
        {"hypoxia_attributable_to_other_cause": "no"},
        "True or False",
    ),
]


@pytest.mark.parametrize(
    ("field", "overrides", "message"),
    CRS_ERRORS,
    ids=[f"{row[0]}: {row[1]!r}" for row in CRS_ERRORS],
)
def test_crs_findings_reject_bad_values_naming_the_field(field, overrides, message):
    with pytest.raises(FindingError) as error:
        CrsFindings(**{"temperature_c": FEVER, **overrides})
    assert str(error.value).startswith(field)
    assert message in str(error.value)
    assert error.value.field == field
    assert isinstance(error.value, ValueError)


ICANS_ERRORS = [
    ("age_years", {"age_years": 121}, "age_years must be between 0 and 120 years, got 121"),
    ("age_years", {"age_years": -1}, "between 0 and 120 years"),
    ("age_years", {"age_years": "40"}, "must be a number between 0 and 120 years"),
    ("age_years", {"age_years": False}, "must be a number between 0 and 120 years"),
    ("ice_score", {"ice_score": 11}, "ice_score must be a whole number between 0 and 10, got 11"),
    ("ice_score", {"ice_score": -1}, "between 0 and 10"),
    ("ice_score", {"ice_score": 7.5}, "whole number between 0 and 10"),
    ("ice_score", {"ice_score": True}, "whole number between 0 and 10"),
    (
        "capd_score",
        {"capd_score": 33},
        "capd_score must be a whole number between 0 and 32, got 33",
    ),
    ("capd_score", {"capd_score": "9"}, "whole number between 0 and 32"),
    (
        "level_of_consciousness",
        {"level_of_consciousness": "drowsy"},
        "level_of_consciousness: 'drowsy' is not one of alert, awakens_spontaneously, "
        "awakens_to_voice, awakens_only_to_tactile_stimulus, "
        "requires_vigorous_or_repetitive_tactile_stimuli, unarousable, stupor, coma",
    ),
    (
        "consciousness_attributable_to_other_cause",
        {"consciousness_attributable_to_other_cause": "yes"},
        "True or False",
    ),
    (
        "seizure",
        {"seizure": "absence"},
        "seizure: 'absence' is not one of none, focal_resolved_rapidly, "
        "generalized_resolved_rapidly, nonconvulsive_on_eeg_resolved_with_intervention, "
        "prolonged_over_5_min, repetitive_without_return_to_baseline",
    ),
    (
        "motor_finding",
        {"motor_finding": "ataxia"},
        "motor_finding: 'ataxia' is not one of none, tremor, myoclonus, hemiparesis, paraparesis",
    ),
    (
        "raised_icp_findings",
        {"raised_icp_findings": ["headache"]},
        "raised_icp_findings: 'headache' is not one of focal_edema_on_neuroimaging, "
        "diffuse_cerebral_edema_on_neuroimaging, decerebrate_posturing, decorticate_posturing, "
        "cranial_nerve_vi_palsy, papilledema, cushings_triad, intracranial_hemorrhage",
    ),
    ("raised_icp_findings", {"raised_icp_findings": "papilledema"}, "must be a list of values"),
]


@pytest.mark.parametrize(
    ("field", "overrides", "message"),
    ICANS_ERRORS,
    ids=[f"{row[0]}: {row[1]!r}" for row in ICANS_ERRORS],
)
def test_icans_findings_reject_bad_values_naming_the_field(field, overrides, message):
    with pytest.raises(FindingError) as error:
        IcansFindings(**{"age_years": ADULT, **overrides})
    assert str(error.value).startswith(field)
    assert message in str(error.value)
    assert error.value.field == field
