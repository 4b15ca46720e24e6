"""Pure rules about CRS and ICANS over time: when fever counts as masked, how assessments
group into episodes, which recordings are threshold events, and tocilizumab dose limits.

Pure rules, standard library only (docs/clinical-rules.md §5.3–§5.6). The services feed these
functions plain values read from the database.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from tracker.clinical.grading import FEVER_THRESHOLD_C

# --- Masked fever (docs/clinical-rules.md §3.2, §5.3) ------------------------------------------
# Decision (grading decision 1, §5.3): a dose masks fever only when given *after a CRS episode began* and
# while it was still open (prophylactic or premedication doses before any CRS do not count,
# the safest literal reading). ASTCT: once a patient with CRS receives anti-cytokine therapy or
# steroids, fever is no longer required to grade *subsequent* CRS, so tocilizumab, siltuximab,
# anakinra and corticosteroids mask fever for the rest of that episode (it ends when neither
# hypotension nor hypoxia remains, decision 2 in grading.py, §3.5). Antipyretics (acetaminophen,
# NSAIDs), which several reproductions of the table include, act for hours, so they mask fever
# for 8 hours after the dose.


class MaskingDrug(StrEnum):
    TOCILIZUMAB = "tocilizumab"
    SILTUXIMAB = "siltuximab"
    ANAKINRA = "anakinra"
    CORTICOSTEROID = "corticosteroid"
    ANTIPYRETIC = "antipyretic"


UNTIL_EPISODE_ENDS = None
MASKING_WINDOW: dict[MaskingDrug, timedelta | None] = {
    MaskingDrug.TOCILIZUMAB: UNTIL_EPISODE_ENDS,
    MaskingDrug.SILTUXIMAB: UNTIL_EPISODE_ENDS,
    MaskingDrug.ANAKINRA: UNTIL_EPISODE_ENDS,
    MaskingDrug.CORTICOSTEROID: UNTIL_EPISODE_ENDS,
    MaskingDrug.ANTIPYRETIC: timedelta(hours=8),  # acetaminophen and NSAIDs act for 4–8 h
}


@dataclass(frozen=True)
class Dose:
    given_at: datetime
    drug: MaskingDrug


@dataclass(frozen=True)
class GradePoint:
    at: datetime
    grade: int


@dataclass
class Episode:
    """A run of assessments with grade ≥ 1 (docs/clinical-rules.md §5.4: keep current and maximum grade)."""

    onset_at: datetime
    max_grade: int
    max_grade_at: datetime
    last_positive_at: datetime
    resolved_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def duration(self) -> timedelta:
        """Onset to resolution, or to the last positive assessment while still open."""
        return (self.resolved_at or self.last_positive_at) - self.onset_at


# Decision: an episode resolves at the first assessment graded 0 after it. A new grade ≥ 1
# within 24 hours of that resolution reopens the same episode rather than starting a new one,
# so one fluctuating CRS is not counted as two (registries report episodes, §5.4, §11.1).
EPISODE_MERGE_WINDOW = timedelta(hours=24)


def derive_episodes(points: Iterable[GradePoint], *, merge_within: timedelta = EPISODE_MERGE_WINDOW) -> list[Episode]:
    episodes: list[Episode] = []
    current: Episode | None = None
    for point in sorted(points, key=lambda p: p.at):
        if point.grade >= 1:
            if current is None:
                last = episodes[-1] if episodes else None
                if last and last.resolved_at and point.at - last.resolved_at <= merge_within:
                    current, last.resolved_at = last, None
                else:
                    current = Episode(point.at, point.grade, point.at, point.at)
                    episodes.append(current)
            current.last_positive_at = point.at
            if point.grade > current.max_grade:
                current.max_grade, current.max_grade_at = point.grade, point.at
        elif current is not None:
            current.resolved_at = point.at
            current = None
    return episodes


def fever_may_be_masked(*, at: datetime, crs_episodes: list[Episode], doses: Iterable[Dose]) -> bool:
    """True when a masking drug was given during a CRS episode that began before ``at`` and
    that episode is still open at ``at``; antipyretics only within 8 hours of the dose
    (decision above). ``crs_episodes`` are derived from the assessments before ``at``."""
    for dose in doses:
        if dose.given_at > at:
            continue
        window = MASKING_WINDOW[dose.drug]
        if window is not None and at - dose.given_at > window:
            continue
        for episode in crs_episodes:
            given_during = episode.onset_at <= dose.given_at and (
                episode.resolved_at is None or dose.given_at < episode.resolved_at
            )
            still_open = episode.resolved_at is None or at < episode.resolved_at
            if given_during and still_open:
                return True
    return False


# --- Threshold events (issue: bedside monitoring, point 6) -----------------------------------


class EventKind(StrEnum):
    FIRST_FEVER = "first_fever"
    CRS_GRADE_2_OR_MORE = "crs_grade_2_or_more"
    ICANS_ANY_GRADE = "icans_any_grade"
    GRADE_RISE = "grade_rise"
    HOME_REPORT = "home_report"  # a patient's home check-in that tells them to call (not graded)


EVENT_LABELS = {
    EventKind.FIRST_FEVER: "First fever ≥ 38.0 °C",
    EventKind.CRS_GRADE_2_OR_MORE: "CRS grade ≥ 2",
    EventKind.ICANS_ANY_GRADE: "ICANS",
    EventKind.GRADE_RISE: "Grade rise",
    EventKind.HOME_REPORT: "Patient reported symptoms at home",
}

CRS_THRESHOLD_GRADE = 2


def crs_events(
    *, temperature_c: Decimal | None, had_fever_before: bool, grade: int, previous_grade: int
) -> list[EventKind]:
    """Events from one vital-signs recording: the first fever ≥ 38.0 °C of the course (any
    cause: a first fever after CAR-T needs a physician whatever its source, as grade 1 and the
    neutropenic-fever pathway do, docs/clinical-rules.md §5.5), CRS crossing to grade ≥ 2, or
    any other rise."""
    events = []
    is_first_fever = temperature_c is not None and temperature_c >= FEVER_THRESHOLD_C and not had_fever_before
    if is_first_fever:
        events.append(EventKind.FIRST_FEVER)
    if grade >= CRS_THRESHOLD_GRADE > previous_grade:
        events.append(EventKind.CRS_GRADE_2_OR_MORE)
    elif grade > previous_grade and not (is_first_fever and grade == 1):
        events.append(EventKind.GRADE_RISE)
    return events


def icans_events(*, grade: int, previous_grade: int) -> list[EventKind]:
    """Events from one neurological assessment: any ICANS (from grade 0), or a rise."""
    if grade >= 1 and previous_grade == 0:
        return [EventKind.ICANS_ANY_GRADE]
    if grade > previous_grade:
        return [EventKind.GRADE_RISE]
    return []


# --- Tocilizumab dose limits (docs/clinical-rules.md §5.6, ASCO 2021 [S7]) ----------------------
# Warnings only: the dose is recorded as given, and the warnings are kept with it.
TOCILIZUMAB_MG_PER_KG = Decimal("8")
TOCILIZUMAB_MG_PER_KG_UNDER_30_KG = Decimal("12")  # ⚠ secondary source only (§5.6)
TOCILIZUMAB_MAX_SINGLE_DOSE_MG = Decimal("800")
TOCILIZUMAB_MAX_DOSES_PER_24_H = 3
TOCILIZUMAB_MAX_DOSES_TOTAL = 4
TOCILIZUMAB_MIN_AGE_YEARS = 2  # approved for CAR-T CRS from 2 years [S39]
DOSE_TOLERANCE = Decimal("1.05")  # rounding to vial sizes


def tocilizumab_warnings(
    *, dose_mg: Decimal, weight_kg: Decimal, age_years: int, given_at: datetime, earlier_doses_at: Iterable[datetime]
) -> list[str]:
    warnings = []
    per_kg = TOCILIZUMAB_MG_PER_KG_UNDER_30_KG if weight_kg < 30 else TOCILIZUMAB_MG_PER_KG
    weight_based_max = min(per_kg * weight_kg, TOCILIZUMAB_MAX_SINGLE_DOSE_MG)
    if dose_mg > TOCILIZUMAB_MAX_SINGLE_DOSE_MG:
        warnings.append(f"Dose {dose_mg} mg is above the 800 mg maximum single dose.")
    elif dose_mg > weight_based_max * DOSE_TOLERANCE:
        limit = weight_based_max.quantize(Decimal("1"))
        warnings.append(f"Dose {dose_mg} mg is above {per_kg} mg/kg for {weight_kg} kg ({limit} mg).")
    earlier = [t for t in earlier_doses_at if t <= given_at]
    in_24_h = [t for t in earlier if given_at - t < timedelta(hours=24)]
    if len(in_24_h) + 1 > TOCILIZUMAB_MAX_DOSES_PER_24_H:
        warnings.append(f"Dose {len(in_24_h) + 1} within 24 hours: the limit is {TOCILIZUMAB_MAX_DOSES_PER_24_H}.")
    if len(earlier) + 1 > TOCILIZUMAB_MAX_DOSES_TOTAL:
        warnings.append(f"Dose {len(earlier) + 1} in total: the limit is {TOCILIZUMAB_MAX_DOSES_TOTAL}.")
    if in_24_h and given_at - max(in_24_h) < timedelta(hours=8):
        warnings.append("Less than 8 hours since the previous dose (repeat every 8 hours at most).")
    if age_years < TOCILIZUMAB_MIN_AGE_YEARS:
        warnings.append("Tocilizumab is approved for CAR-T CRS from 2 years of age.")
    return warnings
