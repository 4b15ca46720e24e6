"""Bedside data for the demo cohort: vital signs every 6 hours and neurological checks every
12 hours over the first 28 days, following a CRS/ICANS story per patient, with the treatments
a team would give. Everything goes through the bedside services, so every grade, episode and
threshold event in the demo was computed, not typed.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from demo.walker import Staff
from tracker.bedside import services
from tracker.clinical.grading import ICE_MIN_AGE_YEARS
from tracker.clinical.neuro_scores import CAPD_ITEM_NAMES, ICE_ITEM_NAMES
from tracker.core.clock import local_moment
from tracker.models import Alert, TreatmentCourse
from tracker.schedule.services import alerts, completion, dispatch, planning

# The default protocol's clock times (vital signs every 4 h from 02:00, ICE at 08:00 and 20:00),
# so each recording completes the check-in that asked for it.
VITALS_HOURS = (2, 6, 10, 14, 18, 22)
NEURO_HOURS = (8, 20)
ACUTE_DAYS = 28


@dataclass(frozen=True)
class Story:
    """Grade segments as (from day, to day, grade), days counted in fractions after infusion."""

    crs: list[tuple[float, float, int]] = field(default_factory=list)
    icans: list[tuple[float, float, int]] = field(default_factory=list)


STORIES = [
    Story(),  # uneventful
    Story(crs=[(1.2, 3.0, 1)]),
    Story(crs=[(0.8, 1.6, 1), (1.6, 3.2, 2), (3.2, 4.0, 1)], icans=[(3.0, 4.5, 1)]),
    Story(crs=[(1.0, 2.0, 1), (2.0, 3.5, 2), (3.5, 5.5, 3), (5.5, 7.0, 1)], icans=[(4.5, 6.0, 2), (6.0, 9.0, 1)]),
    Story(crs=[(0.5, 2.5, 2), (2.5, 3.5, 1)], icans=[(5.0, 6.0, 1), (6.0, 7.5, 3), (7.5, 9.0, 1)]),
    Story(crs=[(2.0, 2.8, 1)]),
    Story(crs=[(0.2, 1.0, 1), (1.0, 2.5, 2), (2.5, 4.0, 4), (4.0, 6.0, 2), (6.0, 7.0, 1)], icans=[(3.0, 8.0, 2)]),
    Story(icans=[(6.5, 8.5, 1)]),
]

NORMAL = {
    "temperature_value": "36.9",
    "heart_rate": 82,
    "systolic_bp": 124,
    "diastolic_bp": 76,
    "respiratory_rate": 16,
    "spo2": 98,
}
# What each CRS grade looks like at the bedside (ASTCT 2019 CRS table).
CRS_LOOKS = {
    1: {"temperature_value": "38.4", "heart_rate": 104},
    2: {"temperature_value": "38.9", "heart_rate": 118, "systolic_bp": 86, "diastolic_bp": 50},
    3: {
        "temperature_value": "39.2",
        "heart_rate": 126,
        "systolic_bp": 96,
        "diastolic_bp": 58,
        "vasopressors": ["norepinephrine"],
        "oxygen_device": "nasal_cannula",
        "oxygen_flow_l_min": "4",
        "spo2": 94,
    },
    4: {
        "temperature_value": "39.6",
        "heart_rate": 138,
        "systolic_bp": 92,
        "diastolic_bp": 52,
        "vasopressors": ["norepinephrine", "phenylephrine"],
        "oxygen_device": "bipap",
        "spo2": 91,
    },
}
ICE_CORRECT_BY_GRADE = {0: 10, 1: 8, 2: 5, 3: 2}


def grade_at(segments, day: float) -> int:
    return max((grade for start, end, grade in segments if start <= day < end), default=0)


def ice_items(correct: int) -> dict:
    return {name: i < correct for i, name in enumerate(ICE_ITEM_NAMES)}


def capd_items(total: int) -> dict:
    """CAPD items adding up to ``total`` (each 0–4)."""
    scores = {}
    for name in CAPD_ITEM_NAMES:
        scores[name] = min(4, total)
        total -= scores[name]
    return scores


# Under 12 the check is CAPD (docs/clinical-rules.md §4.3): < 9 is grades 1–2, ≥ 9 grade 3.
CAPD_BY_GRADE = {0: 0, 1: 5, 2: 6, 3: 12}


def vital_values(crs_grade: int, rng: random.Random, *, tocilizumab_given: bool) -> dict:
    """What a set of vital signs at this CRS grade looks like at the bedside, with a little noise."""
    values = dict(NORMAL)
    values["heart_rate"] += rng.randint(-6, 6)
    values["systolic_bp"] += rng.randint(-8, 8)
    values["temperature_value"] = f"{36.6 + rng.randint(0, 6) / 10:.1f}"
    values |= CRS_LOOKS.get(crs_grade, {})
    if crs_grade >= 2 and tocilizumab_given:
        # Fever settles after tocilizumab; the grade then follows pressure and oxygen.
        values["temperature_value"] = "37.3"
    return values


def neuro_values(icans_grade: int, age: int, *, seizure_already: bool) -> dict:
    """The items of a neurological check at this ICANS grade: CAPD under 12, else ICE; the first
    grade-3 check of a story is a brief focal seizure."""
    if age < ICE_MIN_AGE_YEARS:
        values = capd_items(CAPD_BY_GRADE.get(icans_grade, 12))
        if icans_grade == 2:
            values["level_of_consciousness"] = "awakens_to_voice"
    elif icans_grade == 3 and not seizure_already:
        values = ice_items(6) | {"seizure_occurred": True, "seizure_kind": "focal", "seizure_duration_min": "2"}
    else:
        values = ice_items(ICE_CORRECT_BY_GRADE.get(icans_grade, 2))
        if icans_grade >= 3:
            values["level_of_consciousness"] = "awakens_only_to_tactile_stimulus"
    return values


class BedsideRecorder:
    def __init__(self, course: TreatmentCourse, staff: Staff, story: Story, rng: random.Random):
        self.course, self.staff, self.story, self.rng = course, staff, story, rng
        self.day_zero: date = course.day_zero
        self.infused_at: datetime = course.first_infusion_at
        self.treated: set[str] = set()

    def record_until(self, until: datetime, *, full: bool) -> None:
        """Full cadence for patients in acute monitoring now; for patients already past it, a
        lighter record of the first ten days, where CRS and ICANS happen (docs/clinical-rules.md §6.7)."""
        days = ACUTE_DAYS if full else 10
        vitals_hours, neuro_hours = (VITALS_HOURS, NEURO_HOURS) if full else ((8, 20), (8,))
        end = min(until, local_moment(self.day_zero + timedelta(days=days - 1), 23))
        moments = []
        for offset in range(days):
            day = self.day_zero + timedelta(days=offset)
            moments += [(local_moment(day, hour), "vitals") for hour in vitals_hours]
            moments += [(local_moment(day, hour, 5), "neuro") for hour in neuro_hours]
            moments += [(local_moment(day, 9, 40), "review")] if full else []
        for moment, kind in sorted(moments):
            if moment <= self.infused_at or moment > end:
                continue
            day = (moment - self.infused_at).total_seconds() / 86400
            if kind == "vitals":
                self._vitals(moment, grade_at(self.story.crs, day))
            elif kind == "neuro":
                self._neuro(moment, grade_at(self.story.icans, day))
            else:
                self._daily_review(moment)

    def _vitals(self, moment: datetime, crs_grade: int) -> None:
        values = vital_values(crs_grade, self.rng, tocilizumab_given="tocilizumab" in self.treated)
        services.record_vital_signs(course=self.course, by=self.staff.nurse, observed_at=moment, **values)
        self._treat_crs(moment, crs_grade)

    def _treat_crs(self, moment: datetime, grade: int) -> None:
        later = moment + timedelta(minutes=40)
        if later > timezone.now():
            return
        if grade >= 1 and "antipyretic" not in self.treated:
            self._give(
                later,
                "antipyretic",
                agent="acetaminophen",
                dose_value="1",
                dose_unit="g",
                route="PO",
                indication="fever",
            )
        if grade >= 2 and "tocilizumab" not in self.treated:
            self._give(later, "tocilizumab", dose_value="8", dose_unit="mg_per_kg", indication="crs")
        if grade >= 3 and "icu_transfer" not in self.treated:
            self._give(later, "icu_transfer", indication="crs")
            self._give(
                later, "corticosteroid", agent="dexamethasone", dose_value="10", dose_unit="mg", indication="crs"
            )

    def _neuro(self, moment: datetime, icans_grade: int) -> None:
        age = self.course.patient.age_on(timezone.localdate(moment))
        values = neuro_values(icans_grade, age, seizure_already="seizure" in self.treated)
        if values.get("seizure_occurred"):
            self.treated.add("seizure")
        services.record_neuro_assessment(course=self.course, by=self.staff.nurse, observed_at=moment, **values)
        later = moment + timedelta(minutes=30)
        if icans_grade >= 2 and "icans_steroid" not in self.treated and later <= timezone.now():
            self.treated.add("icans_steroid")
            self._give(
                later, "corticosteroid", agent="dexamethasone", dose_value="10", dose_unit="mg", indication="icans"
            )

    def _daily_review(self, moment: datetime) -> None:
        """The physician's daily review and the morning labs, completed with a note."""
        for kind, by, note in (
            ("crs_review", self.staff.physician, "Reviewed on the ward round"),
            ("labs", self.staff.nurse, "CBC, CRP and ferritin sent"),
        ):
            check_in = self.course.check_ins.filter(
                kind=kind, status__in=["scheduled", "due", "missed"], due_at__lte=moment
            ).first()
            if check_in and moment <= timezone.now():
                completion.complete_check_in(check_in=check_in, by=by, note=note, at=moment)

    def _give(self, moment: datetime, kind: str, **values) -> None:
        self.treated.add(kind)
        services.record_intervention(course=self.course, by=self.staff.physician, given_at=moment, kind=kind, **values)


# Two patients in acute monitoring whose last rounds were not recorded: the first sweep after
# `make run` finds their check-ins missed and starts the escalation ladder.
MISSED_ROUND = {29, 31}
ACKNOWLEDGED_BEFORE = timedelta(hours=2)


def record_demo_monitoring(course: TreatmentCourse, staff: Staff, number: int, *, until: datetime, full: bool) -> None:
    now = timezone.now()
    if full:
        # Plan the last eight hours as well, so the recordings below complete their check-ins.
        planning.plan_course(course, now=now - timedelta(hours=8))
        if number in MISSED_ROUND:
            until = min(until, now - timedelta(hours=5))
    story = STORIES[number % len(STORIES)]
    BedsideRecorder(course, staff, story, random.Random(number)).record_until(until, full=full)
    _settle_past_alerts(course, staff, now)


def _settle_past_alerts(course: TreatmentCourse, staff: Staff, now: datetime) -> None:
    """Threshold events of the demo's past become alerts now (as the sweep would), and those
    more than two hours old are acknowledged by the physician, as they would have been."""
    for event_id in course.threshold_events.filter(alert__isnull=True).values_list("id", flat=True):
        dispatch.raise_threshold_alerts(now, event_id=event_id)
    old = Alert.objects.filter(
        course=course, kind=Alert.Kind.THRESHOLD, threshold_event__occurred_at__lt=now - ACKNOWLEDGED_BEFORE
    )
    for alert in old.unresolved():
        alerts.acknowledge_alert(alert=alert, by=staff.physician, note="Seen at the time")
