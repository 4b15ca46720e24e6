"""Sessions end: after 15 idle minutes for staff, after the absolute limit whatever the
activity, and everywhere at once on request; TOTP as a second factor, required per role."""

from datetime import timedelta

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.models import SecurityEvent

START = "2026-03-16T12:00:00Z"


def sign_in(client, username="nurse", password="pw"):
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302
    return response


def test_an_idle_staff_session_is_signed_out_after_15_minutes(client, nurse, time_machine):
    time_machine.move_to(START, tick=False)
    sign_in(client)
    time_machine.shift(timedelta(minutes=14))
    assert client.get("/ward/").status_code == 200
    time_machine.shift(timedelta(minutes=15, seconds=1))
    response = client.get("/ward/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/ward/").status_code == 302
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SESSION_EXPIRED, user=nurse).exists()


def test_activity_keeps_a_session_alive_until_the_absolute_timeout(client, nurse, time_machine, settings):
    settings.SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=1)
    time_machine.move_to(START, tick=False)
    sign_in(client)
    for _ in range(5):
        time_machine.shift(timedelta(minutes=10))
        assert client.get("/ward/").status_code == 200
    time_machine.shift(timedelta(minutes=10, seconds=1))
    assert client.get("/ward/").status_code == 302


def test_the_idle_timeout_is_configurable(client, nurse, time_machine, settings):
    settings.SESSION_IDLE_TIMEOUT_STAFF = timedelta(minutes=5)
    time_machine.move_to(START, tick=False)
    sign_in(client)
    time_machine.shift(timedelta(minutes=6))
    assert client.get("/ward/").status_code == 302


def test_an_idle_api_session_is_refused(client, nurse, time_machine):
    time_machine.move_to(START, tick=False)
    sign_in(client)
    assert client.get("/api/v1/courses/").status_code == 200
    time_machine.shift(timedelta(minutes=16))
    assert client.get("/api/v1/courses/").status_code in (401, 403)


def test_sign_out_everywhere_ends_every_session_of_the_user(client, nurse, second_nurse):
    from django.test import Client

    laptop, ward_pc, colleague = client, Client(), Client()
    sign_in(laptop)
    sign_in(ward_pc)
    sign_in(colleague, "nurse2")
    assert laptop.post("/accounts/sign-out-everywhere/").status_code == 302
    assert ward_pc.get("/ward/").status_code == 302
    assert laptop.get("/ward/").status_code == 302
    assert colleague.get("/ward/").status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SIGNED_OUT_EVERYWHERE, user=nurse).exists()


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_staff_member_enrols_totp_and_then_needs_a_code_at_sign_in(client, nurse, time_machine):
    time_machine.move_to(START, tick=False)
    sign_in(client)
    client.get("/two-factor/setup/")
    device = TOTPDevice.objects.get(user=nurse)
    assert not device.confirmed
    client.post("/two-factor/setup/", {"otp_token": _code(device)})
    assert TOTPDevice.objects.get(user=nurse).confirmed
    client.post("/accounts/logout/")

    sign_in(client)
    response = client.get("/ward/")
    assert response.status_code == 302
    assert response["Location"].startswith("/two-factor/verify/")
    time_machine.shift(timedelta(seconds=31))  # a code is accepted once; wait for the next one
    device.refresh_from_db()
    client.post("/two-factor/verify/", {"otp_token": _code(device)})
    assert client.get("/ward/").status_code == 200


def test_a_role_can_be_required_to_use_two_factor(client, nurse, physician, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["physician"]
    sign_in(client)
    assert client.get("/ward/").status_code == 200
    client.post("/accounts/logout/")
    sign_in(client, "doc")
    response = client.get("/ward/")
    assert response.status_code == 302
    assert response["Location"].startswith("/two-factor/setup/")


def test_a_wrong_two_factor_code_is_recorded(client, nurse):
    sign_in(client)
    client.get("/two-factor/setup/")
    device = TOTPDevice.objects.get(user=nurse)
    device.confirmed = True
    device.save()
    client.post("/accounts/logout/")
    sign_in(client)
    wrong = "123456" if _code(device) != "123456" else "654321"
    client.post("/two-factor/verify/", {"otp_token": wrong})
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.OTP_FAILED, user=nurse).exists()
    assert client.get("/ward/").status_code == 302
