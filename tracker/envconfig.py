"""Reading settings from the environment, failing at start-up with a message that names the
variable and what it accepts (the pattern of healthchecks' ``envbool``)."""

import os
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}
DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}
BROKER_SCHEMES = {"filesystem", "redis", "rediss", "amqp", "pyamqp", "memory"}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use one of true/false, 1/0, yes/no, on/off.")


def env_int(name: str, *, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    return value


def env_list(name: str, *, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_time_zone(name: str, *, default: str) -> str:
    value = os.environ.get(name) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not an IANA time zone name (for example Europe/London or America/New_York)."
        ) from None
    return value


def env_database(name: str, *, default: str) -> dict:
    url = os.environ.get(name) or default
    scheme = urlsplit(url).scheme
    if scheme not in DATABASE_SCHEMES:
        raise ImproperlyConfigured(f"{name} must start with sqlite:// or postgres://, got {scheme or url!r}.")
    try:
        config = dj_database_url.parse(
            url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=60, minimum=0), conn_health_checks=True
        )
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} could not be parsed: {error}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        path = config["NAME"]
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        # The demo runs web, worker and beat on one SQLite file: WAL lets readers and the
        # writer work together, and IMMEDIATE transactions take the write lock up front so a
        # read-then-write transaction never fails halfway with "database is locked".
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    return config


def env_broker_url(name: str, *, default: str) -> str:
    url = os.environ.get(name) or default
    scheme = urlsplit(url).scheme.split("+")[0]
    if scheme not in BROKER_SCHEMES:
        raise ImproperlyConfigured(f"{name} must be a redis://, amqp:// or filesystem:// URL, got {url!r}.")
    return url


def require_secret_key() -> None:
    """Stop the web server or a worker at start-up when no SECRET_KEY is set."""
    from django.conf import settings

    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:
        key = ""
    if not key:
        raise ImproperlyConfigured("SECRET_KEY must be set (or TRACKER_DEMO=1 for the local demo).")
