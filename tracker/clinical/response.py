"""Response categories after CAR-T: B-ALL marrow, lymphoma PET-CT (Lugano 2014), myeloma (IMWG 2016).

Sources, as restated in the project's clinical rules (docs/clinical-rules.md §7):
- B-ALL: Kröger N, et al., Biol Blood Marrow Transplant 2010;16:1187, Table 4a (the CIBMTR ALL
  response criteria); MRD threshold 0.01 % (10⁻⁴) (§7.1).
- Lymphoma: Cheson BD, et al., "The Lugano classification", J Clin Oncol 2014;32:3059, PET-CT
  response (§7.2); Galtier J, et al., Haematologica 2023;108:171, for the month-1 Deauville 4.
- Myeloma: Kumar S, et al., IMWG consensus response criteria, Lancet Oncol 2016;17:e328 (§7.3).
- Rules across assessments (ORR, CR rate, best overall response, confirmation): FDA 2018
  endpoints guidance and the trial conventions above (§7.4). Patient wording: §7.5.

Pure rules: standard library only, no Django, no clock, no database. The caller builds
`AllMarrowFindings`, `LymphomaPetFindings` or `MyelomaFindings` (construction validates every
value and raises `FindingError` naming the field and what is allowed), then calls
`classify_all`, `classify_lymphoma_pet` or `classify_myeloma`. Each returns a `ResponseResult`
with the category, plain-words reasons (the deciding criterion first), `needs_review` and the rule
version. Numbers may be int, float, str or Decimal; each is compared exactly as written
(`Decimal(str(value))`), so a float 0.1 is compared as Decimal("0.1").

Decisions on points the criteria leave open
===========================================
Each has a test named `test_decision_N_...`; the branch that applies it says "decision N".

1. B-ALL counts: an ANC, platelet count or transfusion independence given as None counts as not
   recovered, so a remission is CRi with `needs_review` (whatever the other counts are).
2. B-ALL relapse is any non-remission marrow when `previously_in_remission` is True (5 % blasts
   or more, circulating blasts, or extramedullary disease, CNS included); without it, NR. The
   25 % marrow threshold some relapse tables use is not applied: CIBMTR counts ≥ 5 % as relapse.
3. MRD: "negative" means below 0.01 % (low-level MRD below 10⁻⁴ included), when the assay's
   sensitivity, if given, reaches 0.01 % (a sensitivity of exactly 0.01 % does). An assay whose
   sensitivity is coarser than 0.01 % gives "indeterminate" for a value below 0.01 %. A missing
   sensitivity gives "negative" with a reason saying it was not recorded (no review flag).
4. Lugano: new lesions and new or recurrent marrow disease are checked first (PMD at any
   Deauville score). Deauville 1-3 is CMR with a clear marrow whatever the change from baseline;
   with residual marrow uptake it is PMR.
5. Myeloma measurability: serum ≥ 1.0 g/dL or urine ≥ 200 mg/24 h at baseline. Every M-protein
   criterion (VGPR, PR, MR, and the PD rise) is applied only to the components measurable at
   baseline; the immunofixation, plasmacytoma and marrow criteria of CR apply to everyone.
   Neither component measurable (light-chain-only disease, followed by FLC) is refused when the
   findings are built, on `baseline_serum_m_protein_g_dl`: the FLC response is not computed here.
6. Myeloma nadir: a nadir given as None (a first assessment) is the baseline value. For PD this
   is the same as taking the lower of baseline and current, because a rise needs the current
   value above the nadir. A nadir above the baseline is used as given but flagged for review.
7. Myeloma PD rises: ≥ 25 % above the nadir and ≥ 0.5 g/dL above it (serum); or, when the serum
   nadir is ≥ 5 g/dL, a rise of ≥ 1.0 g/dL on its own; or ≥ 25 % and ≥ 200 mg/24 h (urine).
   Both parts of a rise are compared exactly (rise × 100 ≥ 25 × nadir, never a rounded percent).
8. Myeloma CR: a CR or sCR criterion given as None is not met. When None is all that stands
   between the result and CR (or CR and sCR), `needs_review` is set. Immunofixation negative with
   a measurable M-protein still reported above 0 is contradictory and is flagged for review (the
   category is not changed). The plasmacytoma-shrinkage parts of PR and MR need imaging the
   findings don't carry, and are not applied.
9. Categories span assessments (§7.4): the rank is the order each category enum is declared in,
   best first. Best overall response is the best category from the first assessment up to and
   including the first progression (B-ALL relapse, lymphoma PMD, myeloma PD); anything recorded
   after that does not count. The caller passes only assessments before any new therapy.
10. Myeloma confirmation: an assessment's category is confirmed when the assessment next to it
   (the one before or the one after) is the same category or better; PD is confirmed only by an
   adjacent PD. SD needs no confirmation (IMWG asks it of responses and PD) and counts as
   confirmed. Assessments are adjacent in the order given (time order, before new therapy).
11. Month-1 PET: a PMR with Deauville 4 on a scan from day 21 to day 60 after infusion
   (inclusive) is "response pending month 3", not a failure (Galtier 2023).
12. Diagnoses: b_all → B-ALL; lbcl, follicular, mantle_cell → lymphoma (Lugano covers FDG-avid
   lymphomas); multiple_myeloma → myeloma. cll → None: CLL response is assessed by iwCLL 2018
   (Hallek et al., Blood 2018), not Lugano, so no rule here applies; other → None. Any other code
   is a programming error and raises `FindingError` on `diagnosis`.
13. Plausibility limits (values outside are refused): percentages 0-100; ANC 0-100 ×10⁹/L;
   platelets 0-2000 ×10⁹/L; serum M-protein 0-20 g/dL; urine M-protein 0-20000 mg/24 h; MRD assay
   sensitivity above 0 and at most 100 %.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING, dataclass, fields
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

from tracker.clinical.findings import (
    FindingError,
    check_flag,
    check_number,
    check_score,
    choice,
    exact,
)

ALL_RULE_VERSION = "ALL-CIBMTR-2010/1"
LYMPHOMA_RULE_VERSION = "LUGANO-2014/1"
MYELOMA_RULE_VERSION = "IMWG-2016/1"

# --- Thresholds ------------------------------------------------------------------------------

# B-ALL, Kröger et al. BBMT 2010;16:1187 Table 4a (CIBMTR ALL criteria), docs/clinical-rules.md §7.1:
# CR needs < 5 % marrow blasts (M1 marrow).
ALL_MARROW_BLASTS_BELOW_PERCENT = Decimal("5")
# Same table: ANC (neutrophils and bands) ≥ 1.0 ×10⁹/L for CR.
ALL_ANC_RECOVERED_10E9_PER_L = Decimal("1.0")
# Same table: platelets ≥ 100 ×10⁹/L for CR.
ALL_PLATELETS_RECOVERED_10E9_PER_L = Decimal("100")
# MRD negativity below 0.01 % (10⁻⁴), the threshold used by ELIANA and most B-ALL protocols
# (docs/clinical-rules.md §7.1).
MRD_THRESHOLD_PERCENT = Decimal("0.01")

# Lugano 2014 (Cheson et al., JCO 32:3059), docs/clinical-rules.md §7.2: Deauville 1-3 is a
# complete metabolic response; 4-5 is residual disease.
DEAUVILLE_COMPLETE_MAX = 3
DEAUVILLE_RANGE = (1, 5)
# Galtier et al., Haematologica 2023;108:171 (docs/clinical-rules.md §7.2, decision 11): the M1 PET
# after CAR-T; a Deauville 4 there is "pending month 3". Window chosen around day 28-30, ending
# halfway to the month-3 (about day 90) scan.
PET_MONTH_1_FIRST_DAY = 21
PET_MONTH_1_LAST_DAY = 60
PENDING_DEAUVILLE_SCORE = 4

# IMWG 2016 (Kumar et al., Lancet Oncol 17:e328), docs/clinical-rules.md §7.3: measurable disease.
SERUM_MEASURABLE_G_DL = Decimal("1.0")
URINE_MEASURABLE_MG_24H = Decimal("200")
# CR: < 5 % plasma cells in the marrow aspirate.
CR_MARROW_PLASMA_CELLS_BELOW_PERCENT = Decimal("5")
# VGPR: ≥ 90 % fall in serum M-protein and urine M-protein < 100 mg/24 h.
VGPR_SERUM_FALL_PERCENT = Decimal("90")
VGPR_URINE_BELOW_MG_24H = Decimal("100")
# PR: ≥ 50 % fall in serum and urine ≥ 90 % fall or < 200 mg/24 h.
PR_SERUM_FALL_PERCENT = Decimal("50")
PR_URINE_FALL_PERCENT = Decimal("90")
PR_URINE_BELOW_MG_24H = Decimal("200")
# MR: ≥ 25 % fall in serum and ≥ 50 % fall in urine.
MR_SERUM_FALL_PERCENT = Decimal("25")
MR_URINE_FALL_PERCENT = Decimal("50")
# PD: ≥ 25 % above the lowest confirmed value, with an absolute rise of ≥ 0.5 g/dL (serum) or
# ≥ 200 mg/24 h (urine); a serum rise of ≥ 1 g/dL is enough when the nadir was ≥ 5 g/dL.
PD_RISE_PERCENT = Decimal("25")
PD_SERUM_RISE_G_DL = Decimal("0.5")
PD_HIGH_NADIR_G_DL = Decimal("5")
PD_HIGH_NADIR_SERUM_RISE_G_DL = Decimal("1.0")
PD_URINE_RISE_MG_24H = Decimal("200")

# Plausibility limits for a recorded value (decision 13).
PERCENT_RANGE = (Decimal("0"), Decimal("100"))
ANC_RANGE_10E9_PER_L = (Decimal("0"), Decimal("100"))
PLATELET_RANGE_10E9_PER_L = (Decimal("0"), Decimal("2000"))
SERUM_M_PROTEIN_RANGE_G_DL = (Decimal("0"), Decimal("20"))
URINE_M_PROTEIN_RANGE_MG_24H = (Decimal("0"), Decimal("20000"))

HUNDRED = Decimal("100")

# --- Categories ------------------------------------------------------------------------------
# Each enum is declared best first: the declaration order is the rank (decision 9).


class Disease(StrEnum):
    B_ALL = "b_all"
    LYMPHOMA = "lymphoma"
    MYELOMA = "myeloma"


class AllResponse(StrEnum):
    """B-ALL marrow response (docs/clinical-rules.md §7.1), best first."""

    CR = "CR"
    CRI = "CRi"
    NR = "NR"
    RELAPSE = "relapse"


class LymphomaResponse(StrEnum):
    """Lugano 2014 PET-CT response (docs/clinical-rules.md §7.2), best first."""

    CMR = "CMR"
    PMR = "PMR"
    NMR = "NMR"
    PMD = "PMD"


class MyelomaResponse(StrEnum):
    """IMWG 2016 response (docs/clinical-rules.md §7.3), best first."""

    SCR = "sCR"
    CR = "CR"
    VGPR = "VGPR"
    PR = "PR"
    MR = "MR"
    SD = "SD"
    PD = "PD"


class MrdStatus(StrEnum):
    NEGATIVE = "negative"
    POSITIVE = "positive"
    INDETERMINATE = "indeterminate"
    NOT_ASSESSED = "not_assessed"


class ChangeFromBaseline(StrEnum):
    """FDG uptake at the residual sites compared with baseline (Lugano 2014)."""

    REDUCED = "reduced"
    UNCHANGED = "unchanged"
    INCREASED = "increased"


class MarrowUptake(StrEnum):
    """FDG-avid disease in the bone marrow (Lugano 2014)."""

    CLEAR = "clear"
    RESIDUAL = "residual"
    NEW_OR_RECURRENT = "new_or_recurrent"


Category = AllResponse | LymphomaResponse | MyelomaResponse

CATEGORIES: dict[Disease, type[StrEnum]] = {
    Disease.B_ALL: AllResponse,
    Disease.LYMPHOMA: LymphomaResponse,
    Disease.MYELOMA: MyelomaResponse,
}

# ORR: B-ALL counts CR + CRi ("overall remission"), lymphoma CMR + PMR, myeloma PR or better
# (docs/clinical-rules.md §7.4; FDA 2018 endpoints guidance, ELIANA, JULIET, KarMMa).
RESPONSES: dict[Disease, frozenset[Category]] = {
    Disease.B_ALL: frozenset({AllResponse.CR, AllResponse.CRI}),
    Disease.LYMPHOMA: frozenset({LymphomaResponse.CMR, LymphomaResponse.PMR}),
    Disease.MYELOMA: frozenset({MyelomaResponse.SCR, MyelomaResponse.CR, MyelomaResponse.VGPR, MyelomaResponse.PR}),
}
# CR rate: CR/CRi for B-ALL, CMR for PET, sCR/CR for myeloma (docs/clinical-rules.md §7.4).
COMPLETE_RESPONSES: dict[Disease, frozenset[Category]] = {
    Disease.B_ALL: frozenset({AllResponse.CR, AllResponse.CRI}),
    Disease.LYMPHOMA: frozenset({LymphomaResponse.CMR}),
    Disease.MYELOMA: frozenset({MyelomaResponse.SCR, MyelomaResponse.CR}),
}
# The event that ends the window for best overall response (decision 9).
PROGRESSION: dict[Disease, Category] = {
    Disease.B_ALL: AllResponse.RELAPSE,
    Disease.LYMPHOMA: LymphomaResponse.PMD,
    Disease.MYELOMA: MyelomaResponse.PD,
}

# The tracker's diagnosis codes (TreatmentCourse.Diagnosis) and the rule that applies (decision 12).
DISEASE_BY_DIAGNOSIS: dict[str, Disease | None] = {
    "b_all": Disease.B_ALL,
    "lbcl": Disease.LYMPHOMA,
    "follicular": Disease.LYMPHOMA,
    "mantle_cell": Disease.LYMPHOMA,
    "multiple_myeloma": Disease.MYELOMA,
    "cll": None,  # iwCLL 2018, not Lugano
    "other": None,
}


# --- Findings --------------------------------------------------------------------------------


def _sentence(text: str) -> str:
    """Capitalise the first letter only."""
    return text[:1].upper() + text[1:]


def _check_optional_number(field: str, value: object, limits: tuple[Decimal, Decimal], unit: str) -> None:
    if value is not None:
        check_number(field, value, *limits, unit, allow_text=True)


def _check_optional_flag(field: str, value: object) -> None:
    if value is not None and not isinstance(value, bool):
        raise FindingError(f"{field} must be True, False or None (not done), got {value!r}", field=field)


@dataclass(frozen=True)
class AllMarrowFindings:
    """One B-ALL marrow assessment with the blood counts of the same day (docs/clinical-rules.md §7.1).

    Counts are ×10⁹/L; a count or transfusion independence given as None is not recorded.
    `mrd_percent` is the MRD level in percent of nucleated cells (0.01 = 10⁻⁴) and
    `mrd_sensitivity_percent` the lowest level the assay can detect, both None when not done.
    """

    marrow_blasts_percent: int | float | str | Decimal
    circulating_blasts: bool
    extramedullary_disease: bool
    anc_10e9_per_l: int | float | str | Decimal | None
    platelets_10e9_per_l: int | float | str | Decimal | None
    transfusion_independent: bool | None
    mrd_percent: int | float | str | Decimal | None = None
    mrd_sensitivity_percent: int | float | str | Decimal | None = None
    previously_in_remission: bool = False

    def __post_init__(self) -> None:
        check_number("marrow_blasts_percent", self.marrow_blasts_percent, *PERCENT_RANGE, " %", allow_text=True)
        check_flag("circulating_blasts", self.circulating_blasts)
        check_flag("extramedullary_disease", self.extramedullary_disease)
        _check_optional_number("anc_10e9_per_l", self.anc_10e9_per_l, ANC_RANGE_10E9_PER_L, " ×10⁹/L")
        _check_optional_number("platelets_10e9_per_l", self.platelets_10e9_per_l, PLATELET_RANGE_10E9_PER_L, " ×10⁹/L")
        _check_optional_flag("transfusion_independent", self.transfusion_independent)
        _check_optional_number("mrd_percent", self.mrd_percent, PERCENT_RANGE, " %")
        _check_optional_number("mrd_sensitivity_percent", self.mrd_sensitivity_percent, PERCENT_RANGE, " %")
        if self.mrd_sensitivity_percent is not None and exact(self.mrd_sensitivity_percent) == 0:
            raise FindingError(
                "mrd_sensitivity_percent must be greater than 0 and at most 100 %, got 0",
                field="mrd_sensitivity_percent",
            )
        check_flag("previously_in_remission", self.previously_in_remission)


@dataclass(frozen=True)
class LymphomaPetFindings:
    """One PET-CT read by Lugano 2014 (docs/clinical-rules.md §7.2).

    `deauville_score` is the highest 5-point score at any nodal or extranodal site;
    `change_from_baseline` is the uptake compared with baseline; `new_lesions` means new FDG-avid
    lesions consistent with lymphoma; `marrow` is the FDG-avid marrow disease.
    """

    deauville_score: int
    change_from_baseline: ChangeFromBaseline | str
    new_lesions: bool
    marrow: MarrowUptake | str

    def __post_init__(self) -> None:
        check_score("deauville_score", self.deauville_score, DEAUVILLE_RANGE)
        change = choice("change_from_baseline", ChangeFromBaseline, self.change_from_baseline)
        object.__setattr__(self, "change_from_baseline", change)
        check_flag("new_lesions", self.new_lesions)
        object.__setattr__(self, "marrow", choice("marrow", MarrowUptake, self.marrow))


@dataclass(frozen=True)
class MyelomaFindings:
    """One myeloma response assessment by IMWG 2016 (docs/clinical-rules.md §7.3).

    Serum M-protein in g/dL, urine M-protein in mg/24 h: the value at baseline, now, and the
    lowest confirmed value so far (None: no nadir yet, the baseline is used, decision 6).
    Immunofixation, marrow, FLC and plasmacytoma values may be None (not done), which never meets
    a CR criterion (decision 8). At least one of serum and urine must be measurable at baseline
    (decision 5).
    """

    baseline_serum_m_protein_g_dl: int | float | str | Decimal
    serum_m_protein_g_dl: int | float | str | Decimal
    nadir_serum_m_protein_g_dl: int | float | str | Decimal | None
    baseline_urine_m_protein_mg_24h: int | float | str | Decimal
    urine_m_protein_mg_24h: int | float | str | Decimal
    nadir_urine_m_protein_mg_24h: int | float | str | Decimal | None
    serum_immunofixation_negative: bool | None
    urine_immunofixation_negative: bool | None
    marrow_plasma_cells_percent: int | float | str | Decimal | None
    flc_ratio_normal: bool | None
    clonal_plasma_cells_in_marrow: bool | None
    plasmacytomas_present: bool | None
    new_bone_lesions_or_plasmacytomas: bool

    def __post_init__(self) -> None:
        serum, urine = SERUM_M_PROTEIN_RANGE_G_DL, URINE_M_PROTEIN_RANGE_MG_24H
        check_number(
            "baseline_serum_m_protein_g_dl", self.baseline_serum_m_protein_g_dl, *serum, " g/dL", allow_text=True
        )
        check_number("serum_m_protein_g_dl", self.serum_m_protein_g_dl, *serum, " g/dL", allow_text=True)
        _check_optional_number("nadir_serum_m_protein_g_dl", self.nadir_serum_m_protein_g_dl, serum, " g/dL")
        check_number(
            "baseline_urine_m_protein_mg_24h", self.baseline_urine_m_protein_mg_24h, *urine, " mg/24 h", allow_text=True
        )
        check_number("urine_m_protein_mg_24h", self.urine_m_protein_mg_24h, *urine, " mg/24 h", allow_text=True)
        _check_optional_number("nadir_urine_m_protein_mg_24h", self.nadir_urine_m_protein_mg_24h, urine, " mg/24 h")
        _check_optional_flag("serum_immunofixation_negative", self.serum_immunofixation_negative)
        _check_optional_flag("urine_immunofixation_negative", self.urine_immunofixation_negative)
        _check_optional_number("marrow_plasma_cells_percent", self.marrow_plasma_cells_percent, PERCENT_RANGE, " %")
        _check_optional_flag("flc_ratio_normal", self.flc_ratio_normal)
        _check_optional_flag("clonal_plasma_cells_in_marrow", self.clonal_plasma_cells_in_marrow)
        _check_optional_flag("plasmacytomas_present", self.plasmacytomas_present)
        check_flag("new_bone_lesions_or_plasmacytomas", self.new_bone_lesions_or_plasmacytomas)
        if not (self.serum_measurable or self.urine_measurable):
            # Decision 5: light-chain-only disease is followed by FLC, which is not computed here.
            raise FindingError(
                f"baseline_serum_m_protein_g_dl: neither serum (≥ {SERUM_MEASURABLE_G_DL} g/dL, got "
                f"{exact(self.baseline_serum_m_protein_g_dl)}) nor urine (≥ {URINE_MEASURABLE_MG_24H} mg/24 h, got "
                f"{exact(self.baseline_urine_m_protein_mg_24h)}) M-protein was measurable at baseline; "
                "light-chain-only disease is assessed by the FLC response, which this calculator does not compute",
                field="baseline_serum_m_protein_g_dl",
            )

    @property
    def serum_measurable(self) -> bool:
        """Serum M-protein ≥ 1.0 g/dL at baseline (IMWG 2016 measurable disease)."""
        return exact(self.baseline_serum_m_protein_g_dl) >= SERUM_MEASURABLE_G_DL

    @property
    def urine_measurable(self) -> bool:
        """Urine M-protein ≥ 200 mg/24 h at baseline (IMWG 2016 measurable disease)."""
        return exact(self.baseline_urine_m_protein_mg_24h) >= URINE_MEASURABLE_MG_24H


# --- Result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseResult:
    """A response category with its explanation.

    `reasons[0]` is the criterion that decided the category. `needs_review` is True where the
    reading is uncertain (a value not recorded that could change the category, contradictory
    values). `mrd` is set by `classify_all` only.
    """

    category: Category
    reasons: tuple[str, ...]
    needs_review: bool
    rule_version: str
    mrd: MrdStatus | None = None


# --- B-ALL -----------------------------------------------------------------------------------


def _count_words(name: str, value: object, threshold: Decimal) -> tuple[bool, str]:
    """Whether a count is recovered, and the count in words (None is not recovered, decision 1)."""
    if value is None:
        return False, f"{name} not recorded, counted as not recovered"
    number = exact(value)
    if number >= threshold:
        return True, f"{name} {number} ×10⁹/L (at least {threshold})"
    return False, f"{name} {number} ×10⁹/L (below {threshold})"


def _mrd(findings: AllMarrowFindings) -> tuple[MrdStatus, str]:
    """MRD status against the 0.01 % (10⁻⁴) threshold (docs/clinical-rules.md §7.1, decision 3)."""
    if findings.mrd_percent is None:
        return MrdStatus.NOT_ASSESSED, "MRD not assessed"
    level = exact(findings.mrd_percent)
    sensitivity = None if findings.mrd_sensitivity_percent is None else exact(findings.mrd_sensitivity_percent)
    if level >= MRD_THRESHOLD_PERCENT:
        return MrdStatus.POSITIVE, f"MRD {level} % (at least {MRD_THRESHOLD_PERCENT} %) → MRD positive"
    if sensitivity is not None and sensitivity > MRD_THRESHOLD_PERCENT:
        return MrdStatus.INDETERMINATE, (
            f"MRD {level} % is below {MRD_THRESHOLD_PERCENT} %, but the assay only detects down to "
            f"{sensitivity} % → MRD indeterminate"
        )
    detected = f" (detected, but below the {MRD_THRESHOLD_PERCENT} % threshold)" if level > 0 else ""
    if sensitivity is None:
        return MrdStatus.NEGATIVE, (
            f"MRD {level} %{detected} → MRD negative at {MRD_THRESHOLD_PERCENT} %; assay sensitivity not recorded"
        )
    return MrdStatus.NEGATIVE, (
        f"MRD {level} %{detected} with assay sensitivity {sensitivity} % → MRD negative at {MRD_THRESHOLD_PERCENT} %"
    )


def classify_all(findings: AllMarrowFindings) -> ResponseResult:
    """B-ALL marrow response: CR, CRi, NR or relapse, with the MRD status (docs/clinical-rules.md §7.1).

    Remission is < 5 % marrow blasts, no circulating blasts and no extramedullary disease (CNS
    included); CR when ANC ≥ 1.0 and platelets ≥ 100 ×10⁹/L and transfusion independent, otherwise
    CRi. No remission is relapse after a previous remission, else NR. Source: Kröger et al., BBMT
    2010;16:1187 Table 4a (CIBMTR ALL response criteria); MRD threshold 0.01 %.
    """
    mrd, mrd_reason = _mrd(findings)
    blasts = exact(findings.marrow_blasts_percent)
    disease = []
    if blasts >= ALL_MARROW_BLASTS_BELOW_PERCENT:
        disease.append(f"marrow blasts {blasts} % ({ALL_MARROW_BLASTS_BELOW_PERCENT} % or more)")
    if findings.circulating_blasts:
        disease.append("circulating blasts in the blood")
    if findings.extramedullary_disease:
        disease.append("extramedullary disease (CNS included)")

    if disease:
        found = "; ".join(disease)
        if findings.previously_in_remission:
            # Decision 2: any non-remission marrow after a remission is relapse.
            first = f"{_sentence(found)} after a previous remission → relapse (CIBMTR ALL criteria)"
            category = AllResponse.RELAPSE
        else:
            first = f"{_sentence(found)}, so not in remission → NR (CIBMTR ALL criteria)"
            category = AllResponse.NR
        return ResponseResult(category, (first, mrd_reason), False, ALL_RULE_VERSION, mrd)

    remission = (
        f"Marrow blasts {blasts} % (below {ALL_MARROW_BLASTS_BELOW_PERCENT} %), no circulating blasts, "
        "no extramedullary disease"
    )
    anc_ok, anc = _count_words("ANC", findings.anc_10e9_per_l, ALL_ANC_RECOVERED_10E9_PER_L)
    platelets_ok, platelets = _count_words(
        "platelets", findings.platelets_10e9_per_l, ALL_PLATELETS_RECOVERED_10E9_PER_L
    )
    if findings.transfusion_independent is None:
        transfusion_ok, transfusion = False, "transfusion independence not recorded, counted as not met"
    elif findings.transfusion_independent:
        transfusion_ok, transfusion = True, "transfusion independent"
    else:
        transfusion_ok, transfusion = False, "still needs transfusions"
    counts = (anc, platelets, transfusion)
    if anc_ok and platelets_ok and transfusion_ok:
        first = f"{remission}, and blood counts recovered: {', '.join(counts)} → CR (CIBMTR ALL criteria)"
        return ResponseResult(AllResponse.CR, (first, mrd_reason), False, ALL_RULE_VERSION, mrd)

    missing = (findings.anc_10e9_per_l, findings.platelets_10e9_per_l, findings.transfusion_independent)
    review = any(value is None for value in missing)  # decision 1
    unmet = ", ".join(words for ok, words in zip((anc_ok, platelets_ok, transfusion_ok), counts, strict=True) if not ok)
    first = f"{remission}, but blood counts not recovered: {unmet} → CRi (CIBMTR ALL criteria)"
    reasons = (first, mrd_reason)
    if review:
        reasons += ("A blood count or transfusion status was not recorded: CR cannot be confirmed, needs review",)
    return ResponseResult(AllResponse.CRI, reasons, review, ALL_RULE_VERSION, mrd)


# --- Lymphoma --------------------------------------------------------------------------------

DEAUVILLE_WORDS = {
    1: "no uptake above background",
    2: "uptake at or below the mediastinum",
    3: "uptake above the mediastinum but at or below the liver",
    4: "uptake moderately above the liver",
    5: "uptake markedly above the liver",
}


def classify_lymphoma_pet(findings: LymphomaPetFindings) -> ResponseResult:
    """Lugano 2014 PET-CT response: CMR, PMR, NMR or PMD (docs/clinical-rules.md §7.2).

    New FDG-avid lesions, new or recurrent FDG-avid marrow disease, or Deauville 4-5 with
    increased uptake is PMD. Deauville 1-3 is CMR (clear marrow) or PMR (residual marrow uptake).
    Deauville 4-5 with reduced uptake is PMR, unchanged NMR. Source: Cheson et al., JCO 2014;32:3059.
    """
    score = findings.deauville_score
    deauville = f"Deauville {score} ({DEAUVILLE_WORDS[score]})"
    change = findings.change_from_baseline
    marrow = findings.marrow

    def result(category: LymphomaResponse, *reasons: str) -> ResponseResult:
        return ResponseResult(category, reasons, False, LYMPHOMA_RULE_VERSION)

    # Decision 4: new disease decides first, at any Deauville score.
    progression = []
    if findings.new_lesions:
        progression.append("new FDG-avid lesions consistent with lymphoma")
    if marrow is MarrowUptake.NEW_OR_RECURRENT:
        progression.append("new or recurrent FDG-avid marrow disease")
    if score > DEAUVILLE_COMPLETE_MAX and change is ChangeFromBaseline.INCREASED:
        progression.append(f"{deauville} with uptake increased from baseline")
    if progression:
        return result(LymphomaResponse.PMD, f"{_sentence('; '.join(progression))} → PMD (Lugano 2014)")

    if score <= DEAUVILLE_COMPLETE_MAX:
        if marrow is MarrowUptake.RESIDUAL:
            return result(
                LymphomaResponse.PMR,
                f"{deauville} at nodal and extranodal sites, but residual FDG uptake in the marrow → PMR (Lugano 2014)",
            )
        return result(
            LymphomaResponse.CMR,
            f"{deauville}, no new lesions and no FDG-avid marrow disease → CMR (Lugano 2014); "
            "a residual mass is allowed",
        )
    if change is ChangeFromBaseline.REDUCED:
        return result(
            LymphomaResponse.PMR, f"{deauville} with uptake reduced from baseline, no new lesions → PMR (Lugano 2014)"
        )
    return result(
        LymphomaResponse.NMR,
        f"{deauville} with no significant change from baseline → NMR, no metabolic response (Lugano 2014)",
    )


def pet_response_pending(category: LymphomaResponse | str, deauville_score: int, day_number: int) -> bool:
    """True for a Deauville 4 PMR on the month-1 scan (day 21-60): "response pending month 3".

    Galtier et al., Haematologica 2023;108:171: after CAR-T a Deauville 4 at month 1 often goes on
    to respond (1-year PFS 78.9 % against 8.6 % for Deauville 5), so it is not shown as a failure
    (docs/clinical-rules.md §7.2, decision 11).
    """
    category = choice("category", LymphomaResponse, category)
    check_score("deauville_score", deauville_score, DEAUVILLE_RANGE)
    if isinstance(day_number, bool) or not isinstance(day_number, int):
        raise FindingError(f"day_number must be a whole number of days, got {day_number!r}", field="day_number")
    return (
        category is LymphomaResponse.PMR
        and deauville_score == PENDING_DEAUVILLE_SCORE
        and PET_MONTH_1_FIRST_DAY <= day_number <= PET_MONTH_1_LAST_DAY
    )


# --- Myeloma ---------------------------------------------------------------------------------


def _fell_by_at_least(baseline: Decimal, current: Decimal, percent: Decimal) -> bool:
    """(baseline − current) / baseline ≥ percent / 100, exactly (no division, no rounding)."""
    return (baseline - current) * HUNDRED >= percent * baseline


def _change(baseline: Decimal, current: Decimal, unit: str) -> str:
    """The change from baseline in words; the percent is rounded down, so it never overstates a fall."""
    fall = ((baseline - current) * HUNDRED / baseline).quantize(Decimal("0.1"), rounding=ROUND_FLOOR)
    if fall >= 0:
        return f"{fall.normalize():f} % below baseline {baseline} {unit}"
    return f"{(-fall).normalize():f} % above baseline {baseline} {unit}"


@dataclass(frozen=True)
class _Component:
    """One M-protein component (serum or urine) with the exact values it is judged on."""

    name: str
    unit: str
    baseline: Decimal
    current: Decimal
    nadir: Decimal
    nadir_given: bool
    measurable: bool

    def words(self) -> str:
        return f"{self.name} M-protein {self.current} {self.unit} ({_change(self.baseline, self.current, self.unit)})"

    def fell_by(self, percent: Decimal) -> bool:
        return _fell_by_at_least(self.baseline, self.current, percent)

    def rise(self) -> Decimal:
        return self.current - self.nadir

    def rose_by_percent(self, percent: Decimal) -> bool:
        """Rise × 100 ≥ percent × nadir, exactly (decision 7)."""
        return self.rise() * HUNDRED >= percent * self.nadir


def _components(findings: MyelomaFindings) -> tuple[_Component, _Component]:
    def component(name: str, unit: str, baseline: object, current: object, nadir: object, measurable: bool):
        base = exact(baseline)
        # Decision 6: no nadir yet means the baseline is the lowest value so far.
        low = base if nadir is None else exact(nadir)
        return _Component(name, unit, base, exact(current), low, nadir is not None, measurable)

    serum = component(
        "serum",
        "g/dL",
        findings.baseline_serum_m_protein_g_dl,
        findings.serum_m_protein_g_dl,
        findings.nadir_serum_m_protein_g_dl,
        findings.serum_measurable,
    )
    urine = component(
        "urine",
        "mg/24 h",
        findings.baseline_urine_m_protein_mg_24h,
        findings.urine_m_protein_mg_24h,
        findings.nadir_urine_m_protein_mg_24h,
        findings.urine_measurable,
    )
    return serum, urine


def _progression(findings: MyelomaFindings, serum: _Component, urine: _Component) -> list[str]:
    """Every IMWG 2016 PD criterion met, in table order (docs/clinical-rules.md §7.3, decisions 5-7)."""
    met = []
    if findings.new_bone_lesions_or_plasmacytomas:
        met.append("New bone lesions or plasmacytomas → PD (IMWG 2016)")
    if serum.measurable:
        rise = serum.rise()
        above = f"serum M-protein {serum.current} g/dL is {rise} g/dL above its nadir {serum.nadir} g/dL"
        if rise >= PD_SERUM_RISE_G_DL and serum.rose_by_percent(PD_RISE_PERCENT):
            met.append(
                f"{_sentence(above)}: at least {PD_RISE_PERCENT} % and {PD_SERUM_RISE_G_DL} g/dL → PD (IMWG 2016)"
            )
        elif serum.nadir >= PD_HIGH_NADIR_G_DL and rise >= PD_HIGH_NADIR_SERUM_RISE_G_DL:
            met.append(
                f"{_sentence(above)}: with a nadir of {PD_HIGH_NADIR_G_DL} g/dL or more, a rise of "
                f"{PD_HIGH_NADIR_SERUM_RISE_G_DL} g/dL is enough → PD (IMWG 2016)"
            )
    if urine.measurable:
        rise = urine.rise()
        if rise >= PD_URINE_RISE_MG_24H and urine.rose_by_percent(PD_RISE_PERCENT):
            met.append(
                f"Urine M-protein {urine.current} mg/24 h is {rise} mg/24 h above its nadir {urine.nadir} mg/24 h: "
                f"at least {PD_RISE_PERCENT} % and {PD_URINE_RISE_MG_24H} mg/24 h → PD (IMWG 2016)"
            )
    return met


def _complete_response(findings: MyelomaFindings) -> tuple[list[str], list[str], list[str]]:
    """The CR criteria met, not met and not recorded (None never meets one, decision 8)."""
    met, unmet, unknown = [], [], []

    def sort(value: bool | None, yes: str, no: str, name: str) -> None:
        if value is None:
            unknown.append(name)
        elif value:
            met.append(yes)
        else:
            unmet.append(no)

    sort(
        findings.serum_immunofixation_negative,
        "serum immunofixation negative",
        "serum immunofixation positive",
        "serum immunofixation",
    )
    sort(
        findings.urine_immunofixation_negative,
        "urine immunofixation negative",
        "urine immunofixation positive",
        "urine immunofixation",
    )
    plasmacytomas = findings.plasmacytomas_present
    sort(
        None if plasmacytomas is None else not plasmacytomas,
        "no plasmacytomas",
        "plasmacytomas present",
        "plasmacytomas",
    )
    if findings.marrow_plasma_cells_percent is None:
        unknown.append("marrow plasma cells")
    else:
        cells = exact(findings.marrow_plasma_cells_percent)
        limit = CR_MARROW_PLASMA_CELLS_BELOW_PERCENT
        if cells < limit:
            met.append(f"marrow plasma cells {cells} % (below {limit} %)")
        else:
            unmet.append(f"marrow plasma cells {cells} % ({limit} % or more)")
    return met, unmet, unknown


def _stringent(findings: MyelomaFindings) -> tuple[list[str], list[str], list[str]]:
    """The criteria sCR adds to CR, met, not met and not recorded (decision 8)."""
    met, unmet, unknown = [], [], []
    if findings.flc_ratio_normal is None:
        unknown.append("free light-chain ratio")
    elif findings.flc_ratio_normal:
        met.append("normal free light-chain ratio")
    else:
        unmet.append("abnormal free light-chain ratio")
    if findings.clonal_plasma_cells_in_marrow is None:
        unknown.append("clonal plasma cells in the marrow")
    elif findings.clonal_plasma_cells_in_marrow:
        unmet.append("clonal plasma cells in the marrow")
    else:
        met.append("no clonal plasma cells in the marrow")
    return met, unmet, unknown


def _level(category: MyelomaResponse, serum: _Component, urine: _Component) -> tuple[bool, list[str]]:
    """Whether the M-protein criteria of VGPR, PR or MR hold, applied to measurable components only.

    Returns the outcome and each applied criterion in words (decision 5).
    """
    if category is MyelomaResponse.VGPR:
        serum_ok, serum_rule = serum.fell_by(VGPR_SERUM_FALL_PERCENT), f"≥ {VGPR_SERUM_FALL_PERCENT} % fall"
        urine_ok, urine_rule = urine.current < VGPR_URINE_BELOW_MG_24H, f"< {VGPR_URINE_BELOW_MG_24H} mg/24 h"
    elif category is MyelomaResponse.PR:
        serum_ok, serum_rule = serum.fell_by(PR_SERUM_FALL_PERCENT), f"≥ {PR_SERUM_FALL_PERCENT} % fall"
        urine_ok = urine.fell_by(PR_URINE_FALL_PERCENT) or urine.current < PR_URINE_BELOW_MG_24H
        urine_rule = f"≥ {PR_URINE_FALL_PERCENT} % fall or < {PR_URINE_BELOW_MG_24H} mg/24 h"
    else:
        serum_ok, serum_rule = serum.fell_by(MR_SERUM_FALL_PERCENT), f"≥ {MR_SERUM_FALL_PERCENT} % fall"
        urine_ok, urine_rule = urine.fell_by(MR_URINE_FALL_PERCENT), f"≥ {MR_URINE_FALL_PERCENT} % fall"
    applied = []
    holds = True
    for component, ok, rule in ((serum, serum_ok, serum_rule), (urine, urine_ok, urine_rule)):
        if component.measurable:
            applied.append(f"{component.words()}, {category} needs {rule}: {'met' if ok else 'not met'}")
            holds = holds and ok
    return holds, applied


def classify_myeloma(findings: MyelomaFindings) -> ResponseResult:
    """IMWG 2016 response: sCR, CR, VGPR, PR, MR, SD or PD (docs/clinical-rules.md §7.3).

    PD first (new bone lesions or plasmacytomas, or an M-protein rise from its nadir); then the
    best category whose every applicable criterion holds. M-protein criteria apply only to
    components measurable at baseline. Source: Kumar et al., Lancet Oncol 2016;17:e328.
    """
    serum, urine = _components(findings)
    notes: list[str] = []
    review = False
    for component in (serum, urine):
        if not component.measurable:
            notes.append(
                f"{_sentence(component.name)} M-protein was not measurable at baseline "
                f"({component.baseline} {component.unit}): its criteria are not applied"
            )
        elif not component.nadir_given:
            notes.append(f"No {component.name} nadir recorded: the baseline is used as the lowest value")
        elif component.nadir > component.baseline:
            review = True
            notes.append(
                f"The {component.name} nadir {component.nadir} {component.unit} is above the baseline "
                f"{component.baseline} {component.unit}: used as given, needs review"
            )

    def result(category: MyelomaResponse, *reasons: str) -> ResponseResult:
        return ResponseResult(category, (*reasons, *notes), review, MYELOMA_RULE_VERSION)

    progression = _progression(findings, serum, urine)
    if progression:
        return result(MyelomaResponse.PD, *progression)

    # Decision 8: immunofixation negative with an M-protein still measured is contradictory.
    for component, negative in (
        (serum, findings.serum_immunofixation_negative),
        (urine, findings.urine_immunofixation_negative),
    ):
        if negative and component.measurable and component.current > 0:
            review = True
            notes.append(
                f"{_sentence(component.name)} immunofixation is negative but the {component.name} M-protein is "
                f"{component.current} {component.unit}: contradictory, needs review"
            )

    cr_met, cr_unmet, cr_unknown = _complete_response(findings)
    if not cr_unmet and not cr_unknown:
        s_met, s_unmet, s_unknown = _stringent(findings)
        criteria = ", ".join(cr_met)
        if not s_unmet and not s_unknown:
            return result(MyelomaResponse.SCR, f"{_sentence(criteria)}, plus {' and '.join(s_met)} → sCR (IMWG 2016)")
        reasons = [f"{_sentence(criteria)} → CR (IMWG 2016)"]
        if s_unmet:
            reasons.append(f"Not sCR: {', '.join(s_unmet)}")
        if s_unknown and not s_unmet:
            # Decision 8: only the missing values stand between CR and sCR.
            review = True
            reasons.append(f"sCR not assessable: {' and '.join(s_unknown)} not recorded, needs review")
        return result(MyelomaResponse.CR, *reasons)

    not_cr = []
    if cr_unmet:
        not_cr.append(f"Not CR: {', '.join(cr_unmet)}")
    if cr_unknown:
        not_cr.append(f"CR criteria not recorded, so not met: {', '.join(cr_unknown)}")
        if not cr_unmet:
            review = True  # decision 8: only missing values stand between this and CR
            not_cr[-1] += " (needs review)"

    previous: list[str] = []
    for category in (MyelomaResponse.VGPR, MyelomaResponse.PR, MyelomaResponse.MR):
        holds, applied = _level(category, serum, urine)
        if holds:
            first = f"{_sentence('; '.join(applied))} → {category} (IMWG 2016)"
            return result(category, first, *previous, *not_cr)
        previous.append(f"Not {category}: {'; '.join(item for item in applied if item.endswith('not met'))}")
    summary = "; ".join(component.words() for component in (serum, urine) if component.measurable)
    first = f"No progression and no response criteria met ({summary}) → SD (IMWG 2016)"
    return result(MyelomaResponse.SD, first, *previous, *not_cr)


# --- Rules across assessments (docs/clinical-rules.md §7.4) ---------------------------------


def disease_for_diagnosis(code: str) -> Disease | None:
    """The response rule for a tracker diagnosis code, or None where no rule here applies (decision 12)."""
    if not isinstance(code, str) or code not in DISEASE_BY_DIAGNOSIS:
        raise FindingError(f"diagnosis: {code!r} is not one of {', '.join(DISEASE_BY_DIAGNOSIS)}", field="diagnosis")
    return DISEASE_BY_DIAGNOSIS[code]


def _category(disease: Disease | str, category: object) -> tuple[Disease, Category]:
    disease = choice("disease", Disease, disease)
    return disease, choice("category", CATEGORIES[disease], category)


def is_response(disease: Disease | str, category: Category | str) -> bool:
    """Counts toward the ORR: B-ALL CR or CRi; lymphoma CMR or PMR; myeloma PR or better (§7.4)."""
    disease, category = _category(disease, category)
    return category in RESPONSES[disease]


def is_complete_response(disease: Disease | str, category: Category | str) -> bool:
    """Counts toward the CR rate: B-ALL CR or CRi; lymphoma CMR; myeloma sCR or CR (§7.4)."""
    disease, category = _category(disease, category)
    return category in COMPLETE_RESPONSES[disease]


def best_overall_response(disease: Disease | str, categories: Iterable[Category | str]) -> Category | None:
    """The best category of a course, its assessments given in time order (§7.4, decision 9).

    The rank is the category enum's order, best first. Only assessments up to and including the
    first progression (relapse, PMD, PD) count; None when there are no assessments.
    """
    disease = choice("disease", Disease, disease)
    if isinstance(categories, str | bytes) or not isinstance(categories, Iterable):
        raise FindingError(f"categories must be a list of {disease} categories, got {categories!r}", field="categories")
    enum_class = CATEGORIES[disease]
    rank = {member: position for position, member in enumerate(enum_class)}
    best = None
    for value in categories:
        category = choice("categories", enum_class, value)
        if best is None or rank[category] < rank[best]:
            best = category
        if category is PROGRESSION[disease]:
            break  # a response recorded after progression does not count
    return best


def myeloma_confirmations(categories_in_time_order: Iterable[MyelomaResponse | str]) -> list[bool]:
    """For each assessment, whether its IMWG category is confirmed (§7.4, decision 10).

    A response is confirmed when the assessment before or after it is the same category or
    better; PD when the one before or after is also PD. SD needs no confirmation. The page shows
    "unconfirmed" where this is False.
    """
    if isinstance(categories_in_time_order, str | bytes) or not isinstance(categories_in_time_order, Iterable):
        raise FindingError(
            f"categories_in_time_order must be a list of myeloma categories, got {categories_in_time_order!r}",
            field="categories_in_time_order",
        )
    categories = [choice("categories_in_time_order", MyelomaResponse, value) for value in categories_in_time_order]
    rank = {member: position for position, member in enumerate(MyelomaResponse)}

    def agrees(category: MyelomaResponse, other: MyelomaResponse) -> bool:
        if category is MyelomaResponse.PD:
            return other is MyelomaResponse.PD
        return other is not MyelomaResponse.PD and rank[other] <= rank[category]

    confirmed = []
    for index, category in enumerate(categories):
        if category is MyelomaResponse.SD:
            confirmed.append(True)
            continue
        neighbours = categories[max(index - 1, 0) : index] + categories[index + 1 : index + 2]
        confirmed.append(any(agrees(category, other) for other in neighbours))
    return confirmed


# --- Patient wording (docs/clinical-rules.md §7.5) -------------------------------------------

NEXT_STEPS = "Your care team will talk with you about what happens next."
WHAT_IT_MEANS = "Your care team will talk with you about what this means for you."

# Keyed by disease first: AllResponse.CR and MyelomaResponse.CR are equal strings ("CR").
PATIENT_WORDS: dict[Disease, dict[Category, str]] = {
    Disease.B_ALL: {
        AllResponse.CR: "Your {what} showed no leukaemia.",
        AllResponse.CRI: (
            "Your {what} showed no leukaemia. Your blood counts are still recovering, and your care team will "
            "keep checking them."
        ),
        AllResponse.NR: f"Your {{what}} showed that there is still some leukaemia. {NEXT_STEPS}",
        AllResponse.RELAPSE: f"Your {{what}} showed that the leukaemia has come back. {NEXT_STEPS}",
    },
    Disease.LYMPHOMA: {
        LymphomaResponse.CMR: "Your {what} showed no sign of active lymphoma.",
        LymphomaResponse.PMR: (
            "Your {what} showed that the lymphoma has become less active, but some activity is still there. "
            "Your care team will keep checking it."
        ),
        LymphomaResponse.NMR: f"Your {{what}} showed that the lymphoma has not changed much. {WHAT_IT_MEANS}",
        LymphomaResponse.PMD: f"Your {{what}} showed that the lymphoma is growing or has come back. {NEXT_STEPS}",
    },
    Disease.MYELOMA: {
        MyelomaResponse.SCR: "Your {what} showed no sign of myeloma, even in the most detailed tests.",
        MyelomaResponse.CR: "Your {what} showed no sign of myeloma.",
        MyelomaResponse.VGPR: (
            "Your {what} showed that the myeloma has gone down a great deal, though small traces can still be found."
        ),
        MyelomaResponse.PR: "Your {what} showed that the myeloma has gone down by at least half.",
        MyelomaResponse.MR: f"Your {{what}} showed that the myeloma has gone down a little. {WHAT_IT_MEANS}",
        MyelomaResponse.SD: f"Your {{what}} showed that the myeloma has stayed about the same. {WHAT_IT_MEANS}",
        MyelomaResponse.PD: f"Your {{what}} showed that the myeloma has become more active. {NEXT_STEPS}",
    },
}


def patient_words(disease: Disease | str, category: Category | str, what: str) -> str:
    """Plain words for the patient's own page: "Your day +28 marrow showed no leukaemia." (§7.5).

    `what` names the test as the patient knows it ("day +28 marrow", "month 3 PET-CT scan").
    """
    disease, category = _category(disease, category)
    if not isinstance(what, str) or not what.strip():
        raise FindingError(f"what must name the test, such as 'day +28 marrow', got {what!r}", field="what")
    return PATIENT_WORDS[disease][category].format(what=what.strip())


# --- One entry point by disease (for forms, the API calculator and the services) ------------

FINDINGS: dict[Disease, type] = {
    Disease.B_ALL: AllMarrowFindings,
    Disease.LYMPHOMA: LymphomaPetFindings,
    Disease.MYELOMA: MyelomaFindings,
}
CLASSIFIERS: dict[Disease, Callable[..., ResponseResult]] = {
    Disease.B_ALL: classify_all,
    Disease.LYMPHOMA: classify_lymphoma_pet,
    Disease.MYELOMA: classify_myeloma,
}
CATEGORY_LABELS: dict[str, str] = {
    "CR": "Complete remission",
    "CRi": "Complete remission with incomplete count recovery",
    "NR": "No remission",
    "relapse": "Relapse",
    "CMR": "Complete metabolic response",
    "PMR": "Partial metabolic response",
    "NMR": "No metabolic response",
    "PMD": "Progressive metabolic disease",
    "sCR": "Stringent complete response",
    "VGPR": "Very good partial response",
    "PR": "Partial response",
    "MR": "Minimal response",
    "SD": "Stable disease",
    "PD": "Progressive disease",
}
MYELOMA_CATEGORY_LABELS = {**CATEGORY_LABELS, "CR": "Complete response"}


def category_label(disease: Disease | str, category: str) -> str:
    """The category in words: "CMR" is "Complete metabolic response" (myeloma's CR is a response)."""
    labels = MYELOMA_CATEGORY_LABELS if disease == Disease.MYELOMA else CATEGORY_LABELS
    return labels.get(category, category)


def findings_fields(disease: Disease | str) -> list[str]:
    """The findings a disease's classifier takes, in order."""
    return [f.name for f in fields(FINDINGS[choice("disease", Disease, disease)])]


def classify(disease: Disease | str, values: Mapping[str, object]) -> ResponseResult:
    """Classify findings given as a mapping of field names (a form's or a JSON body's values).

    Raises FindingError naming an unknown field, a missing one, or a value out of range."""
    disease = choice("disease", Disease, disease)
    if not isinstance(values, Mapping):
        raise FindingError(f"findings must be an object of named values, got {type(values).__name__}", field="findings")
    findings_class = FINDINGS[disease]
    known = {f.name: f for f in fields(findings_class)}
    for name in values:
        if name not in known:
            raise FindingError(
                f"{name} is not a {disease} finding; the findings are {', '.join(known)}", field=str(name)
            )
    for name, spec in known.items():
        if name not in values and spec.default is MISSING:
            raise FindingError(f"{name} is required for a {disease} response", field=name)
    return CLASSIFIERS[disease](findings_class(**values))
