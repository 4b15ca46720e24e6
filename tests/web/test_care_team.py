"""The care-team page: a coordinator adds and removes members (audited); the new nurse can
then open the course, and a removed one cannot."""

from datetime import date

import pytest
from django.urls import reverse

from tracker.journey import services as journey_services
from tracker.models import CareTeamMember


@pytest.fixture(autouse=True)
def _clock(frozen_now):
    return frozen_now


@pytest.fixture
def bare_course(patient, staff):
    """A course just opened from a referral, with no one on its care team."""
    return journey_services.open_course(
        patient=patient,
        by=staff.coordinator,
        diagnosis="lbcl",
        product="axi_cel",
        target_antigens=["CD19"],
        referred_on=date(2025, 12, 1),
        treating_physician=staff.physician,
        coordinator=staff.coordinator,
    )


def test_a_nurse_added_to_the_team_can_open_the_course_and_a_removed_one_cannot(client, staff, bare_course):
    url = reverse("course_detail", args=[bare_course.public_id])
    client.force_login(staff.nurse)
    assert client.get(url).status_code == 404

    client.force_login(staff.coordinator)
    team = reverse("care_team", args=[bare_course.public_id])
    response = client.post(team, {"user": staff.nurse.pk, "role": "nurse"}, follow=True)
    assert "added to the care team" in response.content.decode()
    member = CareTeamMember.objects.get(course=bare_course, user=staff.nurse)
    assert member.history.get().history_user == staff.coordinator

    client.force_login(staff.nurse)
    assert client.get(url).status_code == 200

    client.force_login(staff.coordinator)
    remove = reverse("remove_care_team_member", args=[bare_course.public_id, member.pk])
    assert "give a reason" in client.post(remove, {"reason": ""}, follow=True).content.decode()
    client.post(remove, {"reason": "Moved to another ward"})
    assert not CareTeamMember.objects.filter(course=bare_course, user=staff.nurse).exists()
    removal = CareTeamMember.history.filter(id=member.pk, history_type="-").get()
    assert (removal.history_user, removal.history_change_reason) == (staff.coordinator, "Moved to another ward")

    client.force_login(staff.nurse)
    assert client.get(url).status_code == 404


def test_only_coordinators_change_the_care_team(client, staff, course):
    client.force_login(staff.nurse)
    assert client.get(reverse("care_team", args=[course.public_id])).status_code == 403
    member = course.care_team_members.first()
    client.post(reverse("remove_care_team_member", args=[course.public_id, member.pk]), {"reason": "x"})
    assert CareTeamMember.objects.filter(pk=member.pk).exists()


def test_another_centres_coordinator_cannot_see_the_team(client, other_centre_coordinator, course):
    client.force_login(other_centre_coordinator)
    assert client.get(reverse("care_team", args=[course.public_id])).status_code == 404


def test_the_team_page_offers_only_staff_of_the_patients_centre_not_yet_on_it(
    client, staff, course, other_centre_nurse, django_assert_max_num_queries
):
    client.force_login(staff.coordinator)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("care_team", args=[course.public_id])).content.decode()
    options = page.split('id="id_user"')[1].split("</select>")[0]
    assert staff.physician.get_full_name() in options
    assert staff.nurse.get_full_name() not in options  # already on the team
    assert other_centre_nurse.get_full_name() not in options


def test_a_referral_with_a_care_team_lets_that_nurse_open_the_course(client, staff):
    client.force_login(staff.coordinator)
    response = client.post(
        reverse("refer_patient"),
        {
            "patient-mrn": "NEW-2",
            "patient-given_name": "Iris",
            "patient-family_name": "Newton",
            "patient-born_on": "1980-02-29",
            "patient-sex": "female",
            "patient-weight_kg": "61.5",
            "course-referred_on": "2026-03-10",
            "course-diagnosis": "lbcl",
            "course-product": "axi_cel",
            "course-target_antigens": ["CD19"],
            "course-antigen_construct": "single",
            "course-treating_physician": staff.physician.pk,
            "team-nurses": [staff.nurse.pk],
        },
    )
    assert response.status_code == 302
    client.force_login(staff.nurse)
    assert client.get(response["Location"]).status_code == 200
    client.force_login(staff.second_nurse)
    assert client.get(response["Location"]).status_code == 404
