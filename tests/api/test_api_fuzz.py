"""Schemathesis against the live schema (in process, through the WSGI app), with real tokens
for two roles, over every operation, for a bounded number of examples: no server error, every
response conforms to the schema (status, headers, body), invalid input answered with 4xx.

Marked ``schema_fuzz``; it runs in the unit suite and so in CI. A longer run:
``SCHEMA_FUZZ_EXAMPLES=50 pytest -m schema_fuzz``."""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.builders import CourseWalker, walk_and_infuse
from tracker.accounts.services import create_api_token

EXAMPLES = int(os.environ.get("SCHEMA_FUZZ_EXAMPLES", "4"))
# The reduced run in the suite: schema examples and fuzzing. SCHEMA_FUZZ_FULL=1 adds the
# coverage phase (every boundary and invalid value of every parameter), which takes minutes.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": bool(os.environ.get("SCHEMA_FUZZ_FULL"))}}})

pytestmark = pytest.mark.schema_fuzz


@pytest.fixture
def same_connection():
    """Django closes the database connection when a request ends; through the WSGI app that
    would close the test's transaction (on PostgreSQL). Django's own test client disconnects
    the same handlers."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def caller(course, staff, same_connection):
    """Tokens of a nurse and a coordinator of a course past infusion."""
    walk_and_infuse(CourseWalker(course, staff))
    tokens = [create_api_token(user=user, name="fuzz")[1] for user in (staff.nurse, staff.coordinator)]
    return {"tokens": tokens, "course": str(course.public_id), "patient": str(course.patient.public_id)}


# The schema as the running app serves it (an anonymous GET, which needs no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application(), config=CONFIG)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_generated_request_as_its_schema_says(db, case, caller):
    # Half the calls aim at real records, so the fuzzing reaches past the 404 of a random id.
    if case.path_parameters and "public_id" in case.path_parameters and hash(str(case.body)) % 2:
        if case.path.startswith("/api/v1/courses/"):
            case.path_parameters["public_id"] = caller["course"]
        elif case.path.startswith("/api/v1/patients/"):
            case.path_parameters["public_id"] = caller["patient"]
    for token in caller["tokens"]:
        # A request the schema allows may still break a clinical rule (a date before day 0): a
        # 400 naming the field is the right answer, so "schema-valid request rejected" is not checked.
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, excluded_checks=[positive_data_acceptance])
