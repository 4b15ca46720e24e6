"""Physiologically possible values at the bedside (docs/clinical-rules.md §5.1): anything
outside is a typing error (a missing decimal point, °F typed as °C), refused with the field and
the range named. Pure rules, standard library only."""

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
