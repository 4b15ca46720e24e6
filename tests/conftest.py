"""Fixtures named for their role in the story: a centre, its staff, a patient and a course."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import hypothesis
import pytest
from django.conf import settings

from tests.builders import CourseWalker, Staff
from tracker.accounts.services import create_patient_login, create_staff_user
from tracker.journey import services as journey_services
from tracker.models import Centre

# Property tests: no per-example deadline, because timing on a loaded CI machine is not what they test.
hypothesis.settings.register_profile("tracker", deadline=None)
hypothesis.settings.load_profile("tracker")

CENTRE_TZ = ZoneInfo(settings.TIME_ZONE)
# One aware "now" for tests that need a fixed clock: a weekday in March, outside DST changes.
NOW = datetime(2026, 3, 16, 12, 0, tzinfo=CENTRE_TZ)


@pytest.fixture(autouse=True, scope="session")
def _celery_messages_go_nowhere():
    """Unit tests call tasks and services directly; anything they enqueue after a commit goes
    to Celery's in-memory transport. tests/integration/ runs real workers on Redis."""
    from tracker.celery import app

    app.conf.broker_url = "memory://"
    yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Fast hashing for the users tests create; PBKDF2 still verifies passwords set outside a
    # test (the browser tests' module-wide demo cohort).
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def centre(db):
    return Centre.objects.create(code="north", name="North CAR-T Centre")


@pytest.fixture
def other_centre(db):
    return Centre.objects.create(code="south", name="South Cell Therapy Unit")


def _staff(username, role, centre, first, last, **extra):
    return create_staff_user(
        username=username,
        role=role,
        centre=centre,
        password="pw",
        first_name=first,
        last_name=last,
        email=f"{username}@example.org",
        **extra,
    )


@pytest.fixture
def coordinator(centre):
    return _staff("coord", "coordinator", centre, "Cora", "Ordinator")


@pytest.fixture
def physician(centre):
    return _staff("doc", "physician", centre, "Phyllis", "Ician", mobile_phone="+44 7700 900001")


@pytest.fixture
def nurse(centre):
    return _staff("nurse", "nurse", centre, "Nora", "Bedside")


@pytest.fixture
def second_nurse(centre):
    return _staff("nurse2", "nurse", centre, "Ned", "Checker")


@pytest.fixture
def other_centre_nurse(other_centre):
    return _staff("south_nurse", "nurse", other_centre, "Sam", "South")


@pytest.fixture
def other_centre_coordinator(other_centre):
    return _staff("south_coord", "coordinator", other_centre, "Sue", "South")


@pytest.fixture
def staff(coordinator, physician, nurse, second_nurse):
    return Staff(coordinator=coordinator, physician=physician, nurse=nurse, second_nurse=second_nurse)


def make_patient(centre, by, mrn="MRN001", given="Ada", family="Lovelace", born=date(1970, 5, 17)):
    return journey_services.register_patient(
        by=by,
        centre=centre,
        mrn=mrn,
        given_name=given,
        family_name=family,
        born_on=born,
        sex="female",
        weight_kg="68.0",
    )


def make_course(patient, staff, *, product="axi_cel", diagnosis="lbcl", antigens=("CD19",), referred_on=None):
    course = journey_services.open_course(
        patient=patient,
        by=staff.coordinator,
        diagnosis=diagnosis,
        product=product,
        target_antigens=list(antigens),
        referred_on=referred_on or date(2025, 12, 1),
        treating_physician=staff.physician,
        coordinator=staff.coordinator,
    )
    journey_services.add_care_team_member(course=course, user=staff.nurse, role="nurse", by=staff.coordinator)
    journey_services.add_care_team_member(course=course, user=staff.second_nurse, role="nurse", by=staff.coordinator)
    return course


@pytest.fixture
def patient(centre, coordinator):
    return make_patient(centre, coordinator)


@pytest.fixture
def patient_user(patient):
    return create_patient_login(patient=patient, username="ada", password="pw")


@pytest.fixture
def course(patient, staff):
    return make_course(patient, staff)


@pytest.fixture
def walker(course, staff):
    return CourseWalker(course, staff)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Skip integration/browser tests whose services are missing, or fail in CI. Runs last,
    after ``-m`` has deselected what this run does not include."""
    from tests import services_available

    for item in items:
        for marker, missing in (
            ("integration", services_available.missing_for_integration),
            ("browser", services_available.missing_for_browser),
        ):
            if marker not in item.keywords:
                continue
            reasons = missing()
            if not reasons:
                continue
            if services_available.REQUIRED:
                raise pytest.UsageError(
                    f"TRACKER_REQUIRE_INTEGRATION=1 but {item.nodeid} cannot run: {'; '.join(reasons)}"
                )
            item.add_marker(pytest.mark.skip(reason="; ".join(reasons)))


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """The API throttles count requests in the cache; each test starts from none."""
    from django.core.cache import cache

    cache.clear()
    yield
