"""Settings from the environment: good values parse, bad ones stop start-up with a message
naming the variable."""

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from tracker import envconfig


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("0", False), ("Yes", True), ("off", False), ("", True)])
def test_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert envconfig.env_bool("FLAG", default=True) is expected


def test_a_bad_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        envconfig.env_bool("DEBUG", default=False)


def test_postgres_url_parses(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5433/tracker")
    config = envconfig.env_database("DATABASE_URL", default="sqlite:///x.db")
    assert (config["ENGINE"], config["HOST"], config["PORT"], config["NAME"]) == (
        "django.db.backends.postgresql",
        "db.example",
        5433,
        "tracker",
    )


def test_sqlite_default_uses_wal_and_immediate_transactions(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = envconfig.env_database("DATABASE_URL", default=f"sqlite:///{tmp_path}/t.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url"])
def test_an_unsupported_database_url_names_the_variable(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must start with sqlite:// or postgres://"):
        envconfig.env_database("DATABASE_URL", default="sqlite:///x.db")


@pytest.mark.parametrize("url", ["redis://h:6379/0", "filesystem://", "amqp://guest@h//"])
def test_broker_urls(monkeypatch, url):
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    assert envconfig.env_broker_url("CELERY_BROKER_URL", default="filesystem://") == url


def test_a_bad_broker_url_names_the_variable(monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "kafka://h")
    with pytest.raises(ImproperlyConfigured, match="CELERY_BROKER_URL must be"):
        envconfig.env_broker_url("CELERY_BROKER_URL", default="filesystem://")


def test_a_bad_time_zone_names_the_variable(monkeypatch):
    monkeypatch.setenv("CENTRE_TIME_ZONE", "Mars/Olympus")
    with pytest.raises(ImproperlyConfigured, match="CENTRE_TIME_ZONE='Mars/Olympus' is not an IANA time zone"):
        envconfig.env_time_zone("CENTRE_TIME_ZONE", default="UTC")


def _start(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"], env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True
    )


def test_production_without_a_secret_key_refuses_to_start():
    # Issue 11: production is the default, and the deploy check (run before serving) refuses.
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        env={"PATH": "/usr/bin:/bin", "DEBUG": "false"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_start_with_a_secret_key():
    result = _start({"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "tracker.example"})
    assert result.returncode == 0, result.stderr
