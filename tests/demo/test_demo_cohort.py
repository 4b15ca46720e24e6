"""The demo cohort: every stage and diagnosis, realistic dates, built by the rules, twice-safe."""

from io import StringIO

import pytest
from django.core.management import call_command

from tracker.clinical import response
from tracker.clinical.stages import Stage
from tracker.default_protocol import install_default_protocol
from tracker.models import CheckIn, CourseEvent, Infusion, Patient, ResponseAssessment, StageEvent, TreatmentCourse


@pytest.fixture(scope="module")
def cohort(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=StringIO())
        yield
        # Module-scoped data outside the per-test transaction: remove it with a flush, and put
        # back the default protocol its data migration had installed.
        call_command("flush", "--no-input", verbosity=0)
        install_default_protocol()


@pytest.mark.django_db
def test_the_cohort_has_about_sixty_patients_over_every_stage_and_diagnosis(cohort):
    assert Patient.objects.count() == 60
    stages = set(TreatmentCourse.objects.values_list("stage", flat=True))
    assert stages == {s.value for s in Stage} - {Stage.INFUSION}  # infusion is a moment, not a place to stay
    assert set(TreatmentCourse.objects.values_list("diagnosis", flat=True)) == set(TreatmentCourse.Diagnosis.values)


@pytest.mark.django_db
def test_running_seed_demo_twice_changes_nothing(cohort):
    before = (Patient.objects.count(), StageEvent.objects.count(), Infusion.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Patient.objects.count(), StageEvent.objects.count(), Infusion.objects.count()) == before


@pytest.mark.django_db
def test_every_demo_course_got_there_through_stage_events(cohort):
    for course in TreatmentCourse.objects.prefetch_related("stage_events"):
        events = list(course.stage_events.all())
        assert events[0].to_stage == Stage.REFERRAL
        assert events[-1].to_stage == course.stage
        assert all(a.to_stage == b.from_stage for a, b in zip(events, events[1:], strict=False))


@pytest.mark.django_db
def test_acute_monitoring_patients_are_within_days_0_to_27(cohort):
    days = [c.day_number() for c in TreatmentCourse.objects.filter(stage=Stage.ACUTE_MONITORING)]
    assert days and all(0 <= d < 28 for d in days)


@pytest.mark.django_db
def test_every_infusion_passed_the_two_person_identity_check(cohort):
    for infusion in Infusion.objects.all():
        assert infusion.identity_checked_by_id != infusion.identity_second_check_by_id


@pytest.mark.django_db
def test_one_login_per_role_and_the_patient_login_sees_one_patient(cohort):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    for username in ("coordinator", "nurse", "physician", "patient"):
        assert users.filter(username=username).exists()
    assert Patient.objects.visible_to(users.get(username="patient")).count() == 1


@pytest.mark.django_db
def test_courses_past_day_28_have_responses_relapses_transplants_and_deaths_through_the_services(cohort):
    past_28 = [c for c in TreatmentCourse.objects.with_journey_dates() if (c.day_number() or 0) > 30]
    with_rule = [c for c in past_28 if response.disease_for_diagnosis(c.diagnosis) and c.stage != Stage.DIED]
    assert with_rule and all(c.response_assessments.exists() for c in with_rule)
    kinds = set(CourseEvent.objects.values_list("kind", flat=True))
    assert {"relapse", "death", "transplant", "new_therapy", "last_contact"} <= kinds
    # Every death closed its course; every relapse on a course with a rule has its assessment.
    for death in CourseEvent.objects.filter(kind="death"):
        assert death.course.stage == Stage.DIED and death.course.patient.died_on == death.occurred_on
    assert ResponseAssessment.objects.filter(category__in=["relapse", "PMD", "PD"]).exists()
    assert CheckIn.objects.filter(response_assessment__isnull=False, status="completed").exists()
    assert ResponseAssessment.objects.filter(released_at__isnull=False).exists()
