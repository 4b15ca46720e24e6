"""Property tests for tracker.grading: invariants the ASTCT 2019 tables imply.

A worse finding never lowers a grade, attribution never raises one, masking never lowers the CRS
grade, grades stay in 0-4, the grade is the worst assessed domain, and list order never matters.
Source: ASTCT 2019 (Lee et al., BBMT 25:625); docs/clinical-rules.md §3.2–§3.4 and §4.4.
"""

from dataclasses import replace
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tracker.clinical.grading import (
    CrsFindings,
    IcansFindings,
    LevelOfConsciousness,
    OxygenDevice,
    RaisedIcpFinding,
    Seizure,
    Vasopressor,
    grade_crs,
    grade_icans,
)

# --- Strategies for valid findings -----------------------------------------------------------

temperatures = st.decimals(min_value="25.0", max_value="45.0", places=2)
any_temperature = st.one_of(
    temperatures,
    temperatures.map(float),
    st.integers(min_value=25, max_value=45),
)
flows = st.decimals(min_value=0, max_value=80, places=1)
agents = st.lists(st.sampled_from(Vasopressor), max_size=6)


@st.composite
def oxygen(draw):
    """A valid (device, flow) pair: the cannula needs a flow, no oxygen means no flow."""
    device = draw(st.sampled_from(OxygenDevice))
    if device is OxygenDevice.NONE:
        return device, draw(st.sampled_from([None, 0]))
    if device is OxygenDevice.NASAL_CANNULA:
        return device, draw(flows)
    return device, draw(st.none() | flows)


@st.composite
def crs_findings(draw):
    device, flow = draw(oxygen())
    return CrsFindings(
        temperature_c=draw(any_temperature),
        fever_attributable_to_other_cause=draw(st.booleans()),
        fever_masked_by_treatment=draw(st.booleans()),
        hypotension=draw(st.booleans()),
        vasopressors=draw(agents),
        hypotension_attributable_to_other_cause=draw(st.booleans()),
        oxygen_device=device,
        oxygen_flow_l_min=flow,
        hypoxia_attributable_to_other_cause=draw(st.booleans()),
    )


ages = st.one_of(
    st.integers(min_value=0, max_value=120),
    st.decimals(min_value=0, max_value=120, places=2),
)
icp_lists = st.lists(st.sampled_from(RaisedIcpFinding), max_size=4)


@st.composite
def icans_findings(draw, age=ages):
    age_years = draw(age)
    capd = draw(st.none() | st.integers(min_value=0, max_value=32))
    ice = draw(st.none() | st.integers(min_value=0, max_value=10))
    if Decimal(str(age_years)) < 12 and capd is None:
        ice = None  # under 12 an ICE score needs a CAPD score beside it (decision 10, docs/clinical-rules.md §4.5)
    return IcansFindings(
        age_years=age_years,
        ice_score=ice,
        capd_score=capd,
        level_of_consciousness=draw(st.sampled_from(LevelOfConsciousness)),
        consciousness_attributable_to_other_cause=draw(st.booleans()),
        seizure=draw(st.sampled_from(Seizure)),
        motor_finding=draw(st.sampled_from(["none", "tremor", "myoclonus", "hemiparesis"])),
        raised_icp_findings=draw(icp_lists),
    )


# --- Orders of severity, from the tables -----------------------------------------------------


def oxygen_rank(device, flow):
    """none < low flow (nasal <= 6, blow-by) < high flow and masks < positive pressure."""
    if device is OxygenDevice.NONE:
        return 0
    if device is OxygenDevice.BLOW_BY:
        return 1
    if device is OxygenDevice.NASAL_CANNULA:
        return 1 if flow <= 6 else 2
    if device in (OxygenDevice.CPAP, OxygenDevice.BIPAP, OxygenDevice.MECHANICAL_VENTILATION):
        return 3
    return 2


CONSCIOUSNESS_ORDER = list(LevelOfConsciousness)  # declared from alert to coma
SEIZURE_RANK = {
    Seizure.NONE: 0,
    Seizure.FOCAL_RESOLVED_RAPIDLY: 1,
    Seizure.GENERALIZED_RESOLVED_RAPIDLY: 1,
    Seizure.NONCONVULSIVE_ON_EEG_RESOLVED_WITH_INTERVENTION: 1,
    Seizure.PROLONGED_OVER_5_MIN: 2,
    Seizure.REPETITIVE_WITHOUT_RETURN_TO_BASELINE: 2,
}


# --- CRS properties --------------------------------------------------------------------------


@given(crs_findings())
def test_crs_grade_is_always_between_0_and_4(findings):
    assert grade_crs(findings).grade in range(5)


@given(crs_findings())
def test_crs_grade_is_the_worst_domain_once_the_fever_gate_passes(findings):
    result = grade_crs(findings)
    if result.domains["fever"] == 1 or findings.fever_masked_by_treatment:
        assert result.grade == max(result.domains.values())
    else:
        assert result.grade == 0


@given(crs_findings(), st.decimals(min_value=0, max_value=20, places=2))
def test_a_higher_temperature_never_lowers_the_crs_grade(findings, rise):
    hotter = min(Decimal(str(findings.temperature_c)) + rise, Decimal("45.0"))
    assert grade_crs(replace(findings, temperature_c=hotter)).grade >= grade_crs(findings).grade


@given(crs_findings(), st.sampled_from(Vasopressor))
def test_adding_a_vasopressor_never_lowers_the_crs_grade(findings, agent):
    more = replace(findings, vasopressors=(*findings.vasopressors, agent))
    assert grade_crs(more).grade >= grade_crs(findings).grade


@given(crs_findings())
def test_ticking_hypotension_never_lowers_the_crs_grade(findings):
    assert grade_crs(replace(findings, hypotension=True)).grade >= grade_crs(findings).grade


@given(crs_findings(), oxygen(), oxygen())
def test_escalating_oxygen_support_never_lowers_the_crs_grade(findings, first, second):
    lower, higher = sorted([first, second], key=lambda pair: oxygen_rank(*pair))
    less = replace(findings, oxygen_device=lower[0], oxygen_flow_l_min=lower[1])
    more = replace(findings, oxygen_device=higher[0], oxygen_flow_l_min=higher[1])
    assert grade_crs(more).grade >= grade_crs(less).grade


@given(
    crs_findings(),
    st.sampled_from(
        [
            "fever_attributable_to_other_cause",
            "hypotension_attributable_to_other_cause",
            "hypoxia_attributable_to_other_cause",
        ]
    ),
)
def test_attributing_a_finding_to_another_cause_never_raises_the_crs_grade(findings, flag):
    attributed = replace(findings, **{flag: True})
    assert grade_crs(attributed).grade <= grade_crs(findings).grade


@given(crs_findings())
def test_masking_never_lowers_the_crs_grade(findings):
    unmasked = replace(findings, fever_masked_by_treatment=False)
    masked = replace(findings, fever_masked_by_treatment=True)
    assert grade_crs(masked).grade >= grade_crs(unmasked).grade


@given(crs_findings(), st.randoms(use_true_random=False))
def test_the_order_of_vasopressors_never_matters(findings, random):
    shuffled = list(findings.vasopressors) * 2
    random.shuffle(shuffled)
    reordered = replace(findings, vasopressors=shuffled)
    assert reordered == findings
    assert grade_crs(reordered) == grade_crs(findings)


@given(crs_findings())
def test_crs_reasons_start_with_the_criterion_that_set_the_grade(findings):
    result = grade_crs(findings)
    assert result.reasons
    if result.grade > 0:
        assert f"→ grade {result.grade} (ASTCT CRS table" in result.reasons[0]
    assert result.not_assessed == ()
    assert result.needs_review is False


# --- ICANS properties ------------------------------------------------------------------------


@given(icans_findings())
def test_icans_grade_is_always_between_0_and_4_and_the_worst_assessed_domain(findings):
    result = grade_icans(findings)
    assert result.grade in range(5)
    assert result.grade == max(result.domains.values())
    assert not set(result.not_assessed) & set(result.domains)
    assert result.needs_review == bool(result.not_assessed)


@given(
    icans_findings(age=st.integers(min_value=12, max_value=120)),
    st.integers(min_value=0, max_value=10),
    st.integers(min_value=0, max_value=10),
)
def test_a_lower_ice_score_never_lowers_the_icans_grade(findings, first, second):
    better, worse = max(first, second), min(first, second)
    assert (
        grade_icans(replace(findings, ice_score=worse)).grade >= grade_icans(replace(findings, ice_score=better)).grade
    )


@given(
    icans_findings(age=st.integers(min_value=0, max_value=11)),
    st.integers(min_value=0, max_value=32),
    st.integers(min_value=0, max_value=32),
)
def test_a_higher_capd_score_never_lowers_the_icans_grade(findings, first, second):
    better, worse = min(first, second), max(first, second)
    assert (
        grade_icans(replace(findings, capd_score=worse)).grade
        >= grade_icans(replace(findings, capd_score=better)).grade
    )


@given(
    icans_findings(),
    st.sampled_from(LevelOfConsciousness),
    st.sampled_from(LevelOfConsciousness),
)
def test_worse_consciousness_never_lowers_the_icans_grade(findings, first, second):
    better, worse = sorted([first, second], key=CONSCIOUSNESS_ORDER.index)
    assert (
        grade_icans(replace(findings, level_of_consciousness=worse)).grade
        >= grade_icans(replace(findings, level_of_consciousness=better)).grade
    )


@given(icans_findings(), st.sampled_from(Seizure), st.sampled_from(Seizure))
def test_a_worse_seizure_never_lowers_the_icans_grade(findings, first, second):
    better, worse = sorted([first, second], key=SEIZURE_RANK.__getitem__)
    assert grade_icans(replace(findings, seizure=worse)).grade >= grade_icans(replace(findings, seizure=better)).grade


@given(icans_findings(), st.sampled_from(RaisedIcpFinding))
def test_adding_a_raised_icp_finding_never_lowers_the_icans_grade(findings, sign):
    more = replace(findings, raised_icp_findings=(*findings.raised_icp_findings, sign))
    assert grade_icans(more).grade >= grade_icans(findings).grade


@given(icans_findings())
def test_deep_focal_weakness_never_lowers_the_icans_grade(findings):
    weaker = replace(findings, motor_finding="paraparesis")
    assert grade_icans(weaker).grade >= grade_icans(findings).grade


@given(icans_findings())
def test_attributing_consciousness_to_another_cause_never_raises_the_icans_grade(findings):
    attributed = replace(findings, consciousness_attributable_to_other_cause=True)
    assert grade_icans(attributed).grade <= grade_icans(findings).grade


@given(icans_findings(), st.randoms(use_true_random=False))
def test_the_order_of_raised_icp_findings_never_matters(findings, random):
    shuffled = list(findings.raised_icp_findings) * 2
    random.shuffle(shuffled)
    reordered = replace(findings, raised_icp_findings=shuffled)
    assert reordered == findings
    assert grade_icans(reordered) == grade_icans(findings)
