"""Guessing stopped: the 21st wrong password locks the account and the address, and the right
password is then refused until the cool-off; the same at the API and for the second checker
at infusion. Every failure and lockout is recorded (tracker/accounts/security.py)."""

import base64
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import resolve, reverse
from rest_framework.authentication import BaseAuthentication, BasicAuthentication
from rest_framework.exceptions import AuthenticationFailed

from tests.web.test_pages import walk_to_lymphodepletion
from tracker.accounts import services as accounts
from tracker.api.authentication import LockoutGate
from tracker.models import Infusion, SecurityEvent

LIMIT = 21
LOGIN = "/accounts/login/"
Kind = SecurityEvent.Kind


def infusion_form(walker, second_checker, password, coi):
    bag = walker.run.bags.get()
    return {
        "infused_at": "2026-01-12T10:30",
        "dose_value": "2",
        "dose_unit": "cells_e6_per_kg",
        "second_checker": second_checker.pk,
        "second_checker_password": password,
        "premedication": "Acetaminophen",
        f"bag_{bag.pk}": coi,
    }


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def basic(username, password):
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_twenty_wrong_passwords_are_refused_but_do_not_lock(client, nurse):
    for _ in range(LIMIT - 1):
        assert sign_in(client, "nurse", "wrong").status_code == 200
    assert sign_in(client, "nurse", "pw").status_code == 302


def test_the_21st_wrong_password_locks_the_account_until_the_cool_off(client, nurse, time_machine):
    time_machine.move_to("2026-03-16T12:00:00Z", tick=False)
    for _ in range(LIMIT - 1):
        sign_in(client, "nurse", "wrong")
    assert sign_in(client, "nurse", "wrong").status_code == 429
    # The right password is refused too, from this address and from another one.
    assert sign_in(client, "nurse", "pw").status_code == 429
    assert sign_in(client, "nurse", "pw", address="10.9.9.9").status_code == 429
    time_machine.move_to("2026-03-16T12:14:00Z", tick=False)
    assert sign_in(client, "nurse", "pw").status_code == 429
    time_machine.move_to("2026-03-16T12:16:00Z", tick=False)
    assert sign_in(client, "nurse", "pw").status_code == 302


def test_the_21st_failure_locks_the_address_for_every_account(client, nurse, second_nurse):
    for _ in range(LIMIT):
        sign_in(client, "nobody-here", "guess")
    assert sign_in(client, "nurse2", "pw").status_code == 429
    assert sign_in(client, "nurse2", "pw", address="10.0.0.2").status_code == 302


def test_each_failure_and_the_lockout_are_recorded(client, nurse):
    for _ in range(LIMIT):
        sign_in(client, "nurse", "wrong")
    failures = SecurityEvent.objects.filter(kind=Kind.SIGN_IN_FAILED, username="nurse")
    assert failures.count() == LIMIT
    assert failures.first().user == nurse
    assert failures.first().ip_address == "10.0.0.1"
    assert SecurityEvent.objects.filter(kind=Kind.LOCKED_OUT, username="nurse").exists()


def test_wrong_api_tokens_lock_the_address_and_basic_authentication_is_refused(client, nurse, time_machine):
    time_machine.move_to("2026-03-16T12:00:00Z", tick=False)
    _token, secret = accounts.create_api_token(user=nurse, name="script")
    assert client.get("/api/v1/courses/", HTTP_AUTHORIZATION=basic("nurse", "pw")).status_code == 401
    for _ in range(LIMIT - 1):
        assert client.get("/api/v1/courses/", HTTP_AUTHORIZATION="Token cart_wrong").status_code == 401
    assert client.get("/api/v1/courses/", HTTP_AUTHORIZATION="Token cart_wrong").status_code in (401, 429)
    # The address is locked: the right token is refused too, until the cool-off ends.
    assert client.get("/api/v1/courses/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 429
    assert SecurityEvent.objects.filter(kind=Kind.API_AUTH_FAILED).count() == LIMIT
    time_machine.move_to("2026-03-16T12:16:00Z", tick=False)
    assert client.get("/api/v1/courses/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200


class FakeTokenAuthentication(BaseAuthentication):
    """Stands for any token scheme: a bad token raises AuthenticationFailed without going
    through Django's authenticate()."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith("Token "):
            return None
        raise AuthenticationFailed("Invalid token.")


def test_wrong_api_tokens_lock_the_address_whatever_the_scheme(client, nurse, monkeypatch):
    view = resolve("/api/v1/courses/").func.cls
    monkeypatch.setattr(view, "authentication_classes", [LockoutGate, FakeTokenAuthentication, BasicAuthentication])
    for _ in range(LIMIT - 1):
        assert client.get("/api/v1/courses/", HTTP_AUTHORIZATION="Token guess").status_code in (401, 403)
    assert client.get("/api/v1/courses/", HTTP_AUTHORIZATION="Token guess").status_code in (401, 403, 429)
    assert SecurityEvent.objects.filter(kind=Kind.API_AUTH_FAILED).count() == LIMIT
    # A right credential from the locked address is refused until the cool-off.
    assert client.get("/api/v1/courses/", HTTP_AUTHORIZATION=basic("nurse", "pw")).status_code == 429


def test_the_second_checkers_password_locks_after_the_21st_failure(client, walker, staff):
    walk_to_lymphodepletion(walker)
    client.force_login(staff.nurse)
    url = reverse("record_infusion", args=[walker.course.public_id])
    for _ in range(LIMIT - 1):
        page = client.post(url, infusion_form(walker, staff.second_nurse, "wrong", walker.run.coi_id))
        assert "does not match the second checker" in page.content.decode()
    page = client.post(url, infusion_form(walker, staff.second_nurse, "wrong", walker.run.coi_id))
    assert "locked" in page.content.decode()
    page = client.post(url, infusion_form(walker, staff.second_nurse, "pw", walker.run.coi_id))
    assert page.status_code == 200
    assert "locked" in page.content.decode()
    assert not Infusion.objects.exists()
    assert SecurityEvent.objects.filter(kind=Kind.SECOND_CHECK_FAILED, user=staff.second_nurse).count() >= LIMIT
    assert SecurityEvent.objects.filter(kind=Kind.LOCKED_OUT, username="nurse2").exists()


def test_the_second_checkers_right_password_still_records_the_infusion(client, walker, staff):
    walk_to_lymphodepletion(walker)
    client.force_login(staff.nurse)
    url = reverse("record_infusion", args=[walker.course.public_id])
    client.post(url, infusion_form(walker, staff.second_nurse, "wrong", walker.run.coi_id))
    response = client.post(url, infusion_form(walker, staff.second_nurse, "pw", walker.run.coi_id))
    assert response.status_code == 302
    assert Infusion.objects.exists()
    assert SecurityEvent.objects.filter(kind=Kind.SECOND_CHECK_FAILED).count() == 1


def test_an_old_pbkdf2_hash_is_upgraded_to_argon2_at_sign_in(client, nurse, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    nurse.password = make_password("old-secret", hasher="pbkdf2_sha256")
    nurse.save(update_fields=["password"])
    assert sign_in(client, "nurse", "old-secret").status_code == 302
    nurse.refresh_from_db()
    assert nurse.password.startswith("argon2$argon2id$")


@pytest.mark.parametrize("address_changes", [False, True], ids=["same-address", "same-email-other-address"])
def test_password_reset_is_throttled(client, nurse, address_changes):
    for n in range(5):
        address = f"10.0.1.{n}" if address_changes else "10.0.1.1"
        response = client.post("/accounts/password_reset/", {"email": nurse.email}, REMOTE_ADDR=address)
        assert response.status_code == 302
    response = client.post("/accounts/password_reset/", {"email": nurse.email}, REMOTE_ADDR="10.0.1.200")
    assert response.status_code == 429
    assert SecurityEvent.objects.filter(kind=Kind.PASSWORD_RESET_THROTTLED).count() == 1


def test_password_reset_throttle_ends_after_the_cool_off(client, nurse, time_machine):
    time_machine.move_to("2026-03-16T12:00:00Z", tick=False)
    for _ in range(5):
        client.post("/accounts/password_reset/", {"email": nurse.email})
    assert client.post("/accounts/password_reset/", {"email": nurse.email}).status_code == 429
    time_machine.move_to("2026-03-16T12:00:00Z", tick=False)
    time_machine.shift(timedelta(minutes=16))
    assert client.post("/accounts/password_reset/", {"email": nurse.email}).status_code == 302
