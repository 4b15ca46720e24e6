"""Who may see which patient, on every page and endpoint. Another team's patient is a plain
404 (it reveals nothing), and a patient's login sees that patient alone."""

import pytest
from django.urls import reverse

from tests.conftest import make_course, make_patient
from tracker.journey import services as journey_services
from tracker.models import Patient, TreatmentCourse


@pytest.fixture
def other_patient_course(centre, staff):
    other = make_patient(centre, staff.coordinator, mrn="MRN999", given="Bob", family="Other")
    return make_course(other, staff)


@pytest.fixture
def south_course(other_centre, other_centre_coordinator, other_centre_nurse):
    from tests.builders import Staff
    from tracker.accounts.services import create_staff_user

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


def test_a_coordinator_sees_each_patient_once_however_many_colleagues_share_the_centre(
    client, coordinator, nurse, second_nurse, physician, course
):
    assert list(Patient.objects.visible_to(coordinator)) == [course.patient]
    client.force_login(coordinator)
    assert client.get("/api/patients/").json()["count"] == 1
    assert client.get(f"/api/patients/{course.patient.public_id}/").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/courses/{course}/vital-signs/",
        "/api/check-ins/",
        "/api/alerts/?scope=all",
        "/api/courses/{course}/episodes/",
    ],
)
def test_a_patient_login_reaches_no_bedside_schedule_or_alert_endpoint(client, patient_user, course, path):
    client.force_login(patient_user)
    assert client.get(path.format(course=course.public_id)).status_code == 403


def test_a_patient_login_reads_its_own_course_through_the_api(client, patient_user, course):
    client.force_login(patient_user)
    assert client.get(f"/api/courses/{course.public_id}/").json()["stage"] == "referral"


def test_the_on_call_physician_covers_the_centre_during_the_shift_only(centre, course):
    from datetime import timedelta

    from django.utils import timezone

    from tracker.accounts.services import create_staff_user
    from tracker.models import OnCallShift

    on_call = create_staff_user(username="night", role="physician", centre=centre, password="pw")
    assert not Patient.objects.visible_to(on_call).exists()
    now = timezone.now()
    shift = OnCallShift.objects.create(
        centre=centre, user=on_call, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=11)
    )
    assert list(Patient.objects.visible_to(on_call)) == [course.patient]
    shift.ends_at = now - timedelta(minutes=1)
    shift.save()
    assert not Patient.objects.visible_to(on_call).exists()


def test_only_staff_of_the_patients_centre_join_a_care_team(course, coordinator, patient_user, other_centre_nurse):
    from django.core.exceptions import ValidationError

    for user in (patient_user, other_centre_nurse):
        with pytest.raises(ValidationError, match="staff member of the patient's centre"):
            journey_services.add_care_team_member(course=course, user=user, role="nurse", by=coordinator)
