"""Validation shared by the calculators' findings: exact numbers, flags and choices.

Every finding class validates its values when it is built and raises ``FindingError`` naming
the field and what is allowed, so a caller (a form, an API, another program) can show the
error next to the field it concerns.
"""

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)


class FindingError(ValueError):
    """A finding that cannot be assessed; the message names the field and what is allowed."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def exact(value: int | float | str | Decimal) -> Decimal:
    """The number as written, with no binary-float noise: 37.95 stays 37.95 (no rounding)."""
    return Decimal(str(value))


def check_number(
    field: str, value: object, low: Decimal, high: Decimal, unit: str, *, allow_text: bool = False
) -> Decimal:
    """The value as an exact Decimal, or FindingError when it is not a number in [low, high].

    ``allow_text`` also accepts a numeric string ("4.5"), as a value read from a report."""
    kinds = (int, float, Decimal, str) if allow_text else (int, float, Decimal)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise FindingError(f"{field} must be a number between {low} and {high}{unit}, got {value!r}", field=field)
    try:
        number = exact(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise FindingError(
            f"{field} must be a number between {low} and {high}{unit}, got {value!r}", field=field
        ) from None
    if not number.is_finite() or not low <= number <= high:
        raise FindingError(f"{field} must be between {low} and {high}{unit}, got {value}", field=field)
    return number


def check_score(field: str, value: object, score_range: tuple[int, int]) -> None:
    low, high = score_range
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FindingError(f"{field} must be a whole number between {low} and {high}, got {value!r}", field=field)


def check_flag(field: str, value: object) -> None:
    if not isinstance(value, bool):
        raise FindingError(f"{field} must be True or False, got {value!r}", field=field)


def allowed(enum_class: type[StrEnum]) -> str:
    return ", ".join(member.value for member in enum_class)


def choice(field: str, enum_class: type[E], value: object) -> E:
    if isinstance(value, str):
        try:
            return enum_class(value)
        except ValueError:
            pass
    raise FindingError(f"{field}: {value!r} is not one of {allowed(enum_class)}", field=field)


def choices(field: str, enum_class: type[E], values: object) -> tuple[E, ...]:
    """Validate a list of choices; dedupe and sort into declaration order (order-independent)."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise FindingError(
            f"{field} must be a list of values from {allowed(enum_class)}, got {values!r}",
            field=field,
        )
    chosen = {choice(field, enum_class, value) for value in values}
    return tuple(member for member in enum_class if member in chosen)
