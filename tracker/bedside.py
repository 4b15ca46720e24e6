"""Pure rules for bedside recording: plausible ranges, the ICE and CAPD items and their scores,
and when a blood pressure counts as hypotension. No Django; the grades themselves are in
``grading.py``.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Range:
    low: Decimal
    high: Decimal
    unit: str

    def contains(self, value) -> bool:
        return self.low <= Decimal(str(value)) <= self.high

    def describe(self) -> str:
        return f"between {self.low} and {self.high} {self.unit}".rstrip()


def _r(low, high, unit) -> Range:
    return Range(Decimal(str(low)), Decimal(str(high)), unit)


# Physiologically possible values at the bedside: anything outside is a typing error (a
# missing decimal point, °F typed as °C), refused with the field and the range named.
PHYSIOLOGICAL_RANGES: dict[str, Range] = {
    "temperature_c": _r(25, 45, "°C"),
    "temperature_f": _r(77, 113, "°F"),
    "heart_rate": _r(20, 250, "beats/min"),
    "systolic_bp": _r(40, 300, "mmHg"),
    "diastolic_bp": _r(15, 200, "mmHg"),
    "respiratory_rate": _r(4, 80, "breaths/min"),
    "spo2": _r(50, 100, "%"),
    "oxygen_flow_l_min": _r(0, 80, "L/min"),
    "fio2_pct": _r(21, 100, "%"),
    "seizure_duration_min": _r(0, 240, "minutes"),
}


def range_problem(field: str, value) -> str | None:
    """The error for an out-of-range value, naming the field and the allowed range."""
    allowed = PHYSIOLOGICAL_RANGES[field]
    if value is None or allowed.contains(value):
        return None
    return f"{field.replace('_', ' ')} must be {allowed.describe()}; got {value}"


# --- ICE (Immune Effector Cell-associated Encephalopathy) score, 10 points -------------------
# ASTCT 2019 (Lee et al., BBMT 25:625) ICE table, REFERENCE §3.1: orientation to year, month,
# city and hospital (4), naming three objects (3), following commands (1), writing a standard
# sentence (1), counting backwards from 100 by 10 (1).
ICE_ITEMS: list[tuple[str, str]] = [
    ("ice_year", "Orientation: states the year"),
    ("ice_month", "Orientation: states the month"),
    ("ice_city", "Orientation: states the city"),
    ("ice_hospital", "Orientation: states the hospital"),
    ("ice_object_1", "Naming: first object (e.g. clock)"),
    ("ice_object_2", "Naming: second object (e.g. pen)"),
    ("ice_object_3", "Naming: third object (e.g. button)"),
    ("ice_commands", "Follows simple commands"),
    ("ice_writing", "Writes a standard sentence"),
    ("ice_attention", "Counts backwards from 100 by 10"),
]
ICE_ITEM_NAMES = [name for name, _ in ICE_ITEMS]


def ice_score(items: dict[str, bool]) -> int:
    """One point per item performed correctly; 10 = no impairment."""
    missing = [name for name in ICE_ITEM_NAMES if items.get(name) is None]
    if missing:
        raise ValueError(f"ICE needs all ten items; missing: {', '.join(missing)}")
    return sum(1 for name in ICE_ITEM_NAMES if items[name])


# --- CAPD (Cornell Assessment of Pediatric Delirium), 8 items scored 0–4 -------------------
# REFERENCE §3.4 ([S37], Traube 2014): under 12 years CAPD replaces ICE; total 0–32, ≥ 9
# suggests delirium. Each item is entered as scored on the CAPD sheet (the first four are
# reverse-scored there: "always" makes eye contact scores 0).
CAPD_ITEMS: list[tuple[str, str]] = [
    ("capd_eye_contact", "Makes eye contact with caregiver"),
    ("capd_purposeful", "Actions are purposeful"),
    ("capd_aware", "Aware of surroundings"),
    ("capd_communicates", "Communicates needs and wants"),
    ("capd_restless", "Restless"),
    ("capd_inconsolable", "Inconsolable"),
    ("capd_underactive", "Underactive: very little movement while awake"),
    ("capd_slow_response", "Takes a long time to respond to interactions"),
]
CAPD_ITEM_NAMES = [name for name, _ in CAPD_ITEMS]


def capd_score(items: dict[str, int]) -> int:
    missing = [name for name in CAPD_ITEM_NAMES if items.get(name) is None]
    if missing:
        raise ValueError(f"CAPD needs all eight items; missing: {', '.join(missing)}")
    bad = [name for name in CAPD_ITEM_NAMES if not 0 <= items[name] <= 4]
    if bad:
        raise ValueError(f"CAPD items are scored 0–4: {', '.join(bad)}")
    return sum(items[name] for name in CAPD_ITEM_NAMES)


# --- Hypotension (REFERENCE §11 item 3) -------------------------------------------------------
# Decision: ASTCT gives no blood-pressure threshold because it depends on age. The tracker
# counts hypotension when the systolic pressure is below the age threshold of the paediatric
# advanced life support definition (AHA PALS: < 70 mmHg under 1 year, < 70 + 2 × age from 1 to
# 10 years, < 90 mmHg over 10 years, the SBP < 90 mmHg that CRS table reproductions use for
# adults, PMC8021214), or, from 18 years, a mean arterial pressure below 65 mmHg. The nurse can
# also mark hypotension by clinical judgement (for example a pressure that needed fluid
# boluses); either way the reason is stored.
ADULT_SYSTOLIC_THRESHOLD = 90
ADULT_MAP_THRESHOLD = 65


def systolic_threshold(age_years: int) -> int:
    if age_years < 1:
        return 70
    if age_years <= 10:
        return 70 + 2 * age_years
    return ADULT_SYSTOLIC_THRESHOLD


def mean_arterial_pressure(systolic: int, diastolic: int) -> Decimal:
    return ((Decimal(systolic) + 2 * Decimal(diastolic)) / 3).quantize(Decimal("0.1"))


def hypotension_by_pressure(*, age_years: int, systolic: int | None, diastolic: int | None) -> str | None:
    """Why this pressure is hypotension for this age, or None when it is not (or not measured)."""
    if systolic is None:
        return None
    threshold = systolic_threshold(age_years)
    if systolic < threshold:
        return f"systolic {systolic} mmHg < {threshold} mmHg for age {age_years}"
    if age_years >= 18 and diastolic is not None:
        mean = mean_arterial_pressure(systolic, diastolic)
        if mean < ADULT_MAP_THRESHOLD:
            return f"mean arterial pressure {mean} mmHg < {ADULT_MAP_THRESHOLD} mmHg"
    return None
