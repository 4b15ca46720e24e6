"""The follow-up pages, tried as a new user would: a physician records a PET-CT with Deauville 2
and sees "Complete metabolic response" with its reason; once released, the patient reads it in
plain words; a nurse cannot record a response; corrections keep the original."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.builders import DAY0, infuse
from tracker.core.clock import local_moment
from tracker.models import CourseEvent, ResponseAssessment


@pytest.fixture
def course(walker, time_machine):
    time_machine.move_to(local_moment(DAY0, 11), tick=False)
    course = infuse(walker)
    time_machine.move_to(local_moment(DAY0 + timedelta(days=29), 14), tick=False)
    return course


def pet_form(**changes):
    return {
        "assessed_on": (DAY0 + timedelta(days=28)).isoformat(),
        "methods": ["pet_ct"],
        "deauville_score": "2",
        "change_from_baseline": "reduced",
        "marrow": "clear",
        "report_reference": "PET-2026-0412",
        **changes,
    }


def test_a_physician_records_a_pet_ct_and_sees_the_complete_metabolic_response(client, course, physician):
    client.force_login(physician)
    url = reverse("record_response", args=[course.public_id])
    page = client.get(url)
    assert "Deauville score" in page.content.decode()
    response = client.post(url, pet_form(), follow=True)
    html = response.content.decode()
    assert "Complete metabolic response" in html and "Deauville 2" in html
    assert ResponseAssessment.objects.get().category == "CMR"


def test_the_patient_sees_the_result_in_plain_words_once_released(client, course, physician, patient_user):
    client.force_login(physician)
    client.post(reverse("record_response", args=[course.public_id]), pet_form())
    client.force_login(patient_user)
    assert "no sign of active lymphoma" not in client.get(reverse("my_journey")).content.decode()
    client.force_login(physician)
    client.post(reverse("release_response", args=[ResponseAssessment.objects.get().public_id]))
    client.force_login(patient_user)
    html = client.get(reverse("my_journey")).content.decode()
    assert "Your day +28 PET-CT scan showed no sign of active lymphoma." in html


def test_bad_findings_show_the_field_error_on_the_form(client, course, physician):
    client.force_login(physician)
    response = client.post(
        reverse("record_response", args=[course.public_id]), pet_form(assessed_on=DAY0.isoformat().replace("03", "02"))
    )
    assert response.status_code == 200
    assert "before the infusion" in response.content.decode()
    assert not ResponseAssessment.objects.exists()


def test_a_nurse_cannot_open_the_response_form(client, course, nurse):
    client.force_login(nurse)
    assert client.get(reverse("record_response", args=[course.public_id])).status_code == 403


def test_a_death_recorded_on_the_page_closes_the_course(client, course, physician):
    client.force_login(physician)
    response = client.post(
        reverse("record_event", args=[course.public_id]),
        {"kind": "death", "occurred_on": (DAY0 + timedelta(days=29)).isoformat(), "death_cause": "infection"},
        follow=True,
    )
    assert "Died" in response.content.decode()
    course.refresh_from_db()
    assert course.stage == "died" and CourseEvent.objects.get().death_cause == "infection"


def test_a_correction_keeps_the_original_and_needs_a_reason(client, course, physician):
    client.force_login(physician)
    client.post(reverse("record_response", args=[course.public_id]), pet_form())
    original = ResponseAssessment.objects.get()
    url = reverse("amend_follow_up", args=["response", original.public_id])
    assert "Reason for the correction" in client.get(url).content.decode()
    client.post(url, pet_form(deauville_score="4", reason="Re-read at the tumour board"))
    original.refresh_from_db()
    assert original.superseded
    assert ResponseAssessment.objects.current().get().category == "PMR"


def test_another_centres_staff_cannot_see_or_correct_the_records(client, course, physician, other_centre_coordinator):
    client.force_login(physician)
    client.post(reverse("record_response", args=[course.public_id]), pet_form())
    client.force_login(other_centre_coordinator)
    record = ResponseAssessment.objects.get()
    assert client.get(reverse("amend_follow_up", args=["response", record.public_id])).status_code == 404
    assert client.get(reverse("record_event", args=[course.public_id])).status_code == 404
