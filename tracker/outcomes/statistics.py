"""Programme outcome statistics from well-kept libraries: lifelines, statsmodels and scipy.

Source: docs/clinical-rules.md §10.4-§10.6. Kaplan-Meier, log-rank and Cox models come from
lifelines (Davidson-Pilon, lifelines, J Open Source Softw 2019); exact binomial intervals and
the ordinal model from statsmodels; Spearman's correlation from scipy. Nothing here is
re-implemented: this module chooses the methods, feeds them the rows of
`tracker.outcomes.definitions`, and turns their results into plain frozen dataclasses whose
`as_dict()` gives JSON-ready values (fractions 0-1; rates exactly n / of; Kaplan-Meier values
unrounded; hazard ratios and correlations rounded to 4 decimals, p-values to 4 significant
figures).

Decisions (docs/clinical-rules.md §10.4-§10.6; each has a test named `test_decision_...`)
==========================================================================================
S1. Median: the first time the Kaplan-Meier curve is at or below 0.5, as lifelines reports
    it; null when the curve never reaches 0.5. Its 95 % interval is the median of the lower
    and of the upper confidence curve (`lifelines.utils.median_survival_times`); an end that
    is never reached is null.
S2. Estimate at 6 or 12 months: the curve's value at that time (right-continuous steps),
    null beyond the last observed time (lifelines would carry the last value forward), except
    when the curve has already reached 0, which is then known.
S3. Curve points: [0, 1, 1, 1] first, then one point per distinct event or censoring time
    (months) with the estimate and interval just after it; an event at day 0 (treatment
    failure) gives a second point at month 0. No courses: an empty curve.
S4. Numbers at risk at time t: courses whose event or censoring time is >= t.
S5. Too few to conclude: a hazard-ratio comparison is not interpreted when the two groups
    have fewer than 10 events in all (Peduzzi et al. 1995: about 10 events per variable) or
    either group has fewer than 5 events; the hazard ratio is still shown with its interval.
S6. Rank correlation interval: Fisher's z transform with the Bonett-Wright (2000) variance
    for Spearman's rho, (1 + rho^2 / 2) / (n - 3); not interpreted under 10 courses.
S7. Tertiles: cut at the 1/3 and 2/3 quantiles (numpy's linear interpolation); a value equal
    to a cut point goes to the lower tertile, so ties may make the thirds unequal.
S8. Ordinal model: proportional-odds logistic model of the CRS maximum grade on marrow blasts
    (per 10 percentage points) and log10 cell dose (per 10-fold), both in one model; fitted
    on courses with both values and a recorded grade; not interpreted under 20 such courses
    (10 per covariate) or with fewer than two distinct grades.
S9. Time-varying Cox: transplant is a time-dependent covariate, 0 until the consolidative
    transplant and 1 after; rows of zero length (events or censoring at day 0) are left out:
    at day 0 nobody is transplanted, so they carry no information on the hazard ratio.
S10. Landmark: courses event-free (EFS) or alive (OS) beyond the landmark day (strictly
    longer follow-up), grouped by a consolidative transplant on or before the landmark day,
    timed from the landmark.
S11. CRS and ICANS rates are over infused courses with a recorded maximum grade; tocilizumab
    and steroid use over all infused courses; medians of onset and duration over courses
    with grade >= 1 and the value recorded, quartiles by the inclusive method.
"""

from __future__ import annotations

import math
import statistics as stdlib_statistics
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, CoxTimeVaryingFitter, KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test
from lifelines.utils import median_survival_times
from scipy import stats as scipy_stats
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.stats.proportion import proportion_confint

from tracker.outcomes.definitions import (
    DAYS_PER_MONTH,
    MAX_TOXICITY_GRADE,
    RULE_VERSION,
    SEVERE_GRADE,
    CourseFacts,
    Endpoint,
    Origin,
    SubgroupDimension,
    Tally,
    TimeToEvent,
    best_overall_response,
    consolidative_transplant_on,
    counts_as_response,
    day28_remission,
    denominators,
    is_infused,
    level_sort_key,
    subgroup_level,
    time_to_event_rows,
)

CONFIDENCE = 0.95  # every interval is a 95 % interval (docs/clinical-rules.md §10.4)
ALPHA = 1 - CONFIDENCE
Z_95 = float(scipy_stats.norm.ppf(1 - ALPHA / 2))
SIGNIFICANCE = 0.05  # two-sided p below this is called significant
REPORT_MONTHS = (6, 12)  # issue 12: the 6- and 12-month estimates
RISK_TABLE_MONTHS = (0, 3, 6, 9, 12, 18, 24)
# Peduzzi et al., J Clin Epidemiol 1995;48:1503: about 10 events per variable in a Cox model.
MIN_EVENTS_TOTAL = 10
MIN_EVENTS_PER_GROUP = 5  # Decision S5: each compared group needs some events of its own
MIN_COURSES_CORRELATION = 10  # Decision S6
MIN_COURSES_PER_COVARIATE = 10  # Decision S8, the same 10-per-variable rule
DEFAULT_LANDMARK_DAY = 90  # issue 12: default landmark day +90
BLASTS_PER = 10.0  # ordinal model: odds ratio per 10 percentage points of marrow blasts


def _number(value: object) -> float | None:
    """A finite float, or None (JSON has no NaN or infinity)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _p(value: float | None) -> float | None:
    """A p-value to 4 significant figures."""
    return None if value is None else float(f"{value:.4g}")


def _months(days: float) -> float:
    return days / DAYS_PER_MONTH


# --- Rates with exact intervals (§10.4) -------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """n of `of` with the exact Clopper-Pearson 95 % interval; rate is None when of is 0."""

    n: int
    of: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    definition: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"n": self.n, "of": self.of, "rate": self.rate, "ci_low": self.ci_low, "ci_high": self.ci_high}


def proportion(n: int, of: int, definition: str = "") -> Rate:
    """n / of with the exact (Clopper-Pearson) 95 % interval (docs/clinical-rules.md §10.4).

    `statsmodels.stats.proportion.proportion_confint(method="beta")`; Clopper & Pearson,
    Biometrika 1934;26:404. The rate is the exact fraction as a float, never rounded.
    """
    if isinstance(n, bool) or isinstance(of, bool) or not isinstance(n, int) or not isinstance(of, int):
        raise ValueError(f"n and of must be whole numbers, got {n!r} and {of!r}")
    if not 0 <= n <= of:
        raise ValueError(f"n must be between 0 and of, got {n} of {of}")
    if of == 0:
        return Rate(0, 0, None, None, None, definition)
    low, high = proportion_confint(n, of, alpha=ALPHA, method="beta")
    return Rate(n, of, n / of, float(low), float(high), definition)


def rate_of(tally: Tally) -> Rate:
    return proportion(tally.n, tally.of, tally.definition)


# --- Kaplan-Meier (§10.4) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    estimate: float | None
    ci_low: float | None
    ci_high: float | None

    def as_dict(self) -> dict[str, float | None]:
        return {"estimate": self.estimate, "ci_low": self.ci_low, "ci_high": self.ci_high}


NO_ESTIMATE = Estimate(None, None, None)


@dataclass(frozen=True)
class SurvivalCurve:
    """A Kaplan-Meier curve in months with its 95 % intervals, median and numbers at risk.

    `points` are (months, estimate, ci_low, ci_high), starting at (0, 1, 1, 1) (Decision S3).
    """

    endpoint: str
    origin: str
    n: int
    events: int
    points: tuple[tuple[float, float, float, float], ...]
    median_months: float | None
    median_ci_low: float | None
    median_ci_high: float | None
    last_observed_months: float | None
    at_risk: tuple[tuple[float, int], ...]
    rule_version: str = RULE_VERSION

    def estimate_at(self, months: float) -> Estimate:
        """The curve's value at `months`, None beyond the last observed time (Decision S2)."""
        if not self.points or months < 0:
            return NO_ESTIMATE
        last = self.points[-1]
        if months > self.last_observed_months and last[1] > 0:
            return NO_ESTIMATE
        chosen = self.points[0]
        for point in self.points:
            if point[0] > months:
                break
            chosen = point
        return Estimate(chosen[1], chosen[2], chosen[3])

    def summary_dict(self) -> dict[str, object]:
        """The keys `outcomes --format json` prints for EFS and OS (issue 12 item 5)."""
        return {
            "median_months": self.median_months,
            "at_6_months": self.estimate_at(6).as_dict(),
            "at_12_months": self.estimate_at(12).as_dict(),
            "curve": [list(point) for point in self.points],
        }

    def as_dict(self) -> dict[str, object]:
        return {
            "endpoint": self.endpoint,
            "origin": self.origin,
            "n": self.n,
            "events": self.events,
            **self.summary_dict(),
            "median_ci_low": self.median_ci_low,
            "median_ci_high": self.median_ci_high,
            "last_observed_months": self.last_observed_months,
            "at_risk": [{"months": months, "n": n} for months, n in self.at_risk],
            "rule_version": self.rule_version,
        }


def kaplan_meier(
    rows: Sequence[TimeToEvent],
    *,
    endpoint: str = "",
    origin: str = "",
    risk_table_months: Iterable[float] = RISK_TABLE_MONTHS,
) -> SurvivalCurve:
    """Kaplan-Meier estimate of the rows' survival, in months (docs/clinical-rules.md §10.4).

    `lifelines.KaplanMeierFitter` with its default 95 % interval, the exponential Greenwood
    (log(-log)) interval (Kaplan & Meier, JASA 1958; Greenwood 1926; Kalbfleisch & Prentice
    1980). Median and estimates by Decisions S1-S3, numbers at risk by Decision S4.
    """
    endpoint = endpoint or (rows[0].endpoint.value if rows else "")
    origin = origin or (rows[0].origin.value if rows else "")
    risk_times = tuple(float(t) for t in risk_table_months)
    if not rows:
        return SurvivalCurve(endpoint, origin, 0, 0, (), None, None, None, None, tuple((t, 0) for t in risk_times))
    durations = np.array([row.months for row in rows], dtype=float)
    observed = np.array([row.event for row in rows], dtype=bool)
    fitter = KaplanMeierFitter(alpha=ALPHA).fit(durations, observed)
    estimate = fitter.survival_function_.iloc[:, 0]
    interval = fitter.confidence_interval_survival_function_
    table = fitter.event_table
    points = [(0.0, 1.0, 1.0, 1.0)]
    for position, time in enumerate(fitter.timeline):
        if table["removed"].iloc[position] == 0:
            continue  # lifelines' own row at 0 when nobody left at day 0
        points.append(
            (
                float(time),
                float(estimate.iloc[position]),
                float(interval.iloc[position, 0]),
                float(interval.iloc[position, 1]),
            )
        )
    median_interval = median_survival_times(fitter.confidence_interval_)
    at_risk = tuple((t, int(np.sum(durations >= t))) for t in risk_times)
    return SurvivalCurve(
        endpoint=endpoint,
        origin=origin,
        n=len(rows),
        events=int(observed.sum()),
        points=tuple(points),
        median_months=_number(fitter.median_survival_time_),
        median_ci_low=_number(median_interval.iloc[0, 0]),
        median_ci_high=_number(median_interval.iloc[0, 1]),
        last_observed_months=float(durations.max()),
        at_risk=at_risk,
    )


# --- Comparisons: log-rank and Cox (§10.5, §10.6) ---------------------------------------------


@dataclass(frozen=True)
class GroupCount:
    label: str
    n: int
    events: int

    def as_dict(self) -> dict[str, object]:
        return {"label": self.label, "n": self.n, "events": self.events}


@dataclass(frozen=True)
class Comparison:
    """A hazard ratio of `group` against `reference` with its 95 % interval and p-value.

    `too_small` says the numbers cannot support a conclusion (Decision S5); `sentence` says
    what may be concluded, in plain words, the deciding fact first.
    """

    method: str
    endpoint: str
    group: GroupCount
    reference: GroupCount
    hazard_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    too_small: bool
    sentence: str
    notes: tuple[str, ...] = ()
    rule_version: str = RULE_VERSION

    @property
    def n(self) -> int:
        return self.group.n + self.reference.n

    @property
    def events(self) -> int:
        return self.group.events + self.reference.events

    @property
    def significant(self) -> bool:
        return not self.too_small and self.p_value is not None and self.p_value < SIGNIFICANCE

    def as_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "endpoint": self.endpoint,
            "n": self.n,
            "events": self.events,
            "group": self.group.as_dict(),
            "reference": self.reference.as_dict(),
            "hazard_ratio": _rounded(self.hazard_ratio),
            "ci_low": _rounded(self.ci_low),
            "ci_high": _rounded(self.ci_high),
            "p_value": _p(self.p_value),
            "significant": self.significant,
            "too_small": self.too_small,
            "sentence": self.sentence,
            "notes": list(self.notes),
            "rule_version": self.rule_version,
        }


def too_small_reason(group: GroupCount, reference: GroupCount) -> str | None:
    """Why a comparison of these two groups cannot be concluded, or None (Decision S5)."""
    for side in (group, reference):
        if side.n == 0:
            return f"Nothing to compare: the group of {side.label} is empty"
    total = group.events + reference.events
    if total < MIN_EVENTS_TOTAL:
        return f"Too few events to conclude: {total} events in all (at least {MIN_EVENTS_TOTAL} needed)"
    for side in (group, reference):
        if side.events < MIN_EVENTS_PER_GROUP:
            return (
                f"Too few events to conclude: {side.events} events among {side.label} "
                f"(at least {MIN_EVENTS_PER_GROUP} needed in each group)"
            )
    return None


def _p_words(p: float | None) -> str:
    if p is None:
        return ""
    return ", p < 0.001" if p < 0.001 else f", p = {p:.3f}"


def _hazard_words(hazard_ratio: float | None, low: float | None, high: float | None, p: float | None) -> str:
    if hazard_ratio is None:
        return "hazard ratio not estimable"
    interval = f" (95% CI {low:.2f}-{high:.2f})" if low is not None and high is not None else ""
    return f"hazard ratio {hazard_ratio:.2f}{interval}{_p_words(p)}"


def _comparison(
    *,
    method: str,
    endpoint: str,
    group: GroupCount,
    reference: GroupCount,
    fit: tuple[float | None, float | None, float | None, float | None],
    preamble: str,
    notes: tuple[str, ...] = (),
) -> Comparison:
    hazard_ratio, low, high, p = fit
    reason = too_small_reason(group, reference)
    words = _hazard_words(hazard_ratio, low, high, p)
    if hazard_ratio is None and reason is None:
        reason = "The model could not be fitted, so nothing can be concluded"
    if reason is not None:
        sentence = f"{reason}. {preamble}: {words}"
    elif p is not None and p < SIGNIFICANCE:
        direction = "lower" if hazard_ratio < 1 else "higher"
        sentence = f"{group.label.capitalize()} had a significantly {direction} hazard. {preamble}: {words}"
    else:
        sentence = f"No significant difference. {preamble}: {words}"
    too_small = reason is not None
    return Comparison(method, endpoint, group, reference, hazard_ratio, low, high, p, too_small, sentence, notes)


def _cox_fit(fitter: CoxPHFitter | CoxTimeVaryingFitter, covariate: str, **fit_arguments: object):
    """Hazard ratio, 95 % interval and Wald p of one binary covariate; Nones when not estimable."""
    with warnings.catch_warnings():
        # lifelines warns on convergence or separation; a non-finite result is reported as
        # "not estimable" below instead of a warning nobody reads.
        warnings.simplefilter("ignore")
        try:
            fitter.fit(**fit_arguments)
        except Exception:  # lifelines raises ConvergenceError and linear-algebra errors alike
            return None, None, None, None
    row = fitter.summary.loc[covariate]
    values = (row["exp(coef)"], row["exp(coef) lower 95%"], row["exp(coef) upper 95%"], row["p"])
    hazard_ratio, low, high, p = (_number(value) for value in values)
    if hazard_ratio is None or hazard_ratio == 0 or low is None or high is None:
        return None, None, None, None
    return hazard_ratio, low, high, p


def cox_hazard_ratio(
    rows: Sequence[TimeToEvent],
    in_group: Callable[[TimeToEvent], bool],
    *,
    group_label: str,
    reference_label: str,
    method: str = "cox",
    preamble: str = "Cox model",
    time_offset_days: int = 0,
) -> Comparison:
    """Cox proportional-hazards ratio of one fixed binary covariate (docs/clinical-rules.md §10.5).

    `lifelines.CoxPHFitter` (Cox, JRSS B 1972;34:187; Efron's ties). `time_offset_days` is
    subtracted from each row's time (a landmark analysis times from the landmark).
    """
    endpoint = rows[0].endpoint.value if rows else ""
    flags = [bool(in_group(row)) for row in rows]
    group = GroupCount(group_label, sum(flags), sum(row.event for row, flag in zip(rows, flags, strict=True) if flag))
    reference = GroupCount(
        reference_label,
        len(rows) - group.n,
        sum(row.event for row, flag in zip(rows, flags, strict=True) if not flag),
    )
    fit: tuple = (None, None, None, None)
    if group.n and reference.n and group.events + reference.events:
        frame = pd.DataFrame(
            {
                "months": [_months(row.days - time_offset_days) for row in rows],
                "event": [row.event for row in rows],
                "in_group": [1.0 if flag else 0.0 for flag in flags],
            }
        )
        fit = _cox_fit(CoxPHFitter(alpha=ALPHA), "in_group", df=frame, duration_col="months", event_col="event")
    return _comparison(method=method, endpoint=endpoint, group=group, reference=reference, fit=fit, preamble=preamble)


@dataclass(frozen=True)
class LogRank:
    n: int
    events: int
    groups: int
    test_statistic: float | None
    p_value: float | None

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "events": self.events,
            "groups": self.groups,
            "test_statistic": _rounded(self.test_statistic),
            "p_value": _p(self.p_value),
        }


def log_rank(groups: Mapping[str, Sequence[TimeToEvent]]) -> LogRank:
    """Log-rank test across the groups (`lifelines.statistics.multivariate_logrank_test`).

    Mantel, Cancer Chemother Rep 1966;50:163; docs/clinical-rules.md §10.4.
    """
    labels, durations, events = [], [], []
    for label, rows in groups.items():
        for row in rows:
            labels.append(label)
            durations.append(row.months)
            events.append(row.event)
    used = len(set(labels))
    if used < 2 or not any(events):
        return LogRank(len(labels), sum(events), used, None, None)
    result = multivariate_logrank_test(durations, labels, events)
    return LogRank(len(labels), sum(events), used, _number(result.test_statistic), _number(result.p_value))


# --- Honest comparisons: transplant consolidation (§10.5) -------------------------------------


def _transplant_day(course: CourseFacts, row: TimeToEvent) -> int | None:
    transplant_on = consolidative_transplant_on(course)
    return None if transplant_on is None else (transplant_on - row.start_on).days


def _rows_with_courses(
    facts: Sequence[CourseFacts], endpoint: Endpoint | str, origin: Origin | str
) -> list[tuple[CourseFacts, TimeToEvent]]:
    by_id = {course.course_id: course for course in facts}
    return [(by_id[row.course_id], row) for row in time_to_event_rows(facts, endpoint, origin=origin)]


def _check_transplant_endpoint(endpoint: Endpoint | str) -> Endpoint:
    endpoint = Endpoint(endpoint)
    if endpoint is Endpoint.DOR:
        raise ValueError("transplant comparisons are for EFS, PFS or OS, timed from the origin")
    return endpoint


def naive_transplant_comparison(
    facts: Sequence[CourseFacts], endpoint: Endpoint | str = Endpoint.EFS, *, origin: Origin | str = Origin.INFUSION
) -> Comparison:
    """Transplanted vs not, from the origin: BIASED by immortal time, shown only to warn.

    Courses transplanted at any time are compared with the rest from day 0, so the
    transplanted group is credited with the event-free time it had to survive to be
    transplanted (Lévesque et al., BMJ 2010;340:b5087; Suissa, Am J Epidemiol 2008). Use
    `landmark_transplant_comparison` or `time_varying_transplant_comparison` instead.
    """
    endpoint = _check_transplant_endpoint(endpoint)
    pairs = _rows_with_courses(facts, endpoint, origin)
    transplanted = {
        row.course_id for course, row in pairs if (day := _transplant_day(course, row)) is not None and day < row.days
    }
    rows = [row for _, row in pairs]
    return cox_hazard_ratio(
        rows,
        lambda row: row.course_id in transplanted,
        group_label="transplanted courses",
        reference_label="courses without transplant",
        method="naive_cox",
        preamble="Naive comparison from day 0, biased by immortal time",
    )


def landmark_transplant_comparison(
    facts: Sequence[CourseFacts],
    endpoint: Endpoint | str = Endpoint.EFS,
    *,
    landmark_day: int = DEFAULT_LANDMARK_DAY,
    origin: Origin | str = Origin.INFUSION,
) -> Comparison:
    """Landmark analysis of consolidative transplant (docs/clinical-rules.md §10.5, Decision S10).

    Only courses alive and event-free (EFS) beyond `landmark_day` are kept, whatever the end
    point, since only they could still be consolidated; transplant status is fixed at the
    landmark (transplanted on or before it, or not); time runs from the landmark. Anderson,
    Cain & Gelber, J Clin Oncol 1983;1:710.
    """
    endpoint = _check_transplant_endpoint(endpoint)
    if isinstance(landmark_day, bool) or not isinstance(landmark_day, int) or landmark_day < 0:
        raise ValueError(f"landmark_day must be a whole number of days >= 0, got {landmark_day!r}")
    event_free = {
        row.course_id for row in time_to_event_rows(facts, Endpoint.EFS, origin=origin) if row.days > landmark_day
    }
    pairs = [
        (course, row) for course, row in _rows_with_courses(facts, endpoint, origin) if row.course_id in event_free
    ]
    transplanted = {
        row.course_id
        for course, row in pairs
        if (day := _transplant_day(course, row)) is not None and day <= landmark_day
    }
    rows = [row for _, row in pairs]
    return cox_hazard_ratio(
        rows,
        lambda row: row.course_id in transplanted,
        group_label=f"courses transplanted by day +{landmark_day}",
        reference_label=f"courses not transplanted by day +{landmark_day}",
        method=f"landmark_day_{landmark_day}",
        preamble=(
            f"Landmark at day +{landmark_day}, {len(rows)} courses alive and event-free then, timed from the landmark"
        ),
        time_offset_days=landmark_day,
    )


def _intervals(course_id: str, stop: int, event: bool, changes: Mapping[str, int | None]) -> list[tuple[object, ...]]:
    """Split (0, stop] at each covariate's change day; a covariate is 1 from its day on."""
    cuts = sorted({day for day in changes.values() if day is not None and 0 < day < stop})
    bounds = [0, *cuts, stop]
    records = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        flags = tuple(1.0 if day is not None and day <= start else 0.0 for day in changes.values())
        records.append((course_id, start, end, *flags, event and end == stop))
    return records


def _active_disease_day(course: CourseFacts, row: TimeToEvent) -> int | None:
    """Day the disease is active: 0 without a response by the ORR rule, else the relapse day."""
    group = course.diagnosis_group
    if group is None or not counts_as_response(group, course.best_category):
        return 0
    return None if course.relapse_on is None else (course.relapse_on - row.start_on).days


def time_varying_transplant_comparison(
    facts: Sequence[CourseFacts], endpoint: Endpoint | str = Endpoint.EFS, *, origin: Origin | str = Origin.INFUSION
) -> Comparison:
    """Cox model with transplant as a time-varying covariate (§10.5, Decision S9).

    Each course contributes untransplanted time until its consolidative transplant and
    transplanted time after it (`lifelines.CoxTimeVaryingFitter`); Mantel & Byar, JASA
    1974;69:81 (the Stanford heart-transplant analysis). For OS, active disease is a second
    time-varying covariate (from day 0 without a response, else from relapse or
    progression): consolidation is given only in remission, so without it the refractory and
    relapsed patients, who die more, would all sit in the untransplanted time (Decision S9).
    """
    endpoint = _check_transplant_endpoint(endpoint)
    adjust_for_relapse = endpoint is Endpoint.OS
    columns = ["transplanted", "active_disease"] if adjust_for_relapse else ["transplanted"]
    records: list[tuple[object, ...]] = []
    for course, row in _rows_with_courses(facts, endpoint, origin):
        if row.days <= 0:
            continue  # Decision S9: zero-length rows carry no information on the hazard ratio
        changes = {"transplanted": _transplant_day(course, row)}
        if adjust_for_relapse:
            changes["active_disease"] = _active_disease_day(course, row)
        records.extend(_intervals(str(row.course_id), row.days, row.event, changes))
    frame = pd.DataFrame.from_records(records, columns=["course", "start", "stop", *columns, "event"])
    after = frame[frame["transplanted"] == 1.0]
    before = frame[frame["transplanted"] == 0.0]
    group = GroupCount("time after transplant", int(after["course"].nunique()), int(after["event"].sum()))
    reference = GroupCount("time without transplant", int(before["course"].nunique()), int(before["event"].sum()))
    fit: tuple = (None, None, None, None)
    if group.n and reference.n and group.events + reference.events:
        frame["event"] = frame["event"].astype(bool)
        fit = _cox_fit(
            CoxTimeVaryingFitter(alpha=ALPHA),
            "transplanted",
            df=frame,
            id_col="course",
            start_col="start",
            stop_col="stop",
            event_col="event",
        )
    courses = int(frame["course"].nunique()) if len(frame) else 0
    adjusted = ", adjusted for active disease (no response or relapse)" if adjust_for_relapse else ""
    return _comparison(
        method="time_varying_cox",
        endpoint=endpoint.value,
        group=group,
        reference=reference,
        fit=fit,
        preamble=f"Time-varying Cox model, {courses} courses, transplant counted from its date{adjusted}",
        notes=("n counts courses in each state; a transplanted course is in both",),
    )


# --- Subgroups (§10.6) ------------------------------------------------------------------------


@dataclass(frozen=True)
class SubgroupRow:
    """One level of a subgroup: its n, response rate, survival and hazard ratio vs the rest."""

    dimension: str
    level: str
    n: int
    events: int
    best_overall_response: Rate
    median_months: float | None
    at_12_months: Estimate
    comparison: Comparison

    @property
    def too_small(self) -> bool:
        return self.comparison.too_small

    def as_dict(self) -> dict[str, object]:
        return {
            "dimension": self.dimension,
            "level": self.level,
            "n": self.n,
            "events": self.events,
            "best_overall_response": self.best_overall_response.as_dict(),
            "median_months": self.median_months,
            "at_12_months": self.at_12_months.as_dict(),
            "hazard_ratio_vs_rest": self.comparison.as_dict(),
            "too_small": self.too_small,
            "sentence": self.comparison.sentence,
        }


@dataclass(frozen=True)
class SubgroupTable:
    dimension: str
    endpoint: str
    rows: tuple[SubgroupRow, ...]
    log_rank: LogRank

    def as_dict(self) -> dict[str, object]:
        return {
            "dimension": self.dimension,
            "endpoint": self.endpoint,
            "rows": [row.as_dict() for row in self.rows],
            "log_rank": self.log_rank.as_dict(),
        }


def subgroups(
    facts: Sequence[CourseFacts],
    *,
    endpoint: Endpoint | str = Endpoint.EFS,
    origin: Origin | str = Origin.INFUSION,
    dimensions: Iterable[SubgroupDimension | str] = tuple(SubgroupDimension),
) -> tuple[SubgroupTable, ...]:
    """Per dimension, each level's n, ORR, Kaplan-Meier and hazard ratio vs all other courses.

    Every comparison carries n, events and the too-small rule (Decision S5);
    docs/clinical-rules.md §10.6.
    """
    endpoint = Endpoint(endpoint)
    facts = tuple(facts)
    rows = time_to_event_rows(facts, endpoint, origin=origin)
    by_id = {course.course_id: course for course in facts}
    tables = []
    for dimension in (SubgroupDimension(d) for d in dimensions):
        level_of = {row.course_id: subgroup_level(by_id[row.course_id], dimension) for row in rows}
        grouped: dict[str, list[TimeToEvent]] = {}
        for row in rows:
            grouped.setdefault(level_of[row.course_id], []).append(row)
        table_rows = []
        for level in sorted(grouped, key=lambda level, dimension=dimension: level_sort_key(dimension, level)):
            members = grouped[level]
            curve = kaplan_meier(members, endpoint=endpoint.value, origin=Origin(origin).value)
            level_facts = [c for c in facts if subgroup_level(c, dimension) == level]
            comparison = cox_hazard_ratio(
                rows,
                lambda row, level=level, level_of=level_of: level_of[row.course_id] == level,
                group_label=f"{dimension.value.replace('_', ' ')} {level}",
                reference_label="all other courses",
                method="subgroup_vs_rest",
                preamble=f"{level} vs all other courses",
            )
            table_rows.append(
                SubgroupRow(
                    dimension=dimension.value,
                    level=level,
                    n=len(members),
                    events=curve.events,
                    best_overall_response=rate_of(best_overall_response(level_facts, origin=origin)),
                    median_months=curve.median_months,
                    at_12_months=curve.estimate_at(12),
                    comparison=comparison,
                )
            )
        tables.append(SubgroupTable(dimension.value, endpoint.value, tuple(table_rows), log_rank(grouped)))
    return tuple(tables)


# --- CRS grade against disease burden and cell dose (§10.5) -----------------------------------


@dataclass(frozen=True)
class Correlation:
    """Spearman's rank correlation with a Fisher-z 95 % interval (Decision S6)."""

    variable: str
    n: int
    rho: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    too_small: bool
    sentence: str

    def as_dict(self) -> dict[str, object]:
        return {
            "variable": self.variable,
            "n": self.n,
            "rho": _rounded(self.rho),
            "ci_low": _rounded(self.ci_low),
            "ci_high": _rounded(self.ci_high),
            "p_value": _p(self.p_value),
            "too_small": self.too_small,
            "sentence": self.sentence,
        }


def spearman(x: Sequence[float], y: Sequence[float], *, variable: str = "x") -> Correlation:
    """Spearman's rho (`scipy.stats.spearmanr`) with a Fisher-z interval (docs/clinical-rules.md §10.5).

    z = atanh(rho) ± 1.96 × sqrt((1 + rho² / 2) / (n − 3)), back-transformed with tanh
    (Bonett & Wright, Psychometrika 2000;65:23). The p-value is scipy's.
    """
    n = len(x)
    if n != len(y):
        raise ValueError("x and y must have the same length")
    if n < 4:
        return Correlation(variable, n, None, None, None, None, True, f"Too few courses: n = {n}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a constant input gives NaN, reported below
        result = scipy_stats.spearmanr(x, y)
    rho, p = _number(result.statistic), _number(result.pvalue)
    if rho is None:
        return Correlation(variable, n, None, None, None, None, True, f"No variation in {variable} or in the grade")
    if abs(rho) >= 1:
        low = high = rho
    else:
        half_width = Z_95 * math.sqrt((1 + rho * rho / 2) / (n - 3))
        low, high = math.tanh(math.atanh(rho) - half_width), math.tanh(math.atanh(rho) + half_width)
    too_small = n < MIN_COURSES_CORRELATION
    words = f"Spearman rho {rho:.2f} (95% CI {low:.2f} to {high:.2f}), n = {n}"
    if too_small:
        sentence = f"Too few courses to conclude (n = {n}, at least {MIN_COURSES_CORRELATION} needed): {words}"
    elif p is not None and p < SIGNIFICANCE:
        trend = "rises" if rho > 0 else "falls"
        sentence = f"The CRS grade {trend} with {variable}: {words}"
    else:
        sentence = f"No clear association of the CRS grade with {variable}: {words}"
    return Correlation(variable, n, rho, low, high, p, too_small, sentence)


@dataclass(frozen=True)
class TertileRate:
    variable: str
    tertile: str
    lowest: float
    highest: float
    grade_3_or_more: Rate

    def as_dict(self) -> dict[str, object]:
        return {
            "variable": self.variable,
            "tertile": self.tertile,
            "lowest": self.lowest,
            "highest": self.highest,
            "grade_3_or_more": self.grade_3_or_more.as_dict(),
        }


def severe_rate_by_tertile(values: Sequence[float], grades: Sequence[int], *, variable: str) -> tuple[TertileRate, ...]:
    """Grade >= 3 rate in the lower, middle and upper thirds of `values` (Decision S7)."""
    if not values:
        return ()
    low_cut, high_cut = (float(q) for q in np.quantile(np.asarray(values, dtype=float), [1 / 3, 2 / 3]))
    thirds: dict[str, list[tuple[float, int]]] = {"lower": [], "middle": [], "upper": []}
    for value, grade in zip(values, grades, strict=True):
        name = "lower" if value <= low_cut else "middle" if value <= high_cut else "upper"
        thirds[name].append((float(value), grade))
    result = []
    for name, members in thirds.items():
        if not members:
            continue
        severe = sum(grade >= SEVERE_GRADE for _, grade in members)
        rate = proportion(severe, len(members), f"CRS grade >= {SEVERE_GRADE} in the {name} third of {variable}")
        result.append(TertileRate(variable, name, min(v for v, _ in members), max(v for v, _ in members), rate))
    return tuple(result)


@dataclass(frozen=True)
class OrdinalTerm:
    variable: str
    per: str
    odds_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < SIGNIFICANCE

    def as_dict(self) -> dict[str, object]:
        return {
            "variable": self.variable,
            "per": self.per,
            "odds_ratio": _rounded(self.odds_ratio),
            "ci_low": _rounded(self.ci_low),
            "ci_high": _rounded(self.ci_high),
            "p_value": _p(self.p_value),
        }


@dataclass(frozen=True)
class CrsDrivers:
    """What explains the CRS maximum grade: disease burden, cell dose, or neither (§10.5)."""

    burden: Correlation
    dose: Correlation
    burden_tertiles: tuple[TertileRate, ...]
    dose_tertiles: tuple[TertileRate, ...]
    model_n: int
    model_terms: tuple[OrdinalTerm, ...]
    too_small: bool
    sentence: str
    rule_version: str = RULE_VERSION

    def as_dict(self) -> dict[str, object]:
        return {
            "burden": self.burden.as_dict(),
            "dose": self.dose.as_dict(),
            "burden_tertiles": [t.as_dict() for t in self.burden_tertiles],
            "dose_tertiles": [t.as_dict() for t in self.dose_tertiles],
            "model": {"n": self.model_n, "terms": [t.as_dict() for t in self.model_terms]},
            "too_small": self.too_small,
            "sentence": self.sentence,
            "rule_version": self.rule_version,
        }


def _ordinal_terms(grades: list[int], blasts: list[float], doses: list[float]) -> tuple[OrdinalTerm, ...] | None:
    """Proportional-odds model of grade on blasts/10 and log10 dose; None if it cannot be fitted."""
    categories = sorted(set(grades))
    endog = pd.Series(pd.Categorical(grades, categories=categories, ordered=True))
    exog = pd.DataFrame(
        {
            "marrow_blasts": [value / BLASTS_PER for value in blasts],
            "cell_dose": [math.log10(value) for value in doses],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence is checked below
        try:
            result = OrderedModel(endog, exog, distr="logit").fit(method="bfgs", disp=False, maxiter=2000)
        except (ValueError, np.linalg.LinAlgError):
            return None
    if not result.mle_retvals.get("converged", False):
        return None
    interval = result.conf_int(alpha=ALPHA)
    terms = []
    for name, per in (("marrow_blasts", "10 percentage points of marrow blasts"), ("cell_dose", "10-fold cell dose")):
        coef = float(result.params[name])
        low, high = (float(v) for v in interval.loc[name])
        terms.append(
            OrdinalTerm(
                name,
                per,
                _number(math.exp(coef)),
                _number(math.exp(low)),
                _number(math.exp(high)),
                _number(result.pvalues[name]),
            )
        )
    return tuple(terms)


def crs_drivers(facts: Iterable[CourseFacts]) -> CrsDrivers:
    """CRS maximum grade against baseline marrow blasts and cell dose (docs/clinical-rules.md §10.5).

    Rank correlation of each with the grade (Decision S6), grade >= 3 rate by tertile of each
    (Decision S7), and one proportional-odds model with both (Decision S8,
    `statsmodels.miscmodels.ordinal_model.OrderedModel`; McCullagh, JRSS B 1980;42:109), so a
    page can say which of the two explains the grade.
    """
    graded = [c for c in facts if is_infused(c) and c.crs_max_grade is not None]
    with_blasts = [c for c in graded if c.baseline_marrow_blasts_percent is not None]
    with_dose = [c for c in graded if c.cell_dose_per_kg is not None]
    both = [c for c in with_blasts if c.cell_dose_per_kg is not None]
    burden = spearman(
        [float(c.baseline_marrow_blasts_percent) for c in with_blasts],
        [c.crs_max_grade for c in with_blasts],
        variable="marrow blasts",
    )
    dose = spearman(
        [float(c.cell_dose_per_kg) for c in with_dose], [c.crs_max_grade for c in with_dose], variable="cell dose"
    )
    burden_tertiles = severe_rate_by_tertile(
        [float(c.baseline_marrow_blasts_percent) for c in with_blasts],
        [c.crs_max_grade for c in with_blasts],
        variable="marrow blasts",
    )
    dose_tertiles = severe_rate_by_tertile(
        [float(c.cell_dose_per_kg) for c in with_dose], [c.crs_max_grade for c in with_dose], variable="cell dose"
    )
    grades = [c.crs_max_grade for c in both]
    needed = 2 * MIN_COURSES_PER_COVARIATE
    terms: tuple[OrdinalTerm, ...] = ()
    if len(both) < needed:
        reason = (
            f"Too few courses to say what drives the CRS grade: {len(both)} with both values (at least {needed} needed)"
        )
    elif len(set(grades)) < 2:
        reason = f"Every course had the same CRS grade ({grades[0]}): nothing to explain"
    else:
        fitted = _ordinal_terms(
            grades, [float(c.baseline_marrow_blasts_percent) for c in both], [float(c.cell_dose_per_kg) for c in both]
        )
        reason = None if fitted is not None else "The ordinal model could not be fitted, so nothing can be concluded"
        terms = fitted or ()
    if reason is not None:
        return CrsDrivers(burden, dose, burden_tertiles, dose_tertiles, len(both), terms, True, reason)
    blast_term, dose_term = terms
    details = "; ".join(
        f"{t.per}: odds ratio {t.odds_ratio:.2f} (95% CI {t.ci_low:.2f}-{t.ci_high:.2f}){_p_words(t.p_value)}"
        for t in terms
    )
    if blast_term.significant and not dose_term.significant:
        lead = "Disease burden, not cell dose, explains the CRS grade"
    elif dose_term.significant and not blast_term.significant:
        lead = "Cell dose, not disease burden, explains the CRS grade"
    elif blast_term.significant and dose_term.significant:
        lead = "Both disease burden and cell dose are associated with the CRS grade"
    else:
        lead = "Neither disease burden nor cell dose is clearly associated with the CRS grade"
    sentence = f"{lead} (ordinal model, n = {len(both)}; {details})"
    return CrsDrivers(burden, dose, burden_tertiles, dose_tertiles, len(both), terms, False, sentence)


# --- Toxicity and logistics (§10.4) -----------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """Median with quartiles and range of whole-day values (Decision S11)."""

    n: int
    median: float | None
    q1: float | None
    q3: float | None
    minimum: int | None
    maximum: int | None

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "median": self.median,
            "q1": self.q1,
            "q3": self.q3,
            "min": self.minimum,
            "max": self.maximum,
        }


def spread(values: Sequence[int]) -> Spread:
    values = sorted(values)
    if not values:
        return Spread(0, None, None, None, None, None)
    median = float(stdlib_statistics.median(values))
    if len(values) == 1:
        return Spread(1, median, median, median, values[0], values[0])
    q1, _, q3 = stdlib_statistics.quantiles(values, n=4, method="inclusive")
    return Spread(len(values), median, float(q1), float(q3), values[0], values[-1])


@dataclass(frozen=True)
class ToxicityProfile:
    """CRS or ICANS incidence by maximum grade, with onset and duration (Decision S11)."""

    kind: str
    any: Rate
    grade_3_or_more: Rate
    by_max_grade: tuple[int, ...]  # counts of maximum grade 0, 1, 2, 3, 4
    onset_day: Spread
    duration_days: Spread

    def summary_dict(self) -> dict[str, object]:
        """The keys `outcomes --format json` prints for CRS and ICANS (issue 12 item 5)."""
        return {
            "any": self.any.as_dict(),
            "grade_3_or_more": self.grade_3_or_more.as_dict(),
            "by_max_grade": {str(grade): count for grade, count in enumerate(self.by_max_grade)},
        }

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            **self.summary_dict(),
            "onset_day": self.onset_day.as_dict(),
            "duration_days": self.duration_days.as_dict(),
        }


def toxicity_profile(facts: Iterable[CourseFacts], kind: str) -> ToxicityProfile:
    """Incidence of `kind` ("crs" or "icans") over infused courses with a recorded grade (§10.4)."""
    if kind not in ("crs", "icans"):
        raise ValueError(f"kind must be crs or icans, got {kind!r}")
    graded = [c for c in facts if is_infused(c) and getattr(c, f"{kind}_max_grade") is not None]
    grades = [getattr(c, f"{kind}_max_grade") for c in graded]
    label = kind.upper()
    counts = tuple(sum(grade == g for grade in grades) for g in range(MAX_TOXICITY_GRADE + 1))
    affected = [c for c, grade in zip(graded, grades, strict=True) if grade >= 1]
    onsets = [day for c in affected if (day := getattr(c, f"{kind}_onset_day")) is not None]
    durations = [days for c in affected if (days := getattr(c, f"{kind}_duration_days")) is not None]
    return ToxicityProfile(
        kind=kind,
        any=proportion(len(affected), len(graded), f"{label} of any grade, over infused courses with a recorded grade"),
        grade_3_or_more=proportion(
            sum(grade >= SEVERE_GRADE for grade in grades),
            len(graded),
            f"{label} grade >= {SEVERE_GRADE}, over infused courses with a recorded grade",
        ),
        by_max_grade=counts,
        onset_day=spread(onsets),
        duration_days=spread(durations),
    )


@dataclass(frozen=True)
class ToxicityAndLogistics:
    crs: ToxicityProfile
    icans: ToxicityProfile
    tocilizumab: Rate
    steroids: Rate
    vein_to_vein_days: Spread
    rule_version: str = RULE_VERSION

    def as_dict(self) -> dict[str, object]:
        return {
            "crs": self.crs.as_dict(),
            "icans": self.icans.as_dict(),
            "tocilizumab": self.tocilizumab.as_dict(),
            "steroids": self.steroids.as_dict(),
            "vein_to_vein_days": self.vein_to_vein_days.as_dict(),
            "rule_version": self.rule_version,
        }


def toxicity_and_logistics(facts: Iterable[CourseFacts]) -> ToxicityAndLogistics:
    """CRS and ICANS by maximum grade, onset and duration; tocilizumab and steroid use; vein-to-vein.

    docs/clinical-rules.md §10.4 (Decision S11); vein-to-vein time as the
    programme records it (leukapheresis to infusion, in days).
    """
    facts = tuple(facts)
    infused = [c for c in facts if is_infused(c)]
    return ToxicityAndLogistics(
        crs=toxicity_profile(facts, "crs"),
        icans=toxicity_profile(facts, "icans"),
        tocilizumab=proportion(sum(c.tocilizumab for c in infused), len(infused), "tocilizumab, over infused courses"),
        steroids=proportion(sum(c.steroids for c in infused), len(infused), "corticosteroids, over infused courses"),
        vein_to_vein_days=spread([c.vein_to_vein_days for c in infused if c.vein_to_vein_days is not None]),
    )


# --- The report's headline figures (issue 12 item 5) ------------------------------------------


def summary(facts: Sequence[CourseFacts], *, origin: Origin | str = Origin.INFUSION) -> dict[str, object]:
    """Exactly the keys of `manage.py outcomes --format json` (issue 12 item 5; §10).

    `denominators`; `day28_remission` and `best_overall_response` as rate objects; `crs` and
    `icans` with `any`, `grade_3_or_more` and `by_max_grade`; `efs` and `os` with
    `median_months`, `at_6_months`, `at_12_months` and `curve`.
    """
    facts = tuple(facts)
    origin = Origin(origin)
    toxicity = toxicity_and_logistics(facts)
    return {
        "denominators": denominators(facts).as_dict(),
        "day28_remission": rate_of(day28_remission(facts)).as_dict(),
        "best_overall_response": rate_of(best_overall_response(facts, origin=origin)).as_dict(),
        "crs": toxicity.crs.summary_dict(),
        "icans": toxicity.icans.summary_dict(),
        "efs": kaplan_meier(time_to_event_rows(facts, Endpoint.EFS, origin=origin)).summary_dict(),
        "os": kaplan_meier(time_to_event_rows(facts, Endpoint.OS, origin=origin)).summary_dict(),
    }
