"""The outcomes tests' hand-built cohort: five B-ALL courses through the real services."""

from datetime import date, timedelta

import pytest

from tests.builders import DAY0, CourseWalker, infuse, vitals
from tests.conftest import make_course, make_patient
from tracker.core.clock import local_moment
from tracker.follow_up import services as follow_up

MARROW_CR = {
    "marrow_blasts_percent": "0.5",
    "circulating_blasts": False,
    "extramedullary_disease": False,
    "anc_10e9_per_l": "1.8",
    "platelets_10e9_per_l": "140",
    "transfusion_independent": True,
    "mrd_percent": "0.001",
    "mrd_sensitivity_percent": "0.001",
}
MARROW_NR = {**MARROW_CR, "marrow_blasts_percent": "32", "mrd_percent": None, "mrd_sensitivity_percent": None}


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def go_to(time_machine, n: int, hour: int = 14):
    time_machine.move_to(local_moment(day(n), hour), tick=False)


@pytest.fixture
def cohort(centre, staff, coordinator, physician, nurse, time_machine):
    """Five B-ALL courses:
    A: CR at day +28, CRS grade 1 (fever on day +1), alive at day +400;
    B: CR at day +28, CRS grade 0 (graded, no CRS), relapse day +200, death day +300;
    C: no response (NR) at day +28, death day +100;
    D: infused, never assessed, last contact day +60;
    E: collected, never infused.
    """
    courses = {}
    for name in "ABCDE":
        patient = make_patient(centre, coordinator, mrn=f"MRN-{name}", given=name, family="Test", born=date(2010, 1, 1))
        courses[name] = make_course(patient, staff, product="tisa_cel", diagnosis="b_all")
    go_to(time_machine, 0, 11)
    for name in "ABCD":
        infuse(CourseWalker(courses[name], staff))
    walker = CourseWalker(courses["E"], staff)
    walker.start_eligibility(date(2026, 1, 5))
    walker.confirm_eligible(date(2026, 1, 9))
    walker.collect_and_ship(date(2026, 1, 20))
    go_to(time_machine, 1, 20)
    vitals(courses["A"], nurse, local_moment(day(1), 8), temperature_value="38.9")
    vitals(courses["B"], nurse, local_moment(day(1), 8))
    go_to(time_machine, 401)
    record = follow_up.record_response_assessment
    record(course=courses["A"], by=physician, assessed_on=day(28), findings=MARROW_CR, methods=["flow_mrd"])
    record(course=courses["B"], by=physician, assessed_on=day(28), findings=MARROW_CR, methods=["flow_mrd"])
    record(course=courses["C"], by=physician, assessed_on=day(28), findings=MARROW_NR, methods=["flow_mrd"])
    event = follow_up.record_event
    event(course=courses["A"], by=physician, kind="last_contact", occurred_on=day(400))
    event(course=courses["B"], by=physician, kind="relapse", occurred_on=day(200), sites=["marrow"])
    event(course=courses["B"], by=physician, kind="death", occurred_on=day(300), death_cause="disease")
    event(course=courses["C"], by=physician, kind="death", occurred_on=day(100), death_cause="infection")
    event(course=courses["D"], by=physician, kind="last_contact", occurred_on=day(60))
    return courses


@pytest.fixture
def cohort_physician(physician, cohort):
    """The treating physician of every course of the cohort (make_course puts them on it)."""
    return physician
