"""The patient's calendar file: their appointments as RFC 5545 events, only their own."""

from datetime import timedelta

import icalendar
import pytest
from django.urls import reverse

from tests.builders import T0, walk_and_infuse


@pytest.fixture
def infused(walker, time_machine):
    time_machine.move_to(T0 + timedelta(minutes=30), tick=False)
    return walk_and_infuse(walker)


def test_the_patient_downloads_a_calendar_of_their_appointments_that_parses(client, patient_user, infused):
    client.force_login(patient_user)
    assert reverse("my_calendar") in client.get(reverse("my_journey")).content.decode()
    response = client.get(reverse("my_calendar"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = calendar.walk("VEVENT")
    summaries = [str(e["SUMMARY"]) for e in events]
    assert "Day +28: Check-up: how well the treatment is working" in summaries
    assert not any("CIBMTR" in s or "Vital signs" in s for s in summaries)
    first = events[0]
    assert first["UID"] and first["DTSTAMP"] and first.decoded("DTEND") > first.decoded("DTSTART")
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_staff_and_strangers_get_no_calendar(client, nurse, infused):
    assert client.get(reverse("my_calendar")).status_code == 302  # to sign in
    client.force_login(nurse)
    assert client.get(reverse("my_calendar")).status_code == 404
