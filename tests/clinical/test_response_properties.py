"""Property tests for tracker.clinical.response: invariants the response criteria imply.

Fewer blasts never undo a remission, better counts never turn CR into CRi, lower MRD never turns
negative into positive; new disease is always PMD; a lower M-protein (serum or urine) never gives
a worse myeloma category; a missing nadir is the baseline; number representation never matters;
best overall response ignores what follows the first progression. Sources: docs/clinical-rules.md
§7 (CIBMTR ALL criteria, Lugano 2014, IMWG 2016).
"""

from dataclasses import replace
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from tracker.clinical.response import (
    AllMarrowFindings,
    AllResponse,
    ChangeFromBaseline,
    Disease,
    LymphomaPetFindings,
    LymphomaResponse,
    MarrowUptake,
    MyelomaFindings,
    MyelomaResponse,
    best_overall_response,
    classify_all,
    classify_lymphoma_pet,
    classify_myeloma,
    myeloma_confirmations,
)

RANK = {
    member: position
    for enum in (AllResponse, LymphomaResponse, MyelomaResponse)
    for position, member in enumerate(enum)
}
CATEGORIES = {Disease.B_ALL: AllResponse, Disease.LYMPHOMA: LymphomaResponse, Disease.MYELOMA: MyelomaResponse}


def no_worse(better, worse):
    """True when `better` ranks at least as well as `worse` (enums are declared best first)."""
    return RANK[better] <= RANK[worse]


percents = st.decimals(min_value=0, max_value=100, places=3)
ancs = st.decimals(min_value=0, max_value=100, places=2)
platelets = st.decimals(min_value=0, max_value=2000, places=0)
serums = st.decimals(min_value=0, max_value=20, places=3)
urines = st.decimals(min_value=0, max_value=20000, places=0)
optional_flags = st.none() | st.booleans()


def representations(number: Decimal):
    """The same number written as Decimal, str and (where it is exact as written) float."""
    return [number, str(number), float(str(number))]


# --- B-ALL ---------------------------------------------------------------------------------


@st.composite
def all_findings(draw):
    return AllMarrowFindings(
        marrow_blasts_percent=draw(percents),
        circulating_blasts=draw(st.booleans()),
        extramedullary_disease=draw(st.booleans()),
        anc_10e9_per_l=draw(st.none() | ancs),
        platelets_10e9_per_l=draw(st.none() | platelets),
        transfusion_independent=draw(optional_flags),
        mrd_percent=draw(st.none() | percents),
        mrd_sensitivity_percent=draw(st.none() | st.decimals(min_value="0.0001", max_value=1, places=4)),
        previously_in_remission=draw(st.booleans()),
    )


@given(all_findings(), percents)
def test_fewer_blasts_never_turn_a_remission_into_nr_or_relapse(findings, lower):
    assume(lower <= Decimal(str(findings.marrow_blasts_percent)))
    before = classify_all(findings).category
    after = classify_all(replace(findings, marrow_blasts_percent=lower)).category
    if before in (AllResponse.CR, AllResponse.CRI):
        assert after == before  # the counts, not the blasts, decide CR against CRi


@given(all_findings())
def test_remission_is_exactly_blasts_below_5_and_no_other_disease(findings):
    in_remission = (
        Decimal(str(findings.marrow_blasts_percent)) < 5
        and not findings.circulating_blasts
        and not findings.extramedullary_disease
    )
    category = classify_all(findings).category
    assert (category in (AllResponse.CR, AllResponse.CRI)) is in_remission
    if not in_remission:
        assert category == (AllResponse.RELAPSE if findings.previously_in_remission else AllResponse.NR)


@st.composite
def cr_marrows(draw):
    """A marrow in CR: blasts below 5 %, no other disease, counts recovered."""
    return AllMarrowFindings(
        marrow_blasts_percent=draw(st.decimals(min_value=0, max_value="4.99", places=2)),
        circulating_blasts=False,
        extramedullary_disease=False,
        anc_10e9_per_l=draw(st.decimals(min_value=1, max_value=100, places=2)),
        platelets_10e9_per_l=draw(st.decimals(min_value=100, max_value=2000, places=0)),
        transfusion_independent=True,
        previously_in_remission=draw(st.booleans()),
    )


@given(cr_marrows(), ancs, platelets)
def test_higher_counts_never_turn_cr_into_cri(findings, anc, platelet_count):
    result = classify_all(findings)
    assert result.category == AllResponse.CR
    assert not result.needs_review
    higher = replace(
        findings,
        anc_10e9_per_l=max(anc, findings.anc_10e9_per_l),
        platelets_10e9_per_l=max(platelet_count, findings.platelets_10e9_per_l),
    )
    assert classify_all(higher).category == AllResponse.CR


@given(all_findings(), st.decimals(min_value=0, max_value=1, places=3))
def test_lower_mrd_never_turns_negative_into_positive(findings, fraction):
    # A lower MRD is drawn as a fraction of the recorded one (no filtering, so no health-check failures).
    if findings.mrd_percent is None:
        return
    lower = Decimal(str(findings.mrd_percent)) * fraction
    if classify_all(findings).mrd == "negative":
        assert classify_all(replace(findings, mrd_percent=lower)).mrd == "negative"


@given(all_findings())
def test_all_number_representation_never_changes_the_result(findings):
    expected = classify_all(findings)
    blasts = Decimal(str(findings.marrow_blasts_percent))
    for written in representations(blasts):
        result = classify_all(replace(findings, marrow_blasts_percent=written))
        assert (result.category, result.mrd, result.needs_review) == (
            expected.category,
            expected.mrd,
            expected.needs_review,
        )


# --- Lymphoma ------------------------------------------------------------------------------


@st.composite
def pet_findings(draw):
    return LymphomaPetFindings(
        deauville_score=draw(st.integers(min_value=1, max_value=5)),
        change_from_baseline=draw(st.sampled_from(ChangeFromBaseline)),
        new_lesions=draw(st.booleans()),
        marrow=draw(st.sampled_from(MarrowUptake)),
    )


@given(pet_findings())
def test_new_disease_is_always_pmd(findings):
    if findings.new_lesions or findings.marrow is MarrowUptake.NEW_OR_RECURRENT:
        assert classify_lymphoma_pet(findings).category == LymphomaResponse.PMD


@given(pet_findings(), st.integers(min_value=1, max_value=5))
def test_a_lower_deauville_score_never_gives_a_worse_category(findings, lower):
    assume(lower <= findings.deauville_score)
    before = classify_lymphoma_pet(findings).category
    after = classify_lymphoma_pet(replace(findings, deauville_score=lower)).category
    assert no_worse(after, before)


@given(pet_findings())
def test_deauville_1_to_3_is_never_nmr(findings):
    if findings.deauville_score <= 3:
        assert classify_lymphoma_pet(findings).category != LymphomaResponse.NMR


# --- Myeloma -------------------------------------------------------------------------------


@st.composite
def myeloma_findings(draw):
    baseline_serum = draw(serums)
    baseline_urine = draw(urines)
    assume(baseline_serum >= 1 or baseline_urine >= 200)  # light-chain-only disease is refused
    return MyelomaFindings(
        baseline_serum_m_protein_g_dl=baseline_serum,
        serum_m_protein_g_dl=draw(serums),
        nadir_serum_m_protein_g_dl=draw(st.none() | serums),
        baseline_urine_m_protein_mg_24h=baseline_urine,
        urine_m_protein_mg_24h=draw(urines),
        nadir_urine_m_protein_mg_24h=draw(st.none() | urines),
        serum_immunofixation_negative=draw(optional_flags),
        urine_immunofixation_negative=draw(optional_flags),
        marrow_plasma_cells_percent=draw(st.none() | percents),
        flc_ratio_normal=draw(optional_flags),
        clonal_plasma_cells_in_marrow=draw(optional_flags),
        plasmacytomas_present=draw(optional_flags),
        new_bone_lesions_or_plasmacytomas=draw(st.booleans()),
    )


@given(myeloma_findings(), serums)
def test_a_larger_serum_fall_never_gives_a_worse_category(findings, lower):
    assume(lower <= findings.serum_m_protein_g_dl)
    before = classify_myeloma(findings).category
    after = classify_myeloma(replace(findings, serum_m_protein_g_dl=lower)).category
    assert no_worse(after, before)


@given(myeloma_findings(), urines)
def test_a_larger_urine_fall_never_gives_a_worse_category(findings, lower):
    assume(lower <= findings.urine_m_protein_mg_24h)
    before = classify_myeloma(findings).category
    after = classify_myeloma(replace(findings, urine_m_protein_mg_24h=lower)).category
    assert no_worse(after, before)


@given(myeloma_findings())
def test_new_bone_lesions_are_always_pd(findings):
    if findings.new_bone_lesions_or_plasmacytomas:
        assert classify_myeloma(findings).category == MyelomaResponse.PD


@given(myeloma_findings())
def test_a_missing_nadir_is_the_baseline_or_the_lower_of_baseline_and_current(findings):
    as_missing = replace(findings, nadir_serum_m_protein_g_dl=None, nadir_urine_m_protein_mg_24h=None)
    expected = classify_myeloma(as_missing).category
    as_baseline = replace(
        as_missing,
        nadir_serum_m_protein_g_dl=findings.baseline_serum_m_protein_g_dl,
        nadir_urine_m_protein_mg_24h=findings.baseline_urine_m_protein_mg_24h,
    )
    as_lower = replace(
        as_missing,
        nadir_serum_m_protein_g_dl=min(findings.baseline_serum_m_protein_g_dl, findings.serum_m_protein_g_dl),
        nadir_urine_m_protein_mg_24h=min(findings.baseline_urine_m_protein_mg_24h, findings.urine_m_protein_mg_24h),
    )
    assert classify_myeloma(as_baseline).category == expected
    assert classify_myeloma(as_lower).category == expected


@given(myeloma_findings())
def test_myeloma_number_representation_never_changes_the_result(findings):
    expected = classify_myeloma(findings)
    for index in range(3):
        written = replace(
            findings,
            baseline_serum_m_protein_g_dl=representations(findings.baseline_serum_m_protein_g_dl)[index],
            serum_m_protein_g_dl=representations(findings.serum_m_protein_g_dl)[index],
            urine_m_protein_mg_24h=representations(findings.urine_m_protein_mg_24h)[index],
        )
        result = classify_myeloma(written)
        assert (result.category, result.needs_review) == (expected.category, expected.needs_review)


@given(myeloma_findings())
def test_a_cr_criterion_not_done_never_gives_cr(findings):
    cr_criteria = (
        findings.serum_immunofixation_negative,
        findings.urine_immunofixation_negative,
        findings.marrow_plasma_cells_percent,
        findings.plasmacytomas_present,
    )
    if any(value is None for value in cr_criteria):
        assert classify_myeloma(findings).category not in (MyelomaResponse.SCR, MyelomaResponse.CR)


# --- Rules across assessments --------------------------------------------------------------


@st.composite
def course(draw):
    disease = draw(st.sampled_from(Disease))
    categories = draw(st.lists(st.sampled_from(CATEGORIES[disease]), max_size=8))
    return disease, categories


PROGRESSION = {Disease.B_ALL: "relapse", Disease.LYMPHOMA: "PMD", Disease.MYELOMA: "PD"}


@given(course(), st.lists(st.integers(min_value=0, max_value=6), max_size=4))
def test_best_response_ignores_everything_after_the_first_progression(course_, extra):
    disease, categories = course_
    assume(PROGRESSION[disease] in categories)
    members = list(CATEGORIES[disease])
    later = [members[index % len(members)] for index in extra]
    assert best_overall_response(disease, categories + later) == best_overall_response(disease, categories)


@given(course())
def test_best_response_is_no_worse_than_any_assessment_before_progression(course_):
    disease, categories = course_
    best = best_overall_response(disease, categories)
    for category in categories:
        assert no_worse(best, category)
        if category == PROGRESSION[disease]:
            break


@given(course(), st.randoms())
def test_best_response_without_progression_does_not_depend_on_order(course_, random):
    disease, categories = course_
    assume(PROGRESSION[disease] not in categories)
    shuffled = list(categories)
    random.shuffle(shuffled)
    assert best_overall_response(disease, shuffled) == best_overall_response(disease, categories)


@given(st.lists(st.sampled_from(MyelomaResponse), max_size=8))
def test_every_assessment_repeated_is_confirmed(categories):
    doubled = [category for category in categories for _ in range(2)]
    assert myeloma_confirmations(doubled) == [True] * len(doubled)
    assert len(myeloma_confirmations(categories)) == len(categories)


@given(st.lists(st.sampled_from(MyelomaResponse), max_size=8))
def test_sd_is_always_confirmed_and_a_lone_pd_never(categories):
    confirmed = myeloma_confirmations(categories)
    for index, category in enumerate(categories):
        if category is MyelomaResponse.SD:
            assert confirmed[index]
        if category is MyelomaResponse.PD:
            neighbours = categories[max(index - 1, 0) : index] + categories[index + 1 : index + 2]
            assert confirmed[index] is (MyelomaResponse.PD in neighbours)
