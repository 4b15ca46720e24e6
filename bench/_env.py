"""Shared set-up for the benchmark scripts: environment, database, Django.

Every script runs against its own database, never the demo's ``var/tracker.sqlite3``:

- without ``DATABASE_URL``, a SQLite file under ``/tmp/cart-tracker-bench/`` (one per cohort size);
- with ``DATABASE_URL``, that database, which is dropped (or deleted) and created again. Its name
  (or path) must contain ``bench`` so that a benchmark can never drop a real database.

``TRACKER_VAR_DIR`` points at a temporary directory and ``CELERY_BROKER_URL`` at ``memory://``,
so nothing is written under ``var/`` and tasks enqueued after a commit go nowhere.
"""

import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

SQLITE_DIR = Path(tempfile.gettempdir()) / "cart-tracker-bench"


def default_url(tag: str) -> str:
    return f"sqlite:///{SQLITE_DIR / f'{tag}.sqlite3'}"


def database_url(tag: str) -> str:
    return os.environ.get("DATABASE_URL") or default_url(tag)


def engine_of(url: str) -> str:
    return "sqlite" if urlsplit(url).scheme == "sqlite" else "postgresql"


def sqlite_path(url: str) -> Path:
    """The file of a sqlite:// URL, read as the settings read it (dj-database-url)."""
    import dj_database_url

    return Path(dj_database_url.parse(url)["NAME"]).absolute()


def _pg_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _pg_admin_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit((parts.scheme.replace("postgresql", "postgres"), parts.netloc, "/postgres", "", ""))
    return psycopg.connect(admin, autocommit=True)


def database_exists(url: str) -> bool:
    if engine_of(url) == "sqlite":
        return sqlite_path(url).exists()
    with _pg_admin_connection(url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [_pg_name(url)]).fetchone() is not None


def recreate_database(url: str) -> None:
    """An empty database at ``url`` (dropped first if it exists)."""
    if engine_of(url) == "sqlite":
        path = sqlite_path(url)
        if "bench" not in str(path):
            raise SystemExit(f"Refusing to delete {path}: a benchmark database's path must contain 'bench'.")
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = _pg_name(url)
    if "bench" not in name:
        raise SystemExit(f"Refusing to drop database {name!r}: a benchmark database's name must contain 'bench'.")
    with _pg_admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


_VAR_DIR = None


def setup_django(url: str) -> None:
    """Configure the environment for ``url`` and start Django (no migration)."""
    global _VAR_DIR
    _VAR_DIR = tempfile.mkdtemp(prefix="cart-tracker-bench-var-")
    os.environ["DATABASE_URL"] = url
    os.environ["TRACKER_VAR_DIR"] = _VAR_DIR
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ.setdefault("TRACKER_LOG_LEVEL", "WARNING")
    os.environ.setdefault("TRACKER_DEMO", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    import django

    django.setup()
    from django.conf import settings

    # Benchmark users log in with force_login; nothing hashes passwords in a hot path.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def cleanup() -> None:
    if _VAR_DIR:
        shutil.rmtree(_VAR_DIR, ignore_errors=True)


# --- Small statistics helpers ----------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 30 runs is the 29th smallest)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)


def table(headers: list[str], rows: list[list], *, align: str | None = None) -> str:
    """A plain Markdown table (so results paste straight into bench/README.md)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    align = align or "l" + "r" * (len(headers) - 1)

    def line(row):
        padded = [c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(row, widths, align, strict=True)]
        return "| " + " | ".join(padded) + " |"

    rules = ["-" * (w + 2) if a == "l" else "-" * (w + 1) + ":" for w, a in zip(widths, align, strict=True)]
    rule = "|" + "|".join(rules) + "|"
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])
