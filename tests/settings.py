"""The test suite runs the app's own settings in demo mode (the demo key, the demo logins), as
`make run` does; production-mode settings are tested in subprocesses (tests/test_security_settings.py).
Child processes (the integration tests' Celery workers) inherit the same environment."""

import os

os.environ.setdefault("TRACKER_DEMO", "1")

from tracker.settings import *  # noqa: E402,F403
