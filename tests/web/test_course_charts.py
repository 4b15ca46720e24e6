"""The course page's charts over days since infusion: the data they draw, a text summary and a
table view for each, interventions marked, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.builders import ice_with, infuse, vitals
from tracker.bedside import services as bedside_services
from tracker.bedside.selectors import course_charts


@pytest.fixture
def course(walker, frozen_now):
    return infuse(walker)


def _neuro(course, by, when, correct):
    return bedside_services.record_neuro_assessment(
        course=course,
        by=by,
        observed_at=when,
        tool="ice",
        level_of_consciousness="alert",
        motor_finding="none",
        **ice_with(correct),
    )


def test_charts_carry_every_reading_over_days_since_infusion_with_grades_and_marks(nurse, course):
    t0 = course.first_infusion_at
    vitals(course, nurse, t0 + timedelta(hours=12))
    vitals(course, nurse, t0 + timedelta(hours=36), temperature_value="39.1", systolic_bp=82, diastolic_bp=48)
    _neuro(course, nurse, t0 + timedelta(hours=40), 6)
    bedside_services.record_intervention(
        course=course,
        by=nurse,
        given_at=t0 + timedelta(hours=37),
        kind="tocilizumab",
        agent="tocilizumab",
        dose_value="560",
        dose_unit="mg",
        route="IV",
        indication="crs",
    )
    charts = course_charts(course)
    assert [p["day"] for p in charts["data"]["vitals"]] == [0.5, 1.5]
    assert [p["crs"] for p in charts["data"]["vitals"]] == [0, 2]
    assert charts["data"]["neuro"][0]["ice"] == 6 and charts["data"]["neuro"][0]["icans"] == 2
    assert [m["label"] for m in charts["data"]["marks"]] == ["Tocilizumab"]
    summary = " ".join(charts["summary"])
    assert "Temperature: highest 39.1 °C on day +1" in summary
    assert "Systolic pressure: lowest 82 mmHg" in summary
    assert "CRS: highest grade 2" in summary and "ICE score: lowest 6/10" in summary
    assert "Tocilizumab on day +1" in summary


def test_the_course_page_shows_charts_with_table_view_and_folds_the_long_tables(client, nurse, course):
    vitals(course, nurse, course.first_infusion_at + timedelta(hours=12))
    client.force_login(nurse)
    page = client.get(reverse("course_detail", args=[course.public_id])).content.decode()
    assert 'id="chart-data"' in page and 'data-chart="temperature"' in page and 'data-chart="ice"' in page
    assert "Table view of the charted values" in page
    assert '<details class="records">' in page
    assert "vendor/chartjs-4.6.1/chart.umd.min.js" in page


def test_the_charts_cost_the_same_queries_for_a_short_or_a_long_stay(client, nurse, course):
    t0 = course.first_infusion_at
    vitals(course, nurse, t0 + timedelta(hours=4))
    client.force_login(nurse)
    url = reverse("course_detail", args=[course.public_id])
    with CaptureQueriesContext(connection) as short:
        client.get(url)
    for hours in range(8, 8 + 4 * 30, 4):
        vitals(course, nurse, t0 + timedelta(hours=hours))
    with CaptureQueriesContext(connection) as long:
        client.get(url)
    assert len(long.captured_queries) == len(short.captured_queries)
