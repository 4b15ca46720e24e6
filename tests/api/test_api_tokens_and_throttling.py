"""API tokens (named, hashed at rest, last use noted, revocable), session for the browser, no
basic authentication, and throttles answered 429 with Retry-After."""

import base64

import pytest
from rest_framework.throttling import SimpleRateThrottle

from tracker.accounts import services
from tracker.models import ApiToken


def test_a_user_creates_a_named_token_on_the_page_and_it_is_shown_once(client, nurse):
    client.force_login(nurse)
    page = client.post("/account/api-tokens/", {"name": "EHR interface"})
    assert page.status_code == 200
    token = ApiToken.objects.get(user=nurse)
    secret = page.context["created"]
    assert token.name == "EHR interface" and secret.startswith("cart_")
    assert secret not in (token.digest, token.token_key) and secret.startswith(token.token_key)
    assert secret not in client.get("/account/api-tokens/").content.decode()


def test_a_token_without_a_name_is_refused_on_the_page(client, nurse):
    client.force_login(nurse)
    assert client.post("/account/api-tokens/", {"name": "  "}).status_code == 400
    assert not ApiToken.objects.exists()


def test_a_token_authenticates_and_its_last_use_is_noted(client, nurse, course):
    _token, secret = services.create_api_token(user=nurse, name="script")
    response = client.get("/api/v1/courses/", HTTP_AUTHORIZATION=f"Token {secret}")
    assert response.status_code == 200 and response.json()["count"] == 1
    assert ApiToken.objects.get(user=nurse).last_used_at is not None


def test_a_revoked_token_is_a_401(client, nurse):
    token, secret = services.create_api_token(user=nurse, name="script")
    client.force_login(nurse)
    assert client.post(f"/account/api-tokens/{token.token_key}/revoke/").status_code == 302
    client.logout()
    response = client.get("/api/v1/courses/", HTTP_AUTHORIZATION=f"Token {secret}")
    assert response.status_code == 401 and response.json()["errors"][0]["code"] == "authentication_failed"


def test_a_user_cannot_revoke_another_users_token(client, nurse, physician):
    token, secret = services.create_api_token(user=nurse, name="script")
    client.force_login(physician)
    client.post(f"/account/api-tokens/{token.token_key}/revoke/")
    assert ApiToken.objects.filter(pk=token.pk).exists()


@pytest.mark.parametrize("header", ["Token", "Token nonsense", "Token a b", "Bearer x"])
def test_a_missing_or_bad_token_is_a_401(client, db, header):
    assert client.get("/api/v1/courses/", HTTP_AUTHORIZATION=header).status_code == 401


def test_basic_authentication_is_not_accepted(client, nurse):
    credentials = base64.b64encode(b"nurse:pw").decode()
    response = client.get("/api/v1/courses/", HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_the_session_authenticates_the_browser(client, nurse, course):
    client.force_login(nurse)
    assert client.get("/api/v1/courses/").status_code == 200


def test_over_the_user_throttle_is_a_429_with_retry_after(client, nurse, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "3/min")
    _token, secret = services.create_api_token(user=nurse, name="script")
    statuses = [client.get("/api/v1/courses/", HTTP_AUTHORIZATION=f"Token {secret}").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/courses/", HTTP_AUTHORIZATION=f"Token {secret}")
    assert int(response["Retry-After"]) > 0
    assert response.json()["errors"][0]["code"] == "throttled"


def test_anonymous_callers_are_throttled_by_address(client, db, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "2/min")
    statuses = [client.get("/api/v1/schema/", REMOTE_ADDR="192.0.2.1").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get("/api/v1/schema/", REMOTE_ADDR="192.0.2.2").status_code == 200


def test_the_calculators_have_their_own_throttle(client, physician, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "calculator", "1/min")
    client.force_login(physician)
    body = {"disease": "lymphoma", "findings": {}}
    first = client.post("/api/v1/calculators/response/", body, content_type="application/json")
    second = client.post("/api/v1/calculators/response/", body, content_type="application/json")
    assert first.status_code != 429 and second.status_code == 429
    assert client.get("/api/v1/courses/").status_code == 200
