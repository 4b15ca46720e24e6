"""Production-safe defaults and hardened headers: `check --deploy` passes with no warning,
settings without an environment refuse to start, every header is on a patient page, and a
production 500 is logged with its traceback (and without a patient's name)."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_KEY = "k3Jq9-Vw2xZ_pL8mN4tR7yB1cF6hD0sG5aE3uI9oP2qW8eT4rY7uK1lM6nB0vC5xZ"


def run_python(args, env_extra, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("TRACKER_DEMO", "DEBUG", "SECRET_KEY", "DATABASE_URL")}
    env.update({"DJANGO_SETTINGS_MODULE": "tracker.settings", "TRACKER_VAR_DIR": str(tmp_path / "var")})
    env.update(env_extra)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def production_env(tmp_path):
    return {
        "SECRET_KEY": PRODUCTION_KEY,
        "ALLOWED_HOSTS": "tracker.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }


def test_check_deploy_with_production_settings_prints_no_warning(tmp_path):
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path), tmp_path
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output


def test_without_an_environment_the_app_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_python(["-c", "import tracker.wsgi"], {}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    result = run_python(["manage.py", "check", "--deploy"], {}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


SHOW_MODE = (
    "import django; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.SHOW_DEMO_LOGINS)"
)


def test_without_an_environment_debug_is_off_and_the_demo_logins_hidden(tmp_path):
    result = run_python(["-c", SHOW_MODE], {"SECRET_KEY": PRODUCTION_KEY}, tmp_path)
    assert result.stdout.split() == ["False", "False"], result.stderr


def test_the_demo_is_asked_for_explicitly(tmp_path):
    result = run_python(["-c", SHOW_MODE], {"TRACKER_DEMO": "1"}, tmp_path)
    assert result.stdout.split() == ["True", "True"], result.stderr


FORCED_ERROR = textwrap.dedent(
    """
    import sys, types
    import django
    django.setup()
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import path
    import tracker.urls

    def boom(request):
        raise RuntimeError("forced error for the log test")

    module = types.ModuleType("boom_urls")
    module.urlpatterns = [path("boom/", boom), *tracker.urls.urlpatterns]
    sys.modules["boom_urls"] = module
    with override_settings(ROOT_URLCONF="boom_urls"):
        response = Client(raise_request_exception=False).get(
            "/boom/", secure=True, HTTP_HOST="tracker.example.org", HTTP_X_REQUEST_ID="req-0123456789"
        )
    print("status", response.status_code)
    """
)


def test_a_forced_error_in_production_is_logged_with_its_traceback(tmp_path):
    result = run_python(["-c", FORCED_ERROR], production_env(tmp_path), tmp_path)
    assert "status 500" in result.stdout, result.stderr
    assert "level=ERROR logger=django.request request_id=req-0123456789 Internal Server Error: /boom/" in result.stderr
    assert "Traceback (most recent call last)" in result.stderr
    assert "RuntimeError: forced error for the log test" in result.stderr


@pytest.fixture
def patient_page(client, course, nurse):
    client.force_login(nurse)
    return client.get(reverse("course_detail", args=[course.public_id]))


def test_a_patient_page_is_never_cached(patient_page):
    assert patient_page.status_code == 200
    assert "no-store" in patient_page["Cache-Control"]


def test_a_patient_page_has_a_strict_content_security_policy(patient_page):
    policy = patient_page["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_a_patient_page_carries_the_other_hardening_headers(patient_page):
    assert "camera=()" in patient_page["Permissions-Policy"]
    assert patient_page["X-Frame-Options"] == "DENY"
    assert patient_page["X-Content-Type-Options"] == "nosniff"
    assert patient_page["Referrer-Policy"] == "same-origin"
    assert patient_page["X-Request-ID"]


def test_a_patient_page_carries_hsts_over_https_in_production(client, course, nurse, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    client.force_login(nurse)
    response = client.get(reverse("course_detail", args=[course.public_id]), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_an_api_answer_with_patient_data_is_never_cached(client, course, nurse):
    client.force_login(nurse)
    response = client.get("/api/v1/courses/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_pages_carry_no_inline_style_or_unnonced_script():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert 'style="' not in text, template
        assert "<script>" not in text, template
