"""The work list and alert badge that refresh themselves, and the coordinator's milestone list."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.builders import T0, walk_and_infuse
from tracker.models import CheckIn
from tracker.schedule.services import dispatch

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def infused(walker, time_machine):
    time_machine.move_to(T0 + timedelta(minutes=30), tick=False)
    course = walk_and_infuse(walker)
    time_machine.move_to(T0 + timedelta(hours=5.05), tick=False)
    dispatch.run_sweep(T0 + timedelta(hours=5.05))
    return course


def test_the_work_list_polls_itself_and_shows_a_check_in_that_fell_due_since_the_page_opened(
    client, nurse, infused, time_machine
):
    client.force_login(nurse)
    page = client.get(reverse("work_list")).content.decode()
    assert 'hx-trigger="every 15s"' in page
    time_machine.move_to(T0 + timedelta(hours=6.1), tick=False)
    client.force_login(nurse)  # hours later: the idle session has ended
    partial = client.get(reverse("work_list"), **HX).content.decode()
    assert "<html" not in partial and "overdue by 2 h" in partial  # the 14:00 set, missed
    time_machine.move_to(T0 + timedelta(hours=8.1), tick=False)  # 18:06: no sweep has run since 15:03
    client.force_login(nurse)
    partial = client.get(reverse("work_list"), **HX).content.decode()
    fell_due = CheckIn.objects.get(course=infused, kind="vital_signs", due_at=T0 + timedelta(hours=8))
    assert f"check-in-{fell_due.public_id}" in partial.split("Next four hours")[0]
    assert "overdue by 6 min" in partial


def test_the_alert_badge_partial_counts_unread_alerts(client, nurse, infused):
    client.force_login(nurse)
    badge = client.get(reverse("alert_badge")).content.decode()
    assert 'id="unread-alerts">1<' in badge and 'hx-trigger="every 30s"' in badge


def test_the_milestone_list_shows_upcoming_and_overdue_milestones_filtered(client, coordinator, infused, time_machine):
    time_machine.move_to(T0 + timedelta(days=20), tick=False)
    client.force_login(coordinator)
    body = client.get(reverse("milestones")).content.decode()
    assert "Day +28: Response assessment" in body and "due in 7 d" in body
    time_machine.move_to(T0 + timedelta(days=30), tick=False)
    client.force_login(coordinator)
    overdue = client.get(reverse("milestones"), {"when": "overdue"}).content.decode()
    assert "Day +28: Response assessment" in overdue and "overdue by 2 d" in overdue
    assert "Month 3: Serum IgG" not in overdue
    upcoming = client.get(reverse("milestones"), {"when": "upcoming", "kind": "response_assessment"}, **HX)
    assert "Day +28: Response assessment" not in upcoming.content.decode()
    assert "LOVELACE" not in client.get(reverse("milestones"), {"q": "Nobody"}).content.decode()
    assert "LOVELACE" in client.get(reverse("milestones"), {"q": "mrn001"}).content.decode()


def test_the_milestone_list_costs_the_same_queries_for_one_or_many_courses(
    client, coordinator, infused, django_assert_max_num_queries
):
    client.force_login(coordinator)
    with django_assert_max_num_queries(8):
        client.get(reverse("milestones"))


def test_another_centre_sees_no_milestones(client, other_centre_coordinator, infused, time_machine):
    time_machine.move_to(T0 + timedelta(days=20), tick=False)
    client.force_login(other_centre_coordinator)
    assert "Day +28: Response assessment" not in client.get(reverse("milestones")).content.decode()
