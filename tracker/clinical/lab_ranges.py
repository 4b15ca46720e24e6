"""Plausible values for the late-effect laboratory results a nurse or physician types
(docs/clinical-rules.md §9.4): serum IgG, CD19+ B cells, ANC, platelets, haemoglobin and
lymphocytes. A value outside its range is a typing error (a missing decimal point, a count typed
per µL instead of ×10⁹/L, g/L instead of g/dL) and is refused with the field and the range named.

The ranges are wide on purpose: they must accept every value a real patient can have (IgG
myeloma, CLL lymphocytosis, essential thrombocythaemia) and only catch what no patient can have.
They are plausibility limits, not reference ranges, and never grade anything. Pure rules,
standard library only.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from tracker.clinical.findings import FindingError, exact


@dataclass(frozen=True)
class LabRange:
    """The inclusive range [low, high] a laboratory value must fall in, with its unit."""

    label: str
    low: Decimal
    high: Decimal
    unit: str
    # Shown with an out-of-range value: the usual unit slip for this field.
    hint: str = ""

    def contains(self, value: Decimal) -> bool:
        return self.low <= value <= self.high

    def describe(self) -> str:
        return f"between {self.low} and {self.high} {self.unit}"


def _range(label: str, low: str, high: str, unit: str, hint: str = "") -> LabRange:
    return LabRange(label, Decimal(low), Decimal(high), unit, hint)


# docs/clinical-rules.md §9.4. Decision: each limit is set wider than any value reported in a
# living patient, so only typing errors are refused.
LAB_RANGES: dict[str, LabRange] = {
    # IgG myeloma paraprotein can exceed 10,000 mg/dL; 0 covers undetectable IgG.
    "igg_mg_dl": _range("serum IgG", "0", "15000", "mg/dL"),
    # CLL lymphocytosis is almost all CD19+ B cells: same ceiling as lymphocytes (500 ×10⁹/L).
    "cd19_cells_per_ul": _range("CD19+ B cells", "0", "500000", "cells/µL"),
    # Leukaemoid reactions stay below 100 ×10⁹/L; 500 typed for 500/µL is caught.
    "anc_10e9_per_l": _range("ANC", "0", "100", "×10⁹/L", "500/µL is 0.5 ×10⁹/L"),
    # Essential thrombocythaemia can reach 2000 ×10⁹/L; 150,000/µL typed as is is caught.
    "platelets_10e9_per_l": _range("platelets", "0", "2000", "×10⁹/L", "150,000/µL is 150 ×10⁹/L"),
    # Survivable extremes lie within 1-25 g/dL; a value in g/L (95 for 9.5) is caught.
    "haemoglobin_g_dl": _range("haemoglobin", "1", "25", "g/dL", "95 g/L is 9.5 g/dL"),
    # CLL lymphocytosis above 500 ×10⁹/L is exceptional; 1200 typed for 1200/µL is caught.
    "lymphocytes_10e9_per_l": _range("lymphocytes", "0", "500", "×10⁹/L", "1,200/µL is 1.2 ×10⁹/L"),
}


def _parse(value: object) -> Decimal | None:
    """The value as an exact finite Decimal, or None when it is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        number = exact(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def lab_range_problem(field: str, value: object) -> str | None:
    """The error for a value that is not a number within the field's range, naming the field
    (label and key) and the allowed range; None when the value is acceptable or empty.

    Numbers may be int, float, Decimal or a numeric string ("0.45"); they are compared exactly.
    Source: docs/clinical-rules.md §9.4 (plausibility limits, a project decision)."""
    allowed = LAB_RANGES[field]
    if value is None:
        return None
    number = _parse(value)
    if number is None:
        return f"{allowed.label} ({field}) must be a number {allowed.describe()}; got {value!r}"
    if allowed.contains(number):
        return None
    hint = f" ({allowed.hint})" if allowed.hint else ""
    return f"{allowed.label} ({field}) must be {allowed.describe()}; got {value}{hint}"


def check_lab_value(field: str, value: object) -> Decimal:
    """The value as an exact Decimal, or FindingError (with .field) naming the field and range.

    Unlike `lab_range_problem`, a missing value (None) is an error: a calculator needs it."""
    if value is None:
        allowed = LAB_RANGES[field]
        raise FindingError(f"{allowed.label} ({field}) is required, {allowed.describe()}", field=field)
    problem = lab_range_problem(field, value)
    if problem is not None:
        raise FindingError(problem, field=field)
    number = _parse(value)
    assert number is not None  # lab_range_problem accepted it
    return number
