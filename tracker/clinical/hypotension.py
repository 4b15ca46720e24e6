"""When a blood pressure counts as hypotension, by age (docs/clinical-rules.md §5.2). Pure
rules, standard library only."""

from decimal import Decimal

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
