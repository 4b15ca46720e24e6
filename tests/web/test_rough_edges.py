"""Rough edges a new user hit: a non-local ``next`` after acknowledging, snoozing or
completing; reviewing a treatment record; the snooze controls' labels."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.builders import T0, walk_and_infuse
from tracker.bedside import services as bedside_services
from tracker.models import Alert
from tracker.schedule.services import dispatch


@pytest.fixture
def infused(walker, time_machine):
    time_machine.move_to(T0 + timedelta(minutes=30), tick=False)
    course = walk_and_infuse(walker)
    time_machine.move_to(T0 + timedelta(hours=5.05), tick=False)
    dispatch.run_sweep(T0 + timedelta(hours=5.05))
    return course


@pytest.mark.parametrize("target", ["abc", "0", "https://evil.example/", "//evil.example/x", ""])
def test_a_non_local_next_goes_to_the_inbox_after_acknowledging(client, nurse, infused, target):
    client.force_login(nurse)
    alert = Alert.objects.get(kind="check_in_missed")
    response = client.post(reverse("acknowledge_alert", args=[alert.public_id]), {"note": "ok", "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("alerts")
    alert.refresh_from_db()
    assert alert.status == "acknowledged"


def test_a_local_next_is_followed(client, nurse, infused):
    client.force_login(nurse)
    alert = Alert.objects.get(kind="check_in_missed")
    response = client.post(
        reverse("snooze_alert", args=[alert.public_id]), {"minutes": "30", "reason": "Busy", "next": "/work/"}
    )
    assert response["Location"] == "/work/"


def test_reviewing_a_treatment_record_is_a_404_not_a_500(client, physician, nurse, infused):
    intervention = bedside_services.record_intervention(
        course=infused,
        by=nurse,
        given_at=T0 + timedelta(hours=1),
        kind="antipyretic",
        agent="paracetamol",
        dose_value="1000",
        dose_unit="mg",
        route="PO",
        indication="fever",
    )
    client.force_login(physician)
    response = client.post(reverse("review_record", args=["interventions", intervention.public_id]), {"note": "x"})
    assert response.status_code == 404


def test_every_snooze_control_has_a_label(client, nurse, infused):
    client.force_login(nurse)
    page = client.get(reverse("alerts")).content.decode()
    alert = Alert.objects.get(kind="check_in_missed")
    for control in ("minutes", "reason", "note"):
        assert f'for="{control}-{alert.public_id}"' in page and f'id="{control}-{alert.public_id}"' in page
