"""Neutropenia after CAR-T: ICAHT grade from an ANC series, and CIBMTR neutrophil recovery.

Sources (docs/clinical-rules.md §9.2 and §9.3):
- ICAHT: Rejeski K, et al. Immune effector cell-associated hematotoxicity: EHA/EBMT consensus
  grading and best practice recommendations. Blood 2023;142(10):865-877. Early ICAHT (days
  0-30) is graded by the number of days with ANC ≤ 500/µL and ≤ 100/µL, late ICAHT (after day
  +30) by the ANC nadir.
- Neutrophil recovery: CIBMTR Forms Instruction Manual, "Initial ANC recovery": ANC ≥ 0.5 ×10⁹/L
  on three consecutive laboratory values obtained on different days, counted after the nadir;
  the recovery day is the first of the three.

Pure rules: standard library only. The caller builds `AncMeasurement`s (construction validates
them and raises `FindingError` naming the field and its range), then calls `grade_icaht` or
`neutrophil_recovery`. ANC is in ×10⁹/L (0.5 ×10⁹/L = 500/µL) and compared exactly.

Decisions (docs/clinical-rules.md §9.2, each with a test named test_decision_...)
=================================================================================
1. Thresholds are inclusive: ≤ 0.5 and ≤ 0.1 ×10⁹/L early, ≤ 1.5 / 1.0 / 0.5 / 0.1 late.
2. Days are counted cumulatively over days 0-30; a rise above the threshold that lasts fewer
   than 3 days between two neutropenic days is not a stable recovery and its days are counted.
3. A sparse series is read day by day: a day takes the lowest ANC measured on the latest
   measured day on or before it, carried forward for at most 7 days. Days after the last
   measurement are carried forward only once the series is closed by censoring; otherwise they
   are "not measured yet" (the rule cannot know today's date). Unknown days leave the early
   grade open (None) unless the known days already give grade 4.
4. Grade 4 also when the ANC is ≤ 0.5 ×10⁹/L from day 3 or earlier through day 30 without a
   stable recovery ("no recovery by day +30"), even if day 0 was above 0.5.
5. Censoring (progression, next therapy or death) excludes that day and every later day. A
   patient still neutropenic when censored before day 30 is graded by the days counted and
   flagged for review.
6. Late ICAHT is graded by measured values after day 30 (no carry-forward). The depth must be
   shown by 2 measurements on different days: the grade is that of the second-lowest value.
   A deeper nadir seen only once, or a single measurement, is flagged for review.
7. The grade does not depend on G-CSF: no source read ties the grade to it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from tracker.clinical.findings import FindingError
from tracker.clinical.lab_ranges import check_lab_value

RULE_VERSION = "EHA-EBMT-ICAHT-2023/1"
RECOVERY_RULE_VERSION = "CIBMTR-ANC-recovery/1"

# Rejeski et al., Blood 2023;142:865 (EHA/EBMT ICAHT), early ICAHT rows: ANC ≤ 500/µL and
# ANC ≤ 100/µL ("≤" as in the Liang et al. public implementation; decision 1).
SEVERE_NEUTROPENIA_MAX = Decimal("0.5")
PROFOUND_NEUTROPENIA_MAX = Decimal("0.1")
# Rejeski et al. 2023: early ICAHT covers days 0-30, late ICAHT starts after day +30.
EARLY_WINDOW_LAST_DAY = 30
LATE_WINDOW_FIRST_DAY = EARLY_WINDOW_LAST_DAY + 1
# Rejeski et al. 2023, early ICAHT, ANC ≤ 500/µL row: 1-6 days grade 1, 7-13 grade 2,
# 14-30 grade 3, more than 30 (all 31 days 0-30) grade 4. Checked from the top.
EARLY_SEVERE_GRADE_FROM_DAYS = ((31, 4), (14, 3), (7, 2), (1, 1))
# Rejeski et al. 2023, early ICAHT, ANC ≤ 100/µL row: ≥ 7 days grade 3, ≥ 14 days grade 4.
EARLY_PROFOUND_GRADE_FROM_DAYS = ((14, 4), (7, 3))
# Rejeski et al. 2023, late ICAHT by nadir: ≤ 100/µL grade 4, ≤ 500 grade 3, ≤ 1000 grade 2,
# ≤ 1500 grade 1. Checked from the deepest.
LATE_GRADE_FROM_NADIR = (
    (Decimal("0.1"), 4),
    (Decimal("0.5"), 3),
    (Decimal("1.0"), 2),
    (Decimal("1.5"), 1),
)
# T-ICAHT table (ASH, citing the N-ICAHT logic of Rejeski et al.): "days of nonstable count
# recovery (< 3 days) are counted to the cumulative total" (decision 2).
STABLE_RECOVERY_DAYS = 3
# Rejeski et al. 2023, late ICAHT: "≥ 2 measurements" or non-transient neutropenia (decision 6).
LATE_CONFIRMING_MEASUREMENTS = 2
# Decision 3: weekly outpatient counts still cover every day; Liang et al.'s public
# implementation also fills at most 7 missing days.
MAX_CARRY_FORWARD_DAYS = 7
# Decision 4, after Liang et al.'s implementation: neutropenia that began on day 0-3 and is still
# present on day 30 never recovered, so it is grade 4.
GRADE_4_ONSET_BY_DAY = 3
# CIBMTR Forms Instruction Manual, initial ANC recovery: ANC ≥ 0.5 ×10⁹/L on 3 consecutive values.
ANC_RECOVERY_MIN = Decimal("0.5")
ANC_RECOVERY_CONSECUTIVE_VALUES = 3

# Day numbers accepted: from the start of lymphodepletion/bridging (-30) to 15 years of follow-up.
MEASUREMENT_DAY_RANGE = (-30, 5500)
CENSOR_DAY_RANGE = (0, 5500)

SEVERE_BANDS = {1: "1-6 days", 2: "7-13 days", 3: "14-30 days", 4: "all 31 days 0-30"}
PROFOUND_BANDS = {3: "≥ 7 days", 4: "≥ 14 days"}
LATE_BANDS = {4: "≤ 0.1", 3: "≤ 0.5", 2: "≤ 1.0", 1: "≤ 1.5"}


def _check_day(field: str, value: object, day_range: tuple[int, int]) -> int:
    low, high = day_range
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FindingError(
            f"{field} must be a whole day number between {low} and {high} (day 0 = infusion), got {value!r}",
            field=field,
        )
    return value


@dataclass(frozen=True)
class AncMeasurement:
    """One absolute neutrophil count on a day after infusion (day 0 = infusion day).

    `anc_10e9_per_l` may be an int, float, Decimal or numeric string; it is kept as an exact
    Decimal. Construction raises FindingError naming the field and its range."""

    day: int
    anc_10e9_per_l: Decimal | int | float | str

    def __post_init__(self) -> None:
        _check_day("day", self.day, MEASUREMENT_DAY_RANGE)
        object.__setattr__(self, "anc_10e9_per_l", check_lab_value("anc_10e9_per_l", self.anc_10e9_per_l))


@dataclass(frozen=True)
class IcahtResult:
    """Early and late ICAHT with their explanation.

    `early_grade` is 0-4, or None while days 0-30 are not all known. `late_grade` is 0-4, or None
    when there is no ANC after day 30. The day counts include short, unstable recoveries
    (decision 2) and are lower bounds while days are unknown. `reasons[0]` is the criterion that
    set the early grade; the late grade's criterion follows."""

    early_grade: int | None
    late_grade: int | None
    days_at_or_below_500: int
    days_at_or_below_100: int
    late_nadir: Decimal | None
    reasons: tuple[str, ...]
    needs_review: bool = False
    rule_version: str = RULE_VERSION


@dataclass(frozen=True)
class RecoveryResult:
    """CIBMTR neutrophil recovery: the first day of three consecutive values ≥ 0.5 ×10⁹/L after
    the nadir, or None (not yet recovered, or never below 0.5: see `never_below`)."""

    recovered_on_day: int | None
    reasons: tuple[str, ...]
    nadir: Decimal | None = None
    nadir_day: int | None = None
    never_below: bool = False
    rule_version: str = RECOVERY_RULE_VERSION


# --- Series helpers --------------------------------------------------------------------------


def _lowest_per_day(measurements: object, before_day: int | None = None) -> dict[int, Decimal]:
    """The lowest ANC of each measured day, leaving out days from `before_day` on."""
    if isinstance(measurements, str | bytes) or not isinstance(measurements, Iterable):
        raise FindingError(f"measurements must be a list of AncMeasurement, got {measurements!r}", field="measurements")
    lowest: dict[int, Decimal] = {}
    for measurement in measurements:
        if not isinstance(measurement, AncMeasurement):
            raise FindingError(
                f"measurements must contain only AncMeasurement, got {measurement!r}", field="measurements"
            )
        if before_day is not None and measurement.day >= before_day:
            continue
        value = measurement.anc_10e9_per_l
        # Two counts on one day: the lower one counts (the day was neutropenic if either was).
        # Equal values written differently (0.5, 0.50) tie-break on the text, so order never matters.
        current = lowest.get(measurement.day, value)
        lowest[measurement.day] = min((value, str(value)), (current, str(current)))[0]
    return lowest


def _daily_values(lowest: dict[int, Decimal], first: int, last: int, *, closed: bool) -> dict[int, Decimal | None]:
    """Each day's ANC by decision 3: the latest measured day on or before it, carried forward
    for at most MAX_CARRY_FORWARD_DAYS days; None when no measurement is that recent, or when
    the day is after the last measurement and the series is not `closed` by censoring."""
    measured = sorted(lowest)
    daily: dict[int, Decimal | None] = {}
    for day in range(first, last + 1):
        index = bisect_right(measured, day)
        latest = measured[index - 1] if index else None
        trailing = index == len(measured) and day != latest
        if latest is not None and day - latest <= MAX_CARRY_FORWARD_DAYS and (closed or not trailing):
            daily[day] = lowest[latest]
        else:
            daily[day] = None
    return daily


def _counted_days(daily: dict[int, Decimal | None], threshold: Decimal) -> tuple[set[int], set[int]]:
    """Days counted as at or below the threshold, and the subset counted only because a rise above
    it lasted fewer than STABLE_RECOVERY_DAYS days between two such days (decision 2)."""
    days = sorted(daily)
    below = {day for day in days if daily[day] is not None and daily[day] <= threshold}
    bridged: set[int] = set()
    index = 0
    while index < len(days):
        value = daily[days[index]]
        if value is None or days[index] in below:
            index += 1
            continue
        end = index
        while end + 1 < len(days) and daily[days[end + 1]] is not None and days[end + 1] not in below:
            end += 1
        before = days[index - 1] if index > 0 else None
        after = days[end + 1] if end + 1 < len(days) else None
        run = days[index : end + 1]
        if before in below and after in below and len(run) < STABLE_RECOVERY_DAYS:
            bridged.update(run)
        index = end + 1
    return below | bridged, bridged


def _grade_from_days(days: int, table: tuple[tuple[int, int], ...]) -> int:
    for minimum, grade in table:
        if days >= minimum:
            return grade
    return 0


def _late_grade(value: Decimal) -> int:
    for maximum, grade in LATE_GRADE_FROM_NADIR:
        if value <= maximum:
            return grade
    return 0


def _span(days: Iterable[int]) -> str:
    """Days as ranges: [3, 4, 5, 9] → "3-5, 9"."""
    ordered = sorted(days)
    parts: list[str] = []
    start = previous = ordered[0]
    for day in [*ordered[1:], None]:
        if day is not None and day == previous + 1:
            previous = day
            continue
        parts.append(str(start) if start == previous else f"{start}-{previous}")
        if day is not None:
            start = previous = day
    return ", ".join(parts)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# --- ICAHT -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Early:
    grade: int | None
    severe_days: int
    profound_days: int
    first: str
    notes: tuple[str, ...]
    needs_review: bool


def _early_icaht(lowest: dict[int, Decimal], censored_from_day: int | None) -> _Early:
    """Early ICAHT (days 0-30) by Rejeski et al. 2023 with decisions 1-5."""
    last = EARLY_WINDOW_LAST_DAY if censored_from_day is None else min(EARLY_WINDOW_LAST_DAY, censored_from_day - 1)
    if last < 0:
        first = "Censored from day 0: no day of the early window (days 0-30) can be counted, early ICAHT not graded"
        return _Early(None, 0, 0, first, (), False)

    # A censored series is complete: later days will never be measured (decision 3).
    closed = censored_from_day is not None
    daily = _daily_values(lowest, 0, last, closed=closed)
    severe, severe_bridged = _counted_days(daily, SEVERE_NEUTROPENIA_MAX)
    profound, _ = _counted_days(daily, PROFOUND_NEUTROPENIA_MAX)
    severe_grade = _grade_from_days(len(severe), EARLY_SEVERE_GRADE_FROM_DAYS)
    profound_grade = _grade_from_days(len(profound), EARLY_PROFOUND_GRADE_FROM_DAYS)

    unknown = [day for day in daily if daily[day] is None]
    last_measured = max(lowest) if lowest else None
    # In a closed series unknown days are missing data, never "not yet measured".
    gaps = [day for day in unknown if closed or (last_measured is not None and day < last_measured)]
    not_yet = [day for day in unknown if day not in gaps]

    # Decision 4: neutropenic from day 3 or earlier through day 30 without a stable recovery.
    onset = None
    if not unknown and last == EARLY_WINDOW_LAST_DAY and last in severe:
        onset = last
        while onset - 1 in severe:
            onset -= 1
    no_recovery = onset is not None and onset <= GRADE_4_ONSET_BY_DAY

    window = f"days 0-{last}"
    severe_row = (
        f"ANC ≤ 0.5 ×10⁹/L (≤ 500/µL) on {_plural(len(severe), 'day')} of {window} → grade {severe_grade} "
        f"(EHA/EBMT 2023 early ICAHT, ≤ 500/µL row: {SEVERE_BANDS.get(severe_grade, '0 days')})"
    )
    profound_row = (
        f"ANC ≤ 0.1 ×10⁹/L (≤ 100/µL) on {_plural(len(profound), 'day')} of {window} → grade {profound_grade} "
        f"(EHA/EBMT 2023 early ICAHT, ≤ 100/µL row: {PROFOUND_BANDS.get(profound_grade, 'under 7 days')})"
    )
    no_recovery_row = (
        f"ANC ≤ 0.5 ×10⁹/L from day {onset} through day 30 without a stable recovery → grade 4 "
        f"(no recovery by day +30; onset by day {GRADE_4_ONSET_BY_DAY}, decision §9.2)"
    )

    notes: list[str] = []
    if severe_bridged:
        notes.append(
            f"Day(s) {_span(severe_bridged)} above 0.5 ×10⁹/L counted as neutropenic: a recovery lasting "
            f"fewer than {STABLE_RECOVERY_DAYS} days is not stable (EHA/EBMT 2023)"
        )
    carried = [day for day in daily if daily[day] is not None and day not in lowest]
    if carried:
        notes.append(
            f"No ANC measured on day(s) {_span(carried)}: each takes the latest earlier measurement "
            f"(carried forward up to {MAX_CARRY_FORWARD_DAYS} days)"
        )
    needs_review = False
    if gaps:
        needs_review = True
        notes.append(
            f"No ANC within {MAX_CARRY_FORWARD_DAYS} days before day(s) {_span(gaps)}: those days are unknown, "
            "so the day counts are lower bounds and need review"
        )
    if not_yet:
        notes.append(f"Day(s) {_span(not_yet)} not measured yet")
    if censored_from_day is not None and censored_from_day <= EARLY_WINDOW_LAST_DAY:
        notes.append(
            f"Censored from day {censored_from_day} (progression, next therapy or death): "
            f"only days 0-{last} are counted"
        )
        if not unknown and last in severe:
            needs_review = True
            notes.append(
                f"Still neutropenic (ANC ≤ 0.5 ×10⁹/L) when censored on day {censored_from_day}: the grade "
                "counts the days before censoring and needs physician review"
            )

    rows = [(severe_grade, severe_row), (profound_grade, profound_row)]
    if no_recovery:
        rows.append((4, no_recovery_row))
    known_grade = max(grade for grade, _ in rows)
    if unknown and known_grade < 4:
        first = (
            f"Early ICAHT not final: {_plural(len(unknown), 'day')} of days 0-{last} without a usable ANC; "
            f"at least grade {known_grade} from the days known"
        )
        supporting = [row for grade, row in rows if grade > 0]
        return _Early(None, len(severe), len(profound), first, (*supporting, *notes), needs_review)

    if known_grade == 0:
        first = f"ANC never ≤ 0.5 ×10⁹/L (500/µL) on {window} → early ICAHT grade 0"
        return _Early(0, 0, 0, first, tuple(notes), needs_review)
    # The deciding row first: the highest grade, the ≤ 500/µL row on a tie (it is the main row).
    ordered = sorted(rows, key=lambda item: -item[0])
    first = ordered[0][1]
    also = [f"Also: {row}" for grade, row in ordered[1:] if grade > 0]
    return _Early(known_grade, len(severe), len(profound), first, (*also, *notes), needs_review)


@dataclass(frozen=True)
class _Late:
    grade: int | None
    nadir: Decimal | None
    first: str
    notes: tuple[str, ...]
    needs_review: bool


def _late_icaht(lowest: dict[int, Decimal]) -> _Late:
    """Late ICAHT (after day +30) by Rejeski et al. 2023, nadir confirmed twice (decision 6)."""
    late = {day: value for day, value in lowest.items() if day >= LATE_WINDOW_FIRST_DAY}
    if not late:
        return _Late(None, None, "No ANC after day 30: late ICAHT not assessed", (), False)
    by_value = sorted(late.items(), key=lambda item: (item[1], item[0]))
    nadir_day, nadir = by_value[0]
    nadir_grade = _late_grade(nadir)
    if len(by_value) < LATE_CONFIRMING_MEASUREMENTS:
        words = f"Only one ANC after day 30: {nadir} ×10⁹/L on day {nadir_day}"
        if nadir_grade == 0:
            return _Late(0, nadir, f"{words}, above 1.5 ×10⁹/L → late ICAHT grade 0", (), False)
        first = (
            f"{words} → late ICAHT grade {nadir_grade} (nadir {LATE_BANDS[nadir_grade]} ×10⁹/L); "
            "a second measurement is needed to show it is not transient, so it needs review"
        )
        return _Late(nadir_grade, nadir, first, (), True)

    confirming_day, confirming = by_value[LATE_CONFIRMING_MEASUREMENTS - 1]
    grade = _late_grade(confirming)
    if grade == 0:
        first = (
            f"ANC after day 30 not ≤ 1.5 ×10⁹/L on {LATE_CONFIRMING_MEASUREMENTS} measurements "
            f"(second lowest {confirming} on day {confirming_day}) → late ICAHT grade 0"
        )
    else:
        first = (
            f"ANC ≤ {LATE_BANDS[grade].removeprefix('≤ ')} ×10⁹/L on at least {LATE_CONFIRMING_MEASUREMENTS} "
            f"measurements after day 30 (lowest {nadir} on day {nadir_day}, then {confirming} on day "
            f"{confirming_day}) → late ICAHT grade {grade} (EHA/EBMT 2023 late ICAHT, nadir {LATE_BANDS[grade]} "
            "×10⁹/L, non-transient)"
        )
    if nadir_grade > grade:
        note = (
            f"The nadir {nadir} ×10⁹/L on day {nadir_day} alone would be grade {nadir_grade}, but no second "
            "measurement confirms that depth: needs review"
        )
        return _Late(grade, nadir, first, (note,), True)
    return _Late(grade, nadir, first, (), False)


def grade_icaht(measurements: Iterable[AncMeasurement], *, censored_from_day: int | None = None) -> IcahtResult:
    """Early and late ICAHT from an ANC series, by the EHA/EBMT consensus (Rejeski et al., Blood
    2023;142:865), docs/clinical-rules.md §9.2, with the decisions listed in this module.

    `censored_from_day` is the day of progression, next therapy or death: that day and every
    later day are left out of both grades."""
    if censored_from_day is not None:
        _check_day("censored_from_day", censored_from_day, CENSOR_DAY_RANGE)
    lowest = _lowest_per_day(measurements, censored_from_day)
    early = _early_icaht(lowest, censored_from_day)
    late = _late_icaht(lowest)
    late_first = late.first
    if censored_from_day is not None and censored_from_day <= EARLY_WINDOW_LAST_DAY + 1 and late.grade is None:
        late_first = f"Censored from day {censored_from_day}: late ICAHT (after day 30) not assessed"
    return IcahtResult(
        early_grade=early.grade,
        late_grade=late.grade,
        days_at_or_below_500=early.severe_days,
        days_at_or_below_100=early.profound_days,
        late_nadir=late.nadir,
        reasons=(early.first, late_first, *early.notes, *late.notes),
        needs_review=early.needs_review or late.needs_review,
    )


# --- Neutrophil recovery ---------------------------------------------------------------------


def neutrophil_recovery(measurements: Iterable[AncMeasurement]) -> RecoveryResult:
    """The day of neutrophil recovery by the CIBMTR rule (docs/clinical-rules.md §9.3): ANC
    ≥ 0.5 ×10⁹/L on 3 consecutive measurements on different days, counted only after the nadir;
    the recovery day is the first of the three. Only days from infusion (day 0) on are read, and
    two values on one day count as the lower one."""
    lowest = {day: value for day, value in _lowest_per_day(measurements).items() if day >= 0}
    if not lowest:
        return RecoveryResult(None, ("No ANC from day 0 on: neutrophil recovery not assessed",))
    # The nadir is where the ANC first reaches its lowest value; counting starts after it.
    nadir_day = min(lowest, key=lambda day: (lowest[day], day))
    nadir = lowest[nadir_day]
    if nadir >= ANC_RECOVERY_MIN:
        first = (
            f"ANC never below 0.5 ×10⁹/L after infusion (lowest {nadir} on day {nadir_day}): "
            "no neutropenia to recover from"
        )
        return RecoveryResult(None, (first,), nadir, nadir_day, never_below=True)

    run: list[int] = []
    for day in sorted(day for day in lowest if day > nadir_day):
        if lowest[day] >= ANC_RECOVERY_MIN:
            run.append(day)
            if len(run) == ANC_RECOVERY_CONSECUTIVE_VALUES:
                first = (
                    f"ANC ≥ 0.5 ×10⁹/L on {ANC_RECOVERY_CONSECUTIVE_VALUES} consecutive measurements (days "
                    f"{', '.join(map(str, run))}) after the nadir of {nadir} on day {nadir_day} → recovered on "
                    f"day {run[0]} (CIBMTR: the first of the three)"
                )
                return RecoveryResult(run[0], (first,), nadir, nadir_day)
        else:
            run = []
    so_far = (
        f"; {_plural(len(run), 'consecutive value')} ≥ 0.5 since day {run[0]}, {ANC_RECOVERY_CONSECUTIVE_VALUES} needed"
        if run
        else ""
    )
    first = (
        f"Not recovered: no {ANC_RECOVERY_CONSECUTIVE_VALUES} consecutive ANC ≥ 0.5 ×10⁹/L after the nadir "
        f"of {nadir} on day {nadir_day}{so_far}"
    )
    return RecoveryResult(None, (first,), nadir, nadir_day)
