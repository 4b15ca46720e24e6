"""Immune reconstitution after CAR-T: serum IgG and B-cell aplasia (docs/clinical-rules.md §9.1).

CD19-directed CAR-T cells also destroy normal CD19+ B cells ("on-target, off-tumour"), so the
patient makes little new IgG and is prone to infections, especially by encapsulated bacteria.
The tracker records the values and says what the published guidance says about them; it never
prescribes. Immunoglobulin replacement "may be considered": the decision stays with the
physician.

Sources:
- Hill JA, et al. Immunoglobulin replacement in patients receiving CAR-T cell therapy. Blood Rev
  2019: check IgG before and after CAR-T; consider replacement when IgG ≤ 400 mg/dL, and at
  400-600 mg/dL with serious recurrent infections.
- Otani IM, et al. Practical guidance for the diagnosis and management of secondary
  hypogammaglobulinemia: a Work Group Report of the AAAAI. J Allergy Clin Immunol
  2022;149(5):1525-1560: IgG < 400 mg/dL with recurrent infections, or IgG < 150 mg/dL.
- ASBMT (as summarised with the two above): against replacement without recurrent infections.
- B-cell aplasia threshold: a project decision (docs/clinical-rules.md §9.1), after the
  Cincinnati Children's tisagenlecleucel series, where loss of B-cell aplasia was > 1 % CD19+
  lymphocytes or > 100 CD19+ cells.

Pure rules, standard library only. Values are validated by `lab_ranges.check_lab_value`, which
raises FindingError naming the field and its range.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tracker.clinical.findings import FindingError, check_flag
from tracker.clinical.lab_ranges import check_lab_value

RULE_VERSION = "late-effects-immune/1"

# Decision (§9.1): IgG below 600 mg/dL is low. Hill et al. 2019 start their "serious recurrent
# infections" band at 400-600 mg/dL, and adult laboratory lower limits lie around 600-700 mg/dL.
HYPOGAMMAGLOBULINAEMIA_BELOW_MG_DL = Decimal("600")
# Hill et al., Blood Rev 2019: consider IgG replacement when IgG ≤ 400 mg/dL.
REPLACEMENT_CONSIDER_AT_OR_BELOW_MG_DL = Decimal("400")
# Hill et al., Blood Rev 2019: IgG 400-600 mg/dL with serious recurrent infections (decision:
# above 400 and below 600, so the band stops where IgG stops being low).
REPLACEMENT_WITH_INFECTIONS_BELOW_MG_DL = HYPOGAMMAGLOBULINAEMIA_BELOW_MG_DL
# AAAAI 2022 (Otani et al.): IgG < 400 mg/dL with recurrent infections.
AAAAI_WITH_INFECTIONS_BELOW_MG_DL = Decimal("400")
# AAAAI 2022 (Otani et al.): IgG < 150 mg/dL whatever the infection history.
AAAAI_PROFOUND_BELOW_MG_DL = Decimal("150")
# AAAAI 2022 (Otani et al.): IgG < 700 mg/dL with recurrent infections, low IgA or IgM and poor
# vaccine responses. IgA, IgM and vaccine responses are not inputs here; the reasons point to it.
AAAAI_WITH_VACCINE_FAILURE_BELOW_MG_DL = Decimal("700")

# Decision (§9.1): B-cell aplasia while CD19+ B cells are ≤ 100 cells/µL and, when the lymphocyte
# count is known, ≤ 1 % of lymphocytes (loss of aplasia was > 1 % or > 100 CD19+ cells in the
# Cincinnati Children's tisagenlecleucel series).
B_CELL_APLASIA_MAX_CELLS_PER_UL = Decimal("100")
B_CELL_APLASIA_MAX_PERCENT_OF_LYMPHOCYTES = Decimal("1")


@dataclass(frozen=True)
class IggResult:
    """What the guidance says about one serum IgG value. `replacement_may_be_considered` never
    means "give it": the physician decides. `reasons[0]` is the deciding criterion."""

    igg_mg_dl: Decimal
    hypogammaglobulinaemia: bool
    replacement_may_be_considered: bool
    reasons: tuple[str, ...]
    rule_version: str = RULE_VERSION


@dataclass(frozen=True)
class BCellResult:
    """Whether one CD19+ B-cell count shows B-cell aplasia; `percent_of_lymphocytes` is None when
    the lymphocyte count was not given."""

    aplasia: bool
    cd19_cells_per_ul: Decimal
    percent_of_lymphocytes: Decimal | None
    reasons: tuple[str, ...]
    rule_version: str = RULE_VERSION


def assess_igg(igg_mg_dl: object, *, recurrent_infections: bool = False) -> IggResult:
    """Hypogammaglobulinaemia and whether IgG replacement may be considered, for one serum IgG
    in mg/dL (docs/clinical-rules.md §9.1; Hill et al., Blood Rev 2019; AAAAI 2022).

    `recurrent_infections` is the physician's flag for serious or recurrent bacterial infections."""
    igg = check_lab_value("igg_mg_dl", igg_mg_dl)
    check_flag("recurrent_infections", recurrent_infections)
    low = igg < HYPOGAMMAGLOBULINAEMIA_BELOW_MG_DL
    level = f"IgG {igg} mg/dL"
    infections = "with" if recurrent_infections else "without"
    status = (
        f"{level} is below {HYPOGAMMAGLOBULINAEMIA_BELOW_MG_DL} mg/dL: hypogammaglobulinaemia"
        if low
        else f"{level} is not below {HYPOGAMMAGLOBULINAEMIA_BELOW_MG_DL} mg/dL: not low"
    )
    decision = "; the decision is the physician's"

    if igg < AAAAI_PROFOUND_BELOW_MG_DL:
        first = (
            f"{level} is below {AAAAI_PROFOUND_BELOW_MG_DL} mg/dL → IgG replacement may be considered "
            f"whatever the infection history (AAAAI 2022){decision}"
        )
        return IggResult(igg, low, True, (first, status))

    if igg <= REPLACEMENT_CONSIDER_AT_OR_BELOW_MG_DL:
        first = (
            f"{level} is at or below {REPLACEMENT_CONSIDER_AT_OR_BELOW_MG_DL} mg/dL → IgG replacement may be "
            f"considered, especially with serious or recurrent bacterial infections (Hill et al., Blood Rev 2019)"
            f"{decision}"
        )
        if recurrent_infections and igg < AAAAI_WITH_INFECTIONS_BELOW_MG_DL:
            support = "Recurrent infections recorded: AAAAI 2022 also supports it (IgG < 400 mg/dL with infections)"
        elif recurrent_infections:
            support = "Recurrent infections recorded; AAAAI 2022 asks for IgG below 400 mg/dL (exactly 400 is not)"
        else:
            support = (
                "No recurrent infections recorded: ASBMT advises against replacement without recurrent "
                "infections, and AAAAI 2022 asks for them above 150 mg/dL"
            )
        return IggResult(igg, low, True, (first, support, status))

    if recurrent_infections and igg < REPLACEMENT_WITH_INFECTIONS_BELOW_MG_DL:
        first = (
            f"{level} is between 400 and 600 mg/dL with serious or recurrent infections recorded → "
            f"IgG replacement may be considered (Hill et al., Blood Rev 2019){decision}"
        )
        return IggResult(igg, low, True, (first, status))

    first = f"{level} {infections} recurrent infections recorded: no published criterion for IgG replacement met"
    notes = [status]
    if recurrent_infections and igg < AAAAI_WITH_VACCINE_FAILURE_BELOW_MG_DL:
        notes.append(
            "AAAAI 2022 also allows replacement below 700 mg/dL with recurrent infections when IgA or IgM "
            "is low and vaccine responses are poor: not assessed here"
        )
    return IggResult(igg, low, False, (first, *notes))


def b_cell_aplasia(cd19_cells_per_ul: object, *, lymphocytes_10e9_per_l: object = None) -> BCellResult:
    """Whether a CD19+ B-cell count (cells/µL) shows B-cell aplasia (docs/clinical-rules.md §9.1,
    project decision): ≤ 100 cells/µL and, when the lymphocyte count (×10⁹/L) is given, ≤ 1 % of
    lymphocytes. One sample; a loss of aplasia should be confirmed on the next sample."""
    cd19 = check_lab_value("cd19_cells_per_ul", cd19_cells_per_ul)
    percent = None
    if lymphocytes_10e9_per_l is not None:
        lymphocytes_per_ul = check_lab_value("lymphocytes_10e9_per_l", lymphocytes_10e9_per_l) * 1000
        if cd19 > lymphocytes_per_ul:
            # CD19+ B cells are lymphocytes, so more B cells than lymphocytes is a typing error.
            raise FindingError(
                f"cd19_cells_per_ul ({cd19} cells/µL) cannot exceed the lymphocyte count "
                f"({lymphocytes_per_ul} cells/µL = {lymphocytes_10e9_per_l} ×10⁹/L)",
                field="cd19_cells_per_ul",
            )
        percent = Decimal(0) if lymphocytes_per_ul == 0 else cd19 * 100 / lymphocytes_per_ul

    count_low = cd19 <= B_CELL_APLASIA_MAX_CELLS_PER_UL
    percent_low = percent is None or percent <= B_CELL_APLASIA_MAX_PERCENT_OF_LYMPHOCYTES
    count = f"CD19+ B cells {cd19} cells/µL"
    share = "" if percent is None else f" ({percent.quantize(Decimal('0.01'))} % of lymphocytes)"
    if count_low and percent_low:
        limits = f"≤ {B_CELL_APLASIA_MAX_CELLS_PER_UL} cells/µL"
        if percent is not None:
            limits += f" and ≤ {B_CELL_APLASIA_MAX_PERCENT_OF_LYMPHOCYTES} % of lymphocytes"
        first = f"{count}{share}: {limits} → B-cell aplasia (docs §9.1 threshold)"
        notes = () if percent is not None else ("Lymphocyte count not given: only the absolute count was checked",)
        return BCellResult(True, cd19, percent, (first, *notes))
    if not count_low:
        first = (
            f"{count}{share}: above {B_CELL_APLASIA_MAX_CELLS_PER_UL} cells/µL → no B-cell aplasia (B cells present)"
        )
    else:
        first = (
            f"{count}{share}: above {B_CELL_APLASIA_MAX_PERCENT_OF_LYMPHOCYTES} % of lymphocytes → no B-cell "
            "aplasia (B cells present)"
        )
    note = "A return of B cells after CD19 CAR-T should be confirmed on the next sample"
    return BCellResult(False, cd19, percent, (first, note))
