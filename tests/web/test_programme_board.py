"""The programme board: the active courses by stage, each with its day, vein-to-vein days,
manufacturing status and next milestone, in a fixed number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.builders import CourseWalker, infuse
from tests.conftest import make_course, make_patient


@pytest.fixture(autouse=True)
def _clock(frozen_now):
    return frozen_now


def test_the_board_shows_each_course_in_its_stage_with_its_journey_facts(client, staff, walker, centre):
    course = infuse(walker)
    waiting = make_course(make_patient(centre, staff.coordinator, mrn="B002", family="Waiting"), staff)
    client.force_login(staff.coordinator)
    page = client.get(reverse("dashboard"), {"view": "board"}).content.decode()
    acute = page.split('id="col-acute_monitoring"')[1].split("</section>")[0]
    assert "LOVELACE" in acute and "Day" in acute and "Vein to vein" in acute and "Manufacturing" in acute
    assert "Next" in acute and "Day +28" in acute
    referral = page.split('id="col-referral"')[1].split("</section>")[0]
    assert "WAITING" in referral
    assert course.patient.mrn in page and waiting.patient.mrn in page


def test_the_board_costs_the_same_queries_for_few_or_many_courses(client, staff, centre, walker):
    infuse(walker)
    client.force_login(staff.coordinator)
    url = reverse("dashboard") + "?view=board"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        patient = make_patient(centre, staff.coordinator, mrn=f"M{i:03d}", family=f"Many{i:03d}")
        c = make_course(patient, staff)
        if i % 2:
            w = CourseWalker(c, staff)
            w.start_eligibility(date(2025, 12, 3))
            w.confirm_eligible(date(2025, 12, 8))
            w.collect_and_ship(date(2025, 12, 15))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
