"""One error format everywhere: {"errors": [{"field", "code", "message"}]}, for refusals,
serializer errors, parse errors, non-object bodies, and bodies too deep or too large."""

import json

import pytest

from tracker.api.parsers import nesting_depth_exceeds
from tracker.models import Alert


@pytest.fixture
def alert(course, nurse):
    return Alert.objects.create(course=course, kind="missed_check_in", title="Missed", recipient=nurse)


def post(client, url, raw: str):
    return client.generic("POST", url, raw, content_type="application/json")


def assert_errors(response, status, *, code=None, field="any"):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"errors"} and body["errors"]
    for problem in body["errors"]:
        assert set(problem) == {"field", "code", "message"} and problem["message"]
    if code is not None:
        assert code in [p["code"] for p in body["errors"]]
    if field != "any":
        assert field in [p["field"] for p in body["errors"]]


@pytest.mark.parametrize("raw", ["[]", '"note"', "3", "null", "true", "[{}]"], ids=lambda r: r)
def test_a_body_that_is_not_an_object_is_a_400_not_a_crash(client, coordinator, course, raw):
    client.force_login(coordinator)
    assert_errors(post(client, f"/api/v1/courses/{course.public_id}/transitions/", raw), 400, code="parse_error")


def test_acknowledging_an_alert_with_a_list_body_is_a_400(client, physician, course):
    alert = Alert.objects.create(course=course, kind="missed_check_in", title="Missed", body="")
    client.force_login(physician)
    for raw in ["[]", '"x"', "1", "null"]:
        assert_errors(post(client, f"/api/alerts/{alert.public_id}/acknowledge/", raw), 400, code="parse_error")


def test_json_nested_fifty_thousand_deep_is_a_400(client, nurse, course):
    client.force_login(nurse)
    raw = '{"note": ' + "[" * 50_000 + "]" * 50_000 + "}"
    response = post(client, f"/api/v1/courses/{course.public_id}/vital-signs/", raw)
    assert_errors(response, 400, code="parse_error")
    assert "nested more than 32 levels" in response.json()["errors"][0]["message"]


def test_a_body_over_the_size_limit_is_a_413(client, nurse, course, settings):
    settings.API_MAX_BODY_BYTES = 2048
    client.force_login(nurse)
    raw = json.dumps({"note": "x" * 5000})
    assert_errors(post(client, f"/api/v1/courses/{course.public_id}/vital-signs/", raw), 413, code="too_large")


def test_malformed_json_is_a_400(client, nurse, course):
    client.force_login(nurse)
    assert_errors(post(client, f"/api/v1/courses/{course.public_id}/vital-signs/", "{"), 400, code="parse_error")
    assert_errors(post(client, f"/api/v1/courses/{course.public_id}/vital-signs/", '{"a": NaN}'), 400)


def test_a_refusal_names_its_field_and_code(client, nurse, course):
    client.force_login(nurse)
    response = client.post(
        f"/api/v1/courses/{course.public_id}/vital-signs/", {"observed_at": "soon"}, content_type="application/json"
    )
    assert_errors(response, 400, code="required", field="heart_rate")
    assert "observed_at" in [p["field"] for p in response.json()["errors"]]


def test_not_found_forbidden_and_anonymous_use_the_same_format(client, nurse, patient_user, course):
    assert_errors(client.get("/api/v1/courses/"), 401, code="not_authenticated")
    client.force_login(patient_user)
    assert_errors(client.get("/api/v1/check-ins/"), 403, code="permission_denied")
    client.force_login(nurse)
    assert_errors(client.get("/api/v1/courses/00000000-0000-0000-0000-000000000000/"), 404, code="not_found")
    assert_errors(client.delete(f"/api/v1/courses/{course.public_id}/"), 405, code="method_not_allowed")


def test_a_body_that_is_not_json_is_a_415(client, coordinator, course):
    client.force_login(coordinator)
    response = client.post(f"/api/v1/courses/{course.public_id}/transitions/", {"to": "eligibility"})
    assert_errors(response, 415, code="unsupported_media_type")


@pytest.mark.parametrize(
    ("text", "limit", "exceeds"),
    [
        ("{}", 1, False),
        ('{"a": [[1]]}', 2, True),
        ('{"a": [[1]]}', 3, False),
        ('{"a": "[[[[[[[[[["}', 1, False),  # brackets inside strings do not count
        ('{"a": "\\"[[[["}', 1, False),  # nor after an escaped quote
    ],
)
def test_nesting_depth_is_counted_outside_strings(text, limit, exceeds):
    assert nesting_depth_exceeds(text, limit) is exceeds


def test_a_nul_character_in_the_body_is_a_400(client, nurse, course):
    client.force_login(nurse)
    raw = json.dumps({"observed_at": "2026-03-17T08:00:00Z", "attribution_note": "a\u0000b"})
    assert_errors(post(client, f"/api/v1/courses/{course.public_id}/vital-signs/", raw), 400, code="parse_error")
