"""Which real services the integration and browser tests can reach.

Locally a missing service skips those tests with the reason; in CI
(TRACKER_REQUIRE_INTEGRATION=1) a missing service is a failure, never a skip.
"""

import os
import shutil
import socket
from functools import cache

from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REQUIRED = os.environ.get("TRACKER_REQUIRE_INTEGRATION") == "1"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


@cache
def missing_for_integration() -> list[str]:
    missing = []
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        missing.append("DATABASE_URL is not PostgreSQL (make test-integration sets it)")
    elif not _reachable(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)):
        missing.append(f"PostgreSQL is not reachable at {db.get('HOST')}:{db.get('PORT')}")
    if not shutil.which("redis-server"):
        missing.append("redis-server is not installed (the tests start and restart their own Redis)")
    return missing


@cache
def missing_for_browser() -> list[str]:
    missing = list(missing_for_integration())
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        missing.append(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    return missing
