"""Who may see which patient, on every page and endpoint. Another team's patient is a plain
404 (it reveals nothing), and a patient's login sees that patient alone."""

import pytest
from django.urls import reverse

from tests.conftest import make_course, make_patient
from tracker.models import Patient, TreatmentCourse


@pytest.fixture
def other_patient_course(centre, staff):
    other = make_patient(centre, staff.coordinator, mrn="MRN999", given="Bob", family="Other")
    return make_course(other, staff)


@pytest.fixture
def south_course(other_centre, other_centre_coordinator, other_centre_nurse):
    from tracker.accounts import create_staff_user
    from tracker.demo import Staff

    south_doc = create_staff_user(username="south_doc", role="physician", centre=other_centre, password="pw")
    staff = Staff(other_centre_coordinator, south_doc, other_centre_nurse, other_centre_nurse)
    patient = make_patient(other_centre, other_centre_coordinator, mrn="S-1", given="Sol", family="South")
    return make_course(patient, staff)


def test_patient_user_sees_only_their_own_record(patient_user, patient, other_patient_course):
    assert list(Patient.objects.visible_to(patient_user)) == [patient]
    assert set(TreatmentCourse.objects.visible_to(patient_user)) == set(patient.courses.all())


def test_nurse_sees_the_patients_of_their_care_teams_only(nurse, course, south_course, other_centre_nurse):
    assert list(Patient.objects.visible_to(nurse)) == [course.patient]
    assert list(Patient.objects.visible_to(other_centre_nurse)) == [south_course.patient]


def test_coordinator_sees_their_whole_centre_but_not_another(coordinator, course, other_patient_course, south_course):
    assert set(Patient.objects.visible_to(coordinator)) == {course.patient, other_patient_course.patient}


def test_inactive_or_anonymous_users_see_nobody(nurse, course):
    from django.contrib.auth.models import AnonymousUser

    nurse.is_active = False
    assert not Patient.objects.visible_to(nurse).exists()
    assert not Patient.objects.visible_to(AnonymousUser()).exists()


def test_patient_login_cannot_open_staff_pages(client, patient_user, course):
    client.force_login(patient_user)
    assert client.get(reverse("dashboard")).status_code == 403
    assert client.get(reverse("course_detail", args=[course.public_id])).status_code == 403
    assert client.get(reverse("course_audit", args=[course.public_id])).status_code == 403


def test_patient_home_is_their_own_timeline(client, patient_user, patient, other_patient_course):
    client.force_login(patient_user)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("my_journey")
    body = response.content.decode()
    assert patient.given_name in body
    assert "Bob" not in body and "MRN999" not in body


def test_other_centres_course_page_is_a_404(client, other_centre_nurse, course):
    client.force_login(other_centre_nurse)
    assert client.get(reverse("course_detail", args=[course.public_id])).status_code == 404
    assert client.get(reverse("record_infusion", args=[course.public_id])).status_code == 404


def test_api_lists_only_visible_patients(client, patient_user, patient, other_patient_course):
    client.force_login(patient_user)
    data = client.get("/api/patients/").json()
    assert [p["mrn"] for p in data["results"]] == [patient.mrn]
    assert client.get(f"/api/patients/{other_patient_course.patient.public_id}/").status_code == 404
    assert client.get(f"/api/courses/{other_patient_course.public_id}/").status_code == 404


def test_api_refuses_anonymous_requests(client, course):
    assert client.get("/api/courses/").status_code in (401, 403)


def test_patient_cannot_move_their_own_course_through_the_api(client, patient_user, course):
    client.force_login(patient_user)
    response = client.post(
        f"/api/courses/{course.public_id}/transitions/", {"to": "eligibility"}, content_type="application/json"
    )
    assert response.status_code == 403
    course.refresh_from_db()
    assert course.stage == "referral"


def test_unauthenticated_pages_redirect_to_sign_in(client, course):
    response = client.get(reverse("course_detail", args=[course.public_id]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
