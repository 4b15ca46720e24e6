"""The API permission matrix: every endpoint × every role × own and other patient, from one
table (``ENDPOINTS``). A route the URLconf serves under /api/v1/ without a row fails
``test_every_route_has_a_row``, so a new endpoint cannot be added without its row.

Roles: the coordinator, a coordinator of another centre, a nurse on the care team and one off
it, the treating physician, an on-call physician in and out of shift, the patient, another
patient, and anonymous. "Own" is the patient whose care team the nurse and physician are on;
"other" is a patient of the same centre with another care team (and another patient login).

Expected status of a cell, from the row and the role alone:
- anonymous: 401;
- a patient's login: the row's patient reads (GET on patients and courses) → 200 for its own
  patient, 404 for the other; everything else 403;
- staff whose role lacks the row's write permission: 403 (whatever the patient);
- staff who cannot see the patient: 404;
- otherwise the row's status (an empty body ``{}`` is a 400 naming the missing fields).
Lists are 200 and checked for leaked rows: the other patient's rows appear only for the roles
that may see that patient."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.api.test_api_schema import served_operations
from tests.builders import T0, CourseWalker, Staff, ice_with, walk_and_infuse
from tests.conftest import make_patient
from tracker.accounts.services import create_patient_login, create_staff_user
from tracker.bedside import services as bedside
from tracker.journey import services as journey
from tracker.models import Alert, CheckIn, OnCallShift

ROLES = [
    "anonymous",
    "coordinator",
    "other_centre_coordinator",
    "nurse_on_team",
    "nurse_off_team",
    "physician",
    "on_call_in_shift",
    "on_call_out_of_shift",
    "patient",
    "other_patient",
]
# Who may see which patient (Patient.objects.visible_to).
SEES = {
    "coordinator": {"own", "other"},
    "other_centre_coordinator": set(),
    "nurse_on_team": {"own"},
    "nurse_off_team": set(),
    "physician": {"own"},
    "on_call_in_shift": {"own", "other"},
    "on_call_out_of_shift": set(),
    "patient": {"own"},
    "other_patient": {"other"},
}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # as in the schema; {public_id} is the target's
    target: str | None  # the kind of object in the path: course, patient, vital, neuro, intervention, check_in, alert
    ok: int = 200  # the status when the role may do it and sees the patient
    perm: str | None = None  # the permission a write needs
    patient_reads: bool = False  # a patient's login may call it (GET, its own records)
    list_of: str | None = None  # a list: the kind of its rows, checked for leaks
    only_roles: frozenset[str] | None = None  # staff roles that may call it at all (else 403)


C = "/api/v1/courses/{public_id}/"
COURSE_RECORDS = [
    ("vital-signs", "tracker.add_vitalsigns"),
    ("neuro-assessments", "tracker.add_neuroassessment"),
    ("interventions", "tracker.add_intervention"),
    ("responses", "tracker.add_responseassessment"),
    ("events", "tracker.add_courseevent"),
    ("lab-results", "tracker.add_labresult"),
    ("infections", "tracker.add_infection"),
    ("late-diagnoses", "tracker.add_latediagnosis"),
    ("care-team", "tracker.add_careteammember"),
    ("eligibility", "tracker.add_eligibilityassessment"),
    ("collections", "tracker.add_leukapheresis"),
    ("manufacturing-runs", "tracker.add_manufacturingrun"),
    ("transitions", "tracker.change_stage"),
]

ENDPOINTS = [
    Endpoint("get", "/api/v1/patients/", None, patient_reads=True, list_of="patient"),
    Endpoint("get", "/api/v1/patients/{public_id}/", "patient", patient_reads=True),
    Endpoint("get", "/api/v1/courses/", None, patient_reads=True, list_of="course"),
    Endpoint("get", C, "course", patient_reads=True),
    *[Endpoint("get", f"{C}{name}/", "course") for name, _ in COURSE_RECORDS],
    *[Endpoint("post", f"{C}{name}/", "course", ok=400, perm=perm) for name, perm in COURSE_RECORDS],
    Endpoint("get", f"{C}episodes/", "course"),
    Endpoint("get", f"{C}threshold-events/", "course"),
    Endpoint("get", f"{C}infusions/", "course"),
    Endpoint("get", f"{C}timeline/", "course"),
    Endpoint("get", "/api/v1/vital-signs/{public_id}/", "vital"),
    Endpoint("post", "/api/v1/vital-signs/{public_id}/amend/", "vital", ok=400, perm="tracker.add_vitalsigns"),
    Endpoint("post", "/api/v1/vital-signs/{public_id}/review/", "vital", ok=200, perm="tracker.review_assessment"),
    Endpoint("get", "/api/v1/neuro-assessments/{public_id}/", "neuro"),
    Endpoint(
        "post", "/api/v1/neuro-assessments/{public_id}/amend/", "neuro", ok=400, perm="tracker.add_neuroassessment"
    ),
    Endpoint(
        "post", "/api/v1/neuro-assessments/{public_id}/review/", "neuro", ok=200, perm="tracker.review_assessment"
    ),
    Endpoint("get", "/api/v1/interventions/{public_id}/", "intervention"),
    Endpoint(
        "post", "/api/v1/interventions/{public_id}/amend/", "intervention", ok=400, perm="tracker.add_intervention"
    ),
    Endpoint("get", "/api/v1/check-ins/", None, list_of="check_in"),
    Endpoint("get", "/api/v1/check-ins/{public_id}/", "check_in"),
    Endpoint("post", "/api/v1/check-ins/{public_id}/complete/", "check_in", ok=400, perm="tracker.complete_checkin"),
    Endpoint("get", "/api/v1/alerts/", None, list_of="alert"),
    Endpoint("get", "/api/v1/alerts/{public_id}/", "alert"),
    Endpoint("post", "/api/v1/alerts/{public_id}/acknowledge/", "alert", ok=200, perm="tracker.acknowledge_alert"),
    Endpoint("post", "/api/v1/alerts/{public_id}/snooze/", "alert", ok=400, perm="tracker.acknowledge_alert"),
    Endpoint("post", "/api/v1/calculators/response/", None, ok=400),
    Endpoint("post", "/api/v1/calculators/crs/", None, ok=400),  # {}: the temperature is required
    Endpoint("post", "/api/v1/calculators/icans/", None, ok=400),  # {}: the age is required
    # Programme outcomes: coordinators and physicians, over the courses each may see.
    Endpoint("get", "/api/v1/outcomes/", None, only_roles=frozenset(ROLES) - {"nurse_on_team", "nurse_off_team"}),
]


def _id(endpoint: Endpoint) -> str:
    return f"{endpoint.method.upper()} {endpoint.path}"


def test_every_route_has_a_row():
    rows = {(e.path, e.method) for e in ENDPOINTS}
    assert served_operations() - rows == set(), "add a row to ENDPOINTS for each new route"
    assert rows - served_operations() == set(), "rows for routes that no longer exist"


def _staff(username, role, centre, first, last):
    return create_staff_user(
        username=username, role=role, centre=centre, password="pw", first_name=first, last_name=last
    )


class World:
    """Two patients of one centre with different care teams, each past infusion with a vital
    signs record, a neuro check, an intervention, check-ins and an alert; and one login per role."""

    def __init__(self, centre, other_centre, coordinator, physician, nurse, second_nurse):
        now = timezone.now()
        doc2 = _staff("doc2", "physician", centre, "Dora", "Other")
        onurse1 = _staff("onurse1", "nurse", centre, "Olga", "One")
        onurse2 = _staff("onurse2", "nurse", centre, "Otto", "Two")
        on_call_in = _staff("oncall_in", "physician", centre, "Ona", "Call")
        on_call_out = _staff("oncall_out", "physician", centre, "Otis", "Gone")
        OnCallShift.objects.create(
            centre=centre, user=on_call_in, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
        )
        OnCallShift.objects.create(
            centre=centre, user=on_call_out, starts_at=now - timedelta(hours=5), ends_at=now - timedelta(hours=1)
        )
        own_patient = make_patient(centre, coordinator)
        other_patient = make_patient(centre, coordinator, mrn="MRN999", given="Bob", family="Other")
        teams = {
            "own": (own_patient, Staff(coordinator, physician, nurse, second_nurse)),
            "other": (other_patient, Staff(coordinator, doc2, onurse1, onurse2)),
        }
        self.targets: dict[str, dict[str, str]] = {"own": {}, "other": {}}
        for which, (patient, staff) in teams.items():
            course = journey.open_course(
                patient=patient,
                by=coordinator,
                diagnosis="lbcl",
                product="axi_cel",
                target_antigens=["CD19"],
                referred_on=date(2025, 12, 1),
                treating_physician=staff.physician,
                coordinator=coordinator,
            )
            for member in (staff.nurse, staff.second_nurse):
                journey.add_care_team_member(course=course, user=member, role="nurse", by=coordinator)
            walk_and_infuse(CourseWalker(course, staff))
            when = T0 + timedelta(hours=20)
            vital = bedside.record_vital_signs(
                course=course,
                by=staff.nurse,
                observed_at=when,
                temperature_value="37.0",
                heart_rate=80,
                systolic_bp=120,
                diastolic_bp=76,
                respiratory_rate=16,
                spo2=98,
                nurse_judged_grade=2,  # flagged for review
            )
            neuro = bedside.record_neuro_assessment(
                course=course, by=staff.nurse, observed_at=when, nurse_judged_grade=1, **ice_with(10)
            )
            intervention = bedside.record_intervention(
                course=course,
                by=staff.physician,
                given_at=when,
                kind="tocilizumab",
                dose_value="560",
                dose_unit="mg",
                indication="crs",
            )
            alert = Alert.objects.create(course=course, kind="check_in_missed", urgency="routine", title="Missed")
            self.targets[which] = {
                "course": str(course.public_id),
                "patient": str(patient.public_id),
                "vital": str(vital.observation.public_id),
                "neuro": str(neuro.observation.public_id),
                "intervention": str(intervention.public_id),
                "check_in": str(CheckIn.objects.filter(course=course).order_by("due_at").first().public_id),
                "alert": str(alert.public_id),
            }
        self.users = {
            "anonymous": None,
            "coordinator": coordinator,
            "other_centre_coordinator": _staff("south_coord", "coordinator", other_centre, "Sue", "South"),
            "nurse_on_team": nurse,
            "nurse_off_team": _staff("nurse_off", "nurse", centre, "Nell", "Elsewhere"),
            "physician": physician,
            "on_call_in_shift": on_call_in,
            "on_call_out_of_shift": on_call_out,
            "patient": create_patient_login(patient=own_patient, username="ada", password="pw"),
            "other_patient": create_patient_login(patient=other_patient, username="bob", password="pw"),
        }


@pytest.fixture
def world(centre, other_centre, coordinator, physician, nurse, second_nurse):
    return World(centre, other_centre, coordinator, physician, nurse, second_nurse)


def expected(endpoint: Endpoint, role: str, user, which: str | None) -> int:
    if role == "anonymous":
        return 401
    if role in ("patient", "other_patient"):
        if not (endpoint.patient_reads and endpoint.method == "get"):
            return 403
        return 200 if which is None or which in SEES[role] else 404
    if endpoint.perm and not user.has_perm(endpoint.perm):
        return 403
    if endpoint.only_roles is not None and role not in endpoint.only_roles:
        return 403
    if which is not None and which not in SEES[role]:
        return 404
    return endpoint.ok


def call(client, endpoint: Endpoint, url: str):
    if endpoint.method == "get":
        return client.get(url, {"scope": "all"} if endpoint.list_of == "alert" else {})
    # Each write is rolled back, so every cell starts from the same world.
    with transaction.atomic():
        response = client.post(url, {}, content_type="application/json")
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_id)
def test_every_cell_of_the_permission_matrix_holds(client, world, endpoint):
    failures = []
    for role in ROLES:
        user = world.users[role]
        client.logout()
        if user is not None:
            client.force_login(user)
        for which in ("own", "other") if endpoint.target else (None,):
            url = endpoint.path
            if which:
                url = url.replace("{public_id}", world.targets[which][endpoint.target])
            response = call(client, endpoint, url)
            want = expected(endpoint, role, user, which)
            if response.status_code != want:
                failures.append(f"{role} × {which}: {response.status_code}, expected {want}")
            elif want == 200 and endpoint.list_of:
                listed = {row["id"] for row in response.json()["results"]}
                for whose in ("own", "other"):
                    present = (
                        world.targets[whose][endpoint.list_of] in listed
                        if endpoint.list_of in ("patient", "course")
                        else None
                    )
                    if present is not None and present != (whose in SEES[role]):
                        failures.append(f"{role}: {whose} patient's row {'leaked' if present else 'missing'}")
                if endpoint.list_of in ("check_in", "alert"):
                    courses = {row["course"] for row in response.json()["results"]}
                    allowed = {world.targets[w]["course"] for w in SEES[role]}
                    if not courses <= allowed:
                        failures.append(f"{role}: rows of a patient it may not see")
    assert not failures, "\n".join(failures)
