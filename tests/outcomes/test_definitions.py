"""Outcome definitions (docs/clinical-rules.md §10.1-§10.3): denominators, response, time to event."""

from datetime import date, timedelta

import pytest

from tracker.clinical.findings import FindingError
from tracker.outcomes.definitions import (
    CourseFacts,
    Endpoint,
    Origin,
    age_group,
    best_overall_response,
    consolidative_transplant_on,
    day28_remission,
    denominators,
    time_to_event,
)

D0 = date(2025, 1, 10)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def course(**values) -> CourseFacts:
    base = {"course_id": "c", "diagnosis_group": "b_all", "apheresed_on": day(-30), "infused_on": D0}
    base.update(values)
    return CourseFacts(**base)


def test_denominators_count_apheresed_infused_and_day28_evaluable_courses():
    facts = [
        course(course_id=1, day28_category="CR", best_category="CR", responded_on=day(28)),
        course(course_id=2, day28_category="NR", best_category="NR"),
        course(course_id=3),  # infused, never assessed
        course(course_id=4, infused_on=None),  # apheresed, not infused
        course(course_id=5, apheresed_on=None, infused_on=None),  # referred only
    ]
    assert denominators(facts).as_dict() == {"apheresed": 4, "infused": 3, "evaluable_day28": 2}


def test_decision_day28_remission_is_over_courses_assessed_at_day28():
    facts = [
        course(course_id=1, day28_category="CR", best_category="CR", responded_on=day(28)),
        course(course_id=2, day28_category="CRi", best_category="CRi", responded_on=day(28)),
        course(course_id=3, day28_category="NR", best_category="NR"),
        course(course_id=4),
    ]
    tally = day28_remission(facts)
    assert (tally.n, tally.of) == (2, 3)


def test_decision_best_overall_response_is_over_all_infused_courses_unassessed_is_no_response():
    facts = [
        course(course_id=1, best_category="CR", responded_on=day(28)),
        course(course_id=2),
        course(course_id=3, diagnosis_group=None),
        course(course_id=4, infused_on=None),
    ]
    tally = best_overall_response(facts)
    assert (tally.n, tally.of) == (1, 3)
    itt = best_overall_response(facts, origin=Origin.LEUKAPHERESIS)
    assert (itt.n, itt.of) == (1, 4)


RESPONSE_TABLE = [
    # disease, best category, counts for ORR
    ("b_all", "CR", True),
    ("b_all", "CRi", True),
    ("b_all", "NR", False),
    ("lymphoma", "CMR", True),
    ("lymphoma", "PMR", True),
    ("lymphoma", "NMR", False),
    ("lymphoma", "PMD", False),
    ("myeloma", "sCR", True),
    ("myeloma", "VGPR", True),
    ("myeloma", "PR", True),
    ("myeloma", "MR", False),
    ("myeloma", "SD", False),
]


@pytest.mark.parametrize(
    ("disease", "category", "responds"), RESPONSE_TABLE, ids=[f"{d}-{c}" for d, c, _ in RESPONSE_TABLE]
)
def test_best_overall_response_follows_each_diseases_orr_rule(disease, category, responds):
    responded = day(28) if responds else None
    facts = [course(diagnosis_group=disease, best_category=category, responded_on=responded)]
    assert best_overall_response(facts).n == int(responds)


EFS_TABLE = [
    # Each row: its name, the facts, and the expected event flag and days.
    ("relapse is an event", {"relapse_on": day(200), "last_contact_on": day(300)}, (True, 200)),
    ("death from any cause is an event", {"death_on": day(150), "death_cause": "infection"}, (True, 150)),
    ("relapse before death: the first counts", {"relapse_on": day(100), "death_on": day(150)}, (True, 100)),
    ("transplant does not censor", {"transplant_on": day(90), "last_contact_on": day(400)}, (False, 400)),
    ("new therapy does not censor", {"new_therapy_on": day(120), "relapse_on": day(300)}, (True, 300)),
    ("censored at last contact", {"last_contact_on": day(365)}, (False, 365)),
    ("censored at the latest record", {"transplant_on": day(90)}, (False, 90)),
]


@pytest.mark.parametrize(("label", "values", "expected"), EFS_TABLE, ids=[row[0] for row in EFS_TABLE])
def test_efs_event_and_time_for_a_responder(label, values, expected):
    facts = course(best_category="CR", responded_on=day(28), **values)
    row = time_to_event(facts, Endpoint.EFS)
    assert (row.event, row.days) == expected


def test_decision_treatment_failure_is_an_efs_event_at_day_0():
    for best in ("NR", None):
        row = time_to_event(course(best_category=best, last_contact_on=day(200)), Endpoint.EFS)
        assert (row.event, row.days) == (True, 0)
        assert "treatment failure" in row.reason


def test_treatment_failure_is_not_an_os_event():
    row = time_to_event(course(best_category="NR", last_contact_on=day(200)), Endpoint.OS)
    assert (row.event, row.days) == (False, 200)


def test_decision_leukapheresis_origin_times_from_collection_and_counts_the_not_infused():
    infused = course(best_category="CR", responded_on=day(28), death_on=day(100))
    assert time_to_event(infused, Endpoint.OS, origin=Origin.LEUKAPHERESIS).days == 130
    not_infused = course(infused_on=None, death_on=day(-5))
    row = time_to_event(not_infused, Endpoint.OS, origin=Origin.LEUKAPHERESIS)
    assert (row.event, row.days) == (True, 25)
    assert time_to_event(not_infused, Endpoint.OS) is None


def test_duration_of_response_starts_at_the_first_response():
    row = time_to_event(course(best_category="CR", responded_on=day(28), relapse_on=day(128)), Endpoint.DOR)
    assert (row.event, row.days) == (True, 100)
    assert time_to_event(course(best_category="NR"), Endpoint.DOR) is None


def test_months_are_days_over_30_4375():
    row = time_to_event(course(best_category="CR", responded_on=day(28), last_contact_on=day(365)), Endpoint.OS)
    assert row.months == pytest.approx(365 / 30.4375)


def test_decision_a_transplant_after_relapse_is_not_consolidation():
    assert consolidative_transplant_on(course(transplant_on=day(80), relapse_on=day(200))) == day(80)
    assert consolidative_transplant_on(course(transplant_on=day(220), relapse_on=day(200))) is None


AGE_TABLE = [(0, "under 18"), (17.9, "under 18"), (18, "18-64"), (64, "18-64"), (65, "65 and over"), (None, "unknown")]


@pytest.mark.parametrize(("age", "group"), AGE_TABLE)
def test_age_groups_are_under_18_18_to_64_and_65_and_over(age, group):
    assert age_group(age) == group


INVALID_TABLE = [
    ("death before infusion", {"death_on": day(-1)}, "death_on"),
    ("relapse after death", {"death_on": day(10), "relapse_on": day(20)}, "relapse_on"),
    ("category of another disease", {"best_category": "CMR"}, "best_category"),
    ("grade 5", {"crs_max_grade": 5}, "crs_max_grade"),
    ("infusion before collection", {"apheresed_on": day(1)}, "infused_on"),
    ("responded without a response", {"best_category": "NR", "responded_on": day(28)}, "responded_on"),
]


@pytest.mark.parametrize(("label", "values", "field"), INVALID_TABLE, ids=[row[0] for row in INVALID_TABLE])
def test_invalid_facts_are_refused_naming_the_field(label, values, field):
    with pytest.raises(FindingError) as caught:
        course(**values)
    assert caught.value.field == field
