"""The patient's home check-in: a fever or a warning symptom says "call now" with the number
and, within one sweep, puts an urgent alert in the physician's inbox; another patient's
pages are not reachable."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.builders import T0, walk_and_infuse
from tracker.clinical import home_check
from tracker.models import Alert, HomeCheckIn
from tracker.schedule.services import dispatch


@pytest.mark.parametrize(
    ("temperature", "symptoms", "call_now"),
    [
        (Decimal("37.9"), set(), False),
        (Decimal("38.0"), set(), True),
        (None, {"confusion"}, True),
        (Decimal("36.8"), {"speech_trouble"}, True),
        (Decimal("36.8"), {"chills"}, True),
        (None, set(), False),
    ],
)
def test_home_advice_calls_for_fever_or_any_warning_symptom(temperature, symptoms, call_now):
    assert home_check.home_advice(temperature_c=temperature, symptoms=symptoms).call_now is call_now


@pytest.fixture
def infused(walker, time_machine, centre):
    centre.phone_urgent = "+44 20 7946 0000"
    centre.save()
    time_machine.move_to(T0 + timedelta(minutes=30), tick=False)
    course = walk_and_infuse(walker)
    time_machine.move_to(T0 + timedelta(days=12), tick=False)
    return course


def test_a_fever_at_home_says_call_now_and_alerts_the_physician_within_one_sweep(
    client, patient_user, physician, infused
):
    client.force_login(patient_user)
    page = client.post(reverse("home_check_in"), {"temperature_c": "38.4"}).content.decode()
    assert "Call the centre now" in page and "+44 20 7946 0000" in page
    report = HomeCheckIn.objects.get()
    assert report.call_now and report.temperature_c == Decimal("38.4")
    dispatch.run_sweep(timezone.now())
    alert = Alert.objects.get(threshold_event=report.threshold_event)
    assert alert.urgency == "urgent" and "38.4" in alert.body
    client.force_login(physician)
    assert "Patient reported symptoms at home" in client.get(reverse("alerts")).content.decode()


def test_a_normal_check_in_raises_no_alert(client, patient_user, infused):
    client.force_login(patient_user)
    page = client.post(reverse("home_check_in"), {"temperature_c": "36.9"}).content.decode()
    assert "Thank you" in page and "Call the centre now" not in page
    assert not HomeCheckIn.objects.get().threshold_event


def test_an_impossible_temperature_is_refused_on_its_field(client, patient_user, infused):
    client.force_login(patient_user)
    page = client.post(reverse("home_check_in"), {"temperature_c": "83.0"}).content.decode()
    assert "temperature must be between" in page and not HomeCheckIn.objects.exists()


def test_staff_have_no_home_check_in_page(client, nurse, infused):
    client.force_login(nurse)
    assert client.get(reverse("home_check_in")).status_code == 404
