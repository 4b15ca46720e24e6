"""Programme outcome definitions, written once: denominators, response rates, time-to-event rows.

Source: FDA 2018, "Clinical Trial Endpoints for the Approval of Cancer Drugs and Biologics"
(guidance for industry), as adapted to single-arm CAR-T programmes in docs/clinical-rules.md
§10.1-§10.3. The statistics that use these rows (Kaplan-Meier, Clopper-Pearson, Cox) live in
`tracker.outcomes.statistics`; this module imports the standard library and
`tracker.clinical` only.

The caller builds one `CourseFacts` per treatment course (construction validates every value
and raises `FindingError` naming the field and what is allowed), then asks for denominators,
response tallies or time-to-event rows. Every row carries the reason it was counted the way it
was, in plain words, and the rule version.

Decisions (docs/clinical-rules.md §10; each has a test named `test_decision_...`)
=================================================================================
1. Apheresed denominator: a course counts as apheresed when it has a leukapheresis date, and
   also when it was infused without one (an infused course was collected; imported history may
   lack the date). Courses with neither date are in no denominator.
2. Leukapheresis origin (intention to treat) for an infused course without a leukapheresis
   date: the infusion date is used, and the row says so.
3. Best overall response rate: over all infused courses (no assessment = no response); with
   the leukapheresis origin, over all apheresed courses (not infused = no response). The day
   +28 remission rate is always over infused courses with a day +28 assessment.
4. Day +28 "remission" is a complete response by the disease's rule (CR/CRi, CMR, sCR/CR);
   the best overall response rate is the overall response rate (CR/CRi; CMR + PMR; PR or
   better).
5. A course whose diagnosis has no response rule (`diagnosis_group` None) is counted in the
   denominators, OS and PFS, and in the best overall response rate's denominator as no
   response (issue 12: over all infused courses); not in EFS or duration of response, which
   need the disease's ORR rule. It may not carry response categories.
6. Censoring: at the last date the patient is known to be alive, the later of the last
   contact and every other recorded date (leukapheresis, infusion, response, relapse,
   transplant, new therapy). With nothing recorded after the origin, the row is censored at
   day 0 and contributes no follow-up.
7. EFS event: relapse or progression, or death from any cause, whichever is first; a best
   overall response that is not a response by the disease's ORR rule (none recorded included)
   is a treatment failure, an event at day 0 of the chosen origin. PFS is the same without the
   treatment-failure rule. Transplant and new therapy never censor (EFS, PFS, OS, DOR).
8. Duration of response starts at the first response date; a responder without that date is
   left out of DOR (the row is not built). Its event is relapse/progression or death.
9. A consolidative transplant is one before any relapse or progression; a transplant on or
   after the relapse date is salvage and does not count as consolidation.
10. Infusion period subgroup: the calendar year of infusion. Age groups: < 18, 18-64, >= 65
    years at infusion. The isolated extramedullary relapse subgroup is a baseline attribute:
    the disease treated with CAR-T was an isolated extramedullary relapse.

Response rules are not restated here: `tracker.clinical.response` (issue 8) decides what is a
response and a complete response for each disease (docs/clinical-rules.md §7.4 and §10.2).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from tracker.clinical.findings import FindingError, check_flag, choice
from tracker.clinical.response import Disease, is_complete_response, is_response

RULE_VERSION = "outcomes/1"

# 365.25 / 12: the mean month used to turn days into months (docs/clinical-rules.md §10.1).
DAYS_PER_MONTH = 30.4375
# ASTCT 2019 (Lee et al., BBMT 25:625): CRS and ICANS grades 1-4; the tracker never computes
# grade 5 (death), so a course's maximum grade is 0 (none) to 4.
MAX_TOXICITY_GRADE = 4
# ASTCT 2019 and CTCAE: grade >= 3 is "severe" (docs/clinical-rules.md §10.4).
SEVERE_GRADE = 3
# Age groups for subgroups (issue 12): children < 18, adults 18-64, older adults >= 65.
ADULT_FROM_AGE_YEARS = 18
OLDER_ADULT_FROM_AGE_YEARS = 65


class Origin(StrEnum):
    """Time origin (FDA 2018 endpoints guidance; docs/clinical-rules.md §10.1)."""

    INFUSION = "infusion"  # infused set, the default
    LEUKAPHERESIS = "leukapheresis"  # intention to treat


class Endpoint(StrEnum):
    EFS = "efs"  # event-free survival
    PFS = "pfs"  # progression-free survival
    OS = "os"  # overall survival
    DOR = "dor"  # duration of response


class SubgroupDimension(StrEnum):
    DIAGNOSIS = "diagnosis"
    PRODUCT = "product"
    TARGET_ANTIGEN = "target_antigen"
    AGE_GROUP = "age_group"
    INFUSION_PERIOD = "infusion_period"
    ISOLATED_EXTRAMEDULLARY_RELAPSE = "isolated_extramedullary_relapse"


# --- Response rules (docs/clinical-rules.md §10.2) ------------------------------------------

# How each disease's overall response and complete response are named in a reason; the rules
# themselves are `tracker.clinical.response.is_response` and `is_complete_response`.
RESPONSE_WORDS = {
    Disease.B_ALL: "CR/CRi",
    Disease.LYMPHOMA: "CMR or PMR",
    Disease.MYELOMA: "PR or better",
}
COMPLETE_WORDS = {
    Disease.B_ALL: "CR/CRi",
    Disease.LYMPHOMA: "CMR",
    Disease.MYELOMA: "sCR/CR",
}


def counts_as_response(diagnosis_group: Disease | str, category: str | None) -> bool:
    """Whether a best response counts for the overall response rate (docs/clinical-rules.md §10.2).

    B-ALL CR or CRi, lymphoma CMR or PMR, myeloma PR or better, by
    `tracker.clinical.response.is_response`; no category (no assessment) is no response.
    Source: FDA 2018 endpoints guidance, docs/clinical-rules.md §10.2.
    """
    return category is not None and is_response(diagnosis_group, category)


def counts_as_complete_response(diagnosis_group: Disease | str, category: str | None) -> bool:
    """Whether a category is a complete response / remission: CR/CRi, CMR, sCR/CR (§10.2)."""
    return category is not None and is_complete_response(diagnosis_group, category)


# --- Facts about one course -------------------------------------------------------------------

_DATE_FIELDS = (
    "apheresed_on",
    "infused_on",
    "responded_on",
    "relapse_on",
    "death_on",
    "transplant_on",
    "new_therapy_on",
    "last_contact_on",
)
# Dates that describe what happened after CAR-T collection; none may precede it, none may
# follow death (issue 8: death and relapse cannot precede infusion; nothing after death).
_FOLLOW_UP_FIELDS = ("responded_on", "relapse_on", "death_on", "transplant_on", "new_therapy_on", "last_contact_on")
# Facts that exist only for an infused course.
_INFUSED_ONLY_FIELDS = (
    "responded_on",
    "day28_category",
    "best_category",
    "crs_max_grade",
    "icans_max_grade",
    "vein_to_vein_days",
)


@dataclass(frozen=True)
class CourseFacts:
    """What the programme knows about one CAR-T course, as plain values (§10.1).

    Dates are `datetime.date` (not datetimes) or None when it did not happen or is unknown.
    `day28_category` is the response category of the day +28 assessment, `best_category` the
    best overall response; both are the category strings of the disease's calculator (issue 8)
    or None when not assessed. `responded_on` is the date of the first response, `relapse_on`
    the first relapse or progression, `transplant_on` a consolidative allogeneic transplant.
    Toxicity maxima are ASTCT grades 0-4 (None: not recorded); onsets are day numbers after
    infusion and durations whole days, given only when the grade is >= 1.
    Subgroup attributes: `product`, `target_antigens`, `age_at_infusion` (years),
    `baseline_marrow_blasts_percent`, `cell_dose_per_kg` (CAR-positive cells per kg),
    `isolated_extramedullary_relapse` (the disease treated was an isolated extramedullary
    relapse; a baseline attribute, Decision 10).
    """

    course_id: int | str
    diagnosis_group: Disease | str | None
    apheresed_on: date | None = None
    infused_on: date | None = None
    day28_category: str | None = None
    best_category: str | None = None
    responded_on: date | None = None
    relapse_on: date | None = None
    death_on: date | None = None
    death_cause: str = ""
    transplant_on: date | None = None
    new_therapy_on: date | None = None
    last_contact_on: date | None = None
    crs_max_grade: int | None = None
    icans_max_grade: int | None = None
    crs_onset_day: int | None = None
    crs_duration_days: int | None = None
    icans_onset_day: int | None = None
    icans_duration_days: int | None = None
    tocilizumab: bool = False
    steroids: bool = False
    vein_to_vein_days: int | None = None
    product: str = ""
    target_antigens: tuple[str, ...] = ()
    age_at_infusion: int | float | None = None
    baseline_marrow_blasts_percent: int | float | None = None
    cell_dose_per_kg: int | float | None = None
    isolated_extramedullary_relapse: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.course_id, bool) or not isinstance(self.course_id, int | str):
            raise FindingError(f"course_id must be an integer or a string, got {self.course_id!r}", field="course_id")
        if self.diagnosis_group is not None:
            object.__setattr__(self, "diagnosis_group", choice("diagnosis_group", Disease, self.diagnosis_group))
        for field in _DATE_FIELDS:
            value = getattr(self, field)
            if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
                raise FindingError(f"{field} must be a date or None, got {value!r}", field=field)
        for field in ("tocilizumab", "steroids", "isolated_extramedullary_relapse"):
            check_flag(field, getattr(self, field))
        if not isinstance(self.death_cause, str):
            raise FindingError(f"death_cause must be text, got {self.death_cause!r}", field="death_cause")
        if not isinstance(self.product, str):
            raise FindingError(f"product must be text, got {self.product!r}", field="product")
        self._check_antigens()
        self._check_dates()
        self._check_categories()
        self._check_toxicity()
        _check_optional_number("vein_to_vein_days", self.vein_to_vein_days, 0, 10_000, whole=True)
        _check_optional_number("age_at_infusion", self.age_at_infusion, 0, 120)
        _check_optional_number("baseline_marrow_blasts_percent", self.baseline_marrow_blasts_percent, 0, 100)
        _check_optional_number("cell_dose_per_kg", self.cell_dose_per_kg, 0, 1e12, positive=True)
        if self.infused_on is None:
            for field in _INFUSED_ONLY_FIELDS:
                if getattr(self, field) is not None:
                    raise FindingError(f"{field} needs an infusion date (infused_on)", field=field)
            for field in ("tocilizumab", "steroids"):
                if getattr(self, field):
                    raise FindingError(f"{field} needs an infusion date (infused_on)", field=field)

    def _check_antigens(self) -> None:
        antigens = self.target_antigens
        if isinstance(antigens, str | bytes) or not isinstance(antigens, Iterable):
            raise FindingError(f"target_antigens must be a list of names, got {antigens!r}", field="target_antigens")
        names = tuple(antigens)
        if any(not isinstance(name, str) or not name.strip() for name in names):
            raise FindingError(f"target_antigens must be non-empty names, got {names!r}", field="target_antigens")
        # Order-independent: CD22 + CD19 is the same product target as CD19 + CD22.
        object.__setattr__(self, "target_antigens", tuple(sorted({name.strip() for name in names})))

    def _check_dates(self) -> None:
        if self.apheresed_on and self.infused_on and self.infused_on < self.apheresed_on:
            raise FindingError(
                f"infused_on ({self.infused_on}) cannot precede apheresed_on ({self.apheresed_on})",
                field="infused_on",
            )
        start_field = "infused_on" if self.infused_on else "apheresed_on"
        start = self.infused_on or self.apheresed_on
        for field in _FOLLOW_UP_FIELDS:
            value = getattr(self, field)
            if value is None:
                continue
            # A relapse, death or response is measured from infusion when there was one.
            earliest_field, earliest = start_field, start
            if field in ("transplant_on", "new_therapy_on", "last_contact_on") and self.apheresed_on:
                earliest_field, earliest = "apheresed_on", self.apheresed_on
            if earliest is not None and value < earliest:
                raise FindingError(f"{field} ({value}) cannot precede {earliest_field} ({earliest})", field=field)
            if self.death_on is not None and value > self.death_on:
                raise FindingError(f"{field} ({value}) cannot be after death_on ({self.death_on})", field=field)
        if self.responded_on and self.relapse_on and self.relapse_on < self.responded_on:
            raise FindingError(
                f"relapse_on ({self.relapse_on}) cannot precede the first response ({self.responded_on})",
                field="relapse_on",
            )

    def _check_categories(self) -> None:
        group = self.diagnosis_group
        for field in ("day28_category", "best_category"):
            value = getattr(self, field)
            if value is None:
                continue
            if group is None:
                raise FindingError(f"{field} needs a diagnosis_group with a response rule", field=field)
            try:
                is_response(group, value)
            except FindingError as error:
                raise FindingError(f"{field} for {group}: {error}", field=field) from None
        if group is None:
            if self.responded_on is not None:
                raise FindingError("responded_on needs a diagnosis_group with a response rule", field="responded_on")
            return
        best_responds = counts_as_response(group, self.best_category)
        if counts_as_response(group, self.day28_category) and not best_responds:
            # The best overall response is at least as good as any single assessment.
            raise FindingError(
                f"best_category ({self.best_category}) must be a response when day28_category "
                f"({self.day28_category}) is one",
                field="best_category",
            )
        if self.responded_on is not None and not best_responds:
            raise FindingError(
                f"responded_on is given but best_category ({self.best_category}) is not a response "
                f"({RESPONSE_WORDS[group]})",
                field="responded_on",
            )

    def _check_toxicity(self) -> None:
        for kind in ("crs", "icans"):
            grade_field = f"{kind}_max_grade"
            grade = getattr(self, grade_field)
            if grade is not None and (
                isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade <= MAX_TOXICITY_GRADE
            ):
                raise FindingError(
                    f"{grade_field} must be a whole number from 0 to {MAX_TOXICITY_GRADE} or None, got {grade!r}",
                    field=grade_field,
                )
            for suffix in ("onset_day", "duration_days"):
                field = f"{kind}_{suffix}"
                value = getattr(self, field)
                _check_optional_number(field, value, 0, 10_000, whole=True)
                if value is not None and not grade:
                    raise FindingError(f"{field} needs {grade_field} of 1 or more, got {grade!r}", field=field)


def _check_optional_number(
    field: str, value: object, low: float, high: float, *, whole: bool = False, positive: bool = False
) -> None:
    if value is None:
        return
    kinds = int if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or value != value:  # NaN is not a number
        kind = "a whole number" if whole else "a number"
        raise FindingError(f"{field} must be {kind} from {low} to {high} or None, got {value!r}", field=field)
    if not low <= value <= high or (positive and value <= 0):
        bound = f"above {low}" if positive else f"from {low}"
        raise FindingError(f"{field} must be {bound} to {high}, got {value}", field=field)


# --- Denominators and response tallies (§10.1, §10.2) -----------------------------------------


@dataclass(frozen=True)
class Denominators:
    """The three denominators every outcome is shown with (issue 12 item 1)."""

    apheresed: int
    infused: int
    evaluable_day28: int

    def as_dict(self) -> dict[str, int]:
        return {"apheresed": self.apheresed, "infused": self.infused, "evaluable_day28": self.evaluable_day28}


@dataclass(frozen=True)
class Tally:
    """`n` courses out of `of` met the definition; the statistics layer adds the interval."""

    n: int
    of: int
    definition: str


def is_apheresed(course: CourseFacts) -> bool:
    """Collected for CAR-T: a leukapheresis date, or infused without one (Decision 1)."""
    return course.apheresed_on is not None or course.infused_on is not None


def is_infused(course: CourseFacts) -> bool:
    return course.infused_on is not None


def is_evaluable_day28(course: CourseFacts) -> bool:
    """Infused, with a day +28 response assessment, for a disease with a response rule."""
    return is_infused(course) and course.diagnosis_group is not None and course.day28_category is not None


def denominators(facts: Iterable[CourseFacts]) -> Denominators:
    """Apheresed, infused and day +28-evaluable courses (docs/clinical-rules.md §10.1)."""
    courses = tuple(facts)
    return Denominators(
        apheresed=sum(is_apheresed(course) for course in courses),
        infused=sum(is_infused(course) for course in courses),
        evaluable_day28=sum(is_evaluable_day28(course) for course in courses),
    )


def in_analysis_set(course: CourseFacts, origin: Origin | str = Origin.INFUSION) -> bool:
    """Infused set for the infusion origin; all apheresed courses for intention to treat."""
    return is_infused(course) if Origin(origin) is Origin.INFUSION else is_apheresed(course)


def day28_remission(facts: Iterable[CourseFacts]) -> Tally:
    """Complete remission at day +28 over the courses assessed then (§10.2, Decisions 3 and 4).

    CR/CRi for B-ALL, CMR for lymphoma, sCR/CR for myeloma (FDA 2018 endpoints guidance, docs/clinical-rules.md §10.2).
    """
    evaluable = [course for course in facts if is_evaluable_day28(course)]
    n = sum(counts_as_complete_response(c.diagnosis_group, c.day28_category) for c in evaluable)
    return Tally(n, len(evaluable), "complete remission at the day +28 assessment, over courses assessed at day +28")


def best_overall_response(facts: Iterable[CourseFacts], *, origin: Origin | str = Origin.INFUSION) -> Tally:
    """Overall response rate by best response (§10.2, Decisions 3-5).

    Over all infused courses (intention to treat: all apheresed); a course with no assessment,
    or not infused, counts as no response. Source: FDA 2018 endpoints guidance, docs/clinical-rules.md §10.2.
    """
    courses = [c for c in facts if in_analysis_set(c, origin)]
    n = sum(c.diagnosis_group is not None and counts_as_response(c.diagnosis_group, c.best_category) for c in courses)
    scope = "infused" if Origin(origin) is Origin.INFUSION else "apheresed"
    return Tally(n, len(courses), f"best overall response by the disease's ORR rule, over all {scope} courses")


def best_complete_response(facts: Iterable[CourseFacts], *, origin: Origin | str = Origin.INFUSION) -> Tally:
    """Complete response as best response, over the same courses as the ORR (§10.2)."""
    courses = [c for c in facts if in_analysis_set(c, origin)]
    n = sum(
        c.diagnosis_group is not None and counts_as_complete_response(c.diagnosis_group, c.best_category)
        for c in courses
    )
    scope = "infused" if Origin(origin) is Origin.INFUSION else "apheresed"
    return Tally(n, len(courses), f"complete response as best response, over all {scope} courses")


# --- Time-to-event rows (§10.3) ---------------------------------------------------------------


@dataclass(frozen=True)
class TimeToEvent:
    """One course's time from the origin to its event or censoring, with the reason."""

    course_id: int | str
    endpoint: Endpoint
    origin: Origin
    start_on: date
    end_on: date
    event: bool
    reason: str
    rule_version: str = RULE_VERSION

    @property
    def days(self) -> int:
        return (self.end_on - self.start_on).days

    @property
    def months(self) -> float:
        """Days / 30.4375 (docs/clinical-rules.md §10.1)."""
        return self.days / DAYS_PER_MONTH

    def as_dict(self) -> dict[str, object]:
        return {
            "course_id": self.course_id,
            "endpoint": self.endpoint.value,
            "origin": self.origin.value,
            "start_on": self.start_on.isoformat(),
            "end_on": self.end_on.isoformat(),
            "days": self.days,
            "months": self.months,
            "event": self.event,
            "reason": self.reason,
            "rule_version": self.rule_version,
        }


def origin_date(course: CourseFacts, origin: Origin | str = Origin.INFUSION) -> date | None:
    """Day 0: infusion, or leukapheresis for intention to treat (infusion when unknown, Decision 2)."""
    if Origin(origin) is Origin.INFUSION:
        return course.infused_on
    return course.apheresed_on or course.infused_on


def last_known_alive_on(course: CourseFacts) -> date | None:
    """The later of the last contact and every other recorded date (Decision 6)."""
    known = [
        getattr(course, field)
        for field in (
            "apheresed_on",
            "infused_on",
            "responded_on",
            "relapse_on",
            "transplant_on",
            "new_therapy_on",
            "last_contact_on",
        )
    ]
    dates = [value for value in known if value is not None]
    return max(dates) if dates else None


def consolidative_transplant_on(course: CourseFacts) -> date | None:
    """The transplant date when it came before any relapse or progression (Decision 9)."""
    if course.transplant_on is None:
        return None
    if course.relapse_on is not None and course.transplant_on >= course.relapse_on:
        return None
    return course.transplant_on


def _first_event(course: CourseFacts, *, after: date) -> tuple[date, str] | None:
    """The first relapse/progression or death on or after `after`, with its words."""
    candidates = []
    if course.relapse_on is not None and course.relapse_on >= after:
        candidates.append((course.relapse_on, 0, f"relapse or progression on {course.relapse_on}"))
    if course.death_on is not None and course.death_on >= after:
        cause = f" ({course.death_cause})" if course.death_cause else ""
        candidates.append((course.death_on, 1, f"death on {course.death_on}{cause}"))
    if not candidates:
        return None
    when, _, words = min(candidates)  # relapse first on a tie: it is the disease event
    return when, words


def _censored(course: CourseFacts, endpoint: Endpoint, origin: Origin, start: date, prefix: str) -> TimeToEvent:
    alive_on = last_known_alive_on(course)
    end = max(alive_on, start) if alive_on is not None else start
    what = "alive" if endpoint is Endpoint.OS else "alive without relapse or progression"
    reason = f"{prefix}censored on {end}, the last date known {what} (last contact or latest record)"
    return TimeToEvent(course.course_id, endpoint, origin, start, end, False, reason)


def time_to_event(
    course: CourseFacts, endpoint: Endpoint | str, *, origin: Origin | str = Origin.INFUSION
) -> TimeToEvent | None:
    """The course's row for EFS, PFS, OS or DOR, or None when it is not in that analysis.

    EFS: relapse/progression or death from any cause; a best response that is not a response
    by the disease's ORR rule is a treatment failure at day 0 (Decision 7). PFS: relapse/
    progression or death. OS: death from any cause. DOR: responders only, from the first
    response to relapse/progression or death (Decision 8). Transplant and new therapy never
    censor; censoring is at the last date known alive (Decision 6). Source: FDA 2018 endpoints guidance as
    adapted in docs/clinical-rules.md §10.3.
    """
    endpoint, origin = Endpoint(endpoint), Origin(origin)
    group = course.diagnosis_group
    if endpoint in (Endpoint.EFS, Endpoint.DOR) and group is None:
        return None  # Decision 5: no ORR rule for this diagnosis
    if endpoint is Endpoint.DOR:
        if not is_infused(course) or not counts_as_response(group, course.best_category):
            return None
        if course.responded_on is None:
            return None  # Decision 8: a responder without a first-response date cannot be timed
        start, prefix = course.responded_on, f"first response on {course.responded_on}; "
        origin_words = ""
    else:
        if not in_analysis_set(course, origin):
            return None
        start = origin_date(course, origin)
        prefix = ""
        if origin is Origin.LEUKAPHERESIS and course.apheresed_on is None:
            prefix = "leukapheresis date unknown, time counted from infusion; "
        origin_words = "infusion" if origin is Origin.INFUSION else "leukapheresis"

    if endpoint is Endpoint.EFS and not counts_as_response(group, course.best_category):
        best = course.best_category or "none recorded"
        if not is_infused(course):
            best = "not infused"
        reason = (
            f"{prefix}treatment failure: best overall response {best} is not a response "
            f"({RESPONSE_WORDS[group]}) → EFS event at day 0 of {origin_words}"
        )
        return TimeToEvent(course.course_id, endpoint, origin, start, start, True, reason)

    if endpoint is Endpoint.OS:
        if course.death_on is not None:
            cause = f" ({course.death_cause})" if course.death_cause else ""
            reason = f"{prefix}death from any cause on {course.death_on}{cause}"
            return TimeToEvent(course.course_id, endpoint, origin, start, course.death_on, True, reason)
        return _censored(course, endpoint, origin, start, prefix)

    event = _first_event(course, after=start)
    if event is not None:
        when, words = event
        return TimeToEvent(course.course_id, endpoint, origin, start, when, True, f"{prefix}{words}")
    return _censored(course, endpoint, origin, start, prefix)


def time_to_event_rows(
    facts: Iterable[CourseFacts], endpoint: Endpoint | str, *, origin: Origin | str = Origin.INFUSION
) -> tuple[TimeToEvent, ...]:
    """The rows of every course in the analysis of `endpoint`, in the order given.

    Remembered for the last few cohorts: a report asks for the same rows many times (curves,
    comparisons, subgroups), and `CourseFacts` are frozen, so the same facts give the same rows.
    """
    return _rows_of(tuple(facts), Endpoint(endpoint), Origin(origin))


@lru_cache(maxsize=16)
def _rows_of(facts: tuple[CourseFacts, ...], endpoint: Endpoint, origin: Origin) -> tuple[TimeToEvent, ...]:
    rows = (time_to_event(course, endpoint, origin=origin) for course in facts)
    return tuple(row for row in rows if row is not None)


def day_number(course: CourseFacts, on: date, *, origin: Origin | str = Origin.INFUSION) -> int | None:
    """Days from the origin to `on` (day 0 = the origin date)."""
    start = origin_date(course, origin)
    return None if start is None else (on - start).days


def landmark_date(course: CourseFacts, landmark_day: int, *, origin: Origin | str = Origin.INFUSION) -> date | None:
    start = origin_date(course, origin)
    return None if start is None else start + timedelta(days=landmark_day)


# --- Subgroups (§10.6) ------------------------------------------------------------------------


def age_group(age_years: int | float | None) -> str:
    """< 18, 18-64 or >= 65 years at infusion (Decision 10); "unknown" when not recorded."""
    if age_years is None:
        return "unknown"
    if age_years < ADULT_FROM_AGE_YEARS:
        return "under 18"
    if age_years < OLDER_ADULT_FROM_AGE_YEARS:
        return "18-64"
    return "65 and over"


def subgroup_level(course: CourseFacts, dimension: SubgroupDimension | str) -> str:
    """The course's level in one subgroup dimension, as the words a table shows."""
    dimension = SubgroupDimension(dimension)
    if dimension is SubgroupDimension.DIAGNOSIS:
        return str(course.diagnosis_group) if course.diagnosis_group else "other"
    if dimension is SubgroupDimension.PRODUCT:
        return course.product or "unknown"
    if dimension is SubgroupDimension.TARGET_ANTIGEN:
        return "/".join(course.target_antigens) or "unknown"
    if dimension is SubgroupDimension.AGE_GROUP:
        return age_group(course.age_at_infusion)
    if dimension is SubgroupDimension.INFUSION_PERIOD:
        return str(course.infused_on.year) if course.infused_on else "not infused"
    return "yes" if course.isolated_extramedullary_relapse else "no"


AGE_GROUP_ORDER = ("under 18", "18-64", "65 and over", "unknown")


def level_sort_key(dimension: SubgroupDimension | str, level: str) -> tuple[int, str]:
    """Table order: age groups youngest first, other levels alphabetically, unknowns last."""
    if SubgroupDimension(dimension) is SubgroupDimension.AGE_GROUP:
        return (AGE_GROUP_ORDER.index(level), level)
    return (1 if level in ("unknown", "other", "not infused") else 0, level)


def levels(facts: Sequence[CourseFacts], dimension: SubgroupDimension | str) -> tuple[str, ...]:
    """The levels present in `facts`, in table order (`level_sort_key`)."""
    present = {subgroup_level(course, dimension) for course in facts}
    return tuple(sorted(present, key=lambda level: level_sort_key(dimension, level)))
