"""A full demo run's logs name no patient: seed the cohort, run the dispatcher's sweeps (which
notify, escalate and send email and SMS to the console and the log), sign in and browse,
search by name; then scan everything printed for every demo patient's name and MRN."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

DEMO_RUN = """
import django, json
django.setup()
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from datetime import timedelta
import time_machine
from tracker.models import Patient, TreatmentCourse
from tracker.schedule.services.dispatch import run_sweep

call_command("migrate", verbosity=0)
call_command("seed_demo")
for hours in (0, 1, 2, 6):
    with time_machine.travel(timezone.now() + timedelta(hours=hours), tick=False):
        run_sweep()
client = Client()
client.post("/accounts/login/", {"username": "nurse", "password": "wrong"})
client.post("/accounts/login/", {"username": "coordinator", "password": "cart-demo"})
patient = Patient.objects.order_by("id").first()
client.post("/dashboard/", {"q": patient.family_name})
client.post("/dashboard/", {"q": patient.mrn})
for course in TreatmentCourse.objects.order_by("id")[:5]:
    client.get(f"/courses/{course.public_id}/")
    client.get(f"/courses/{course.public_id}/audit/")
    client.get(f"/api/v1/courses/{course.public_id}/")
client.get("/no-such-page/")
with open(OUT, "w") as fh:
    json.dump([[p.given_name, p.family_name, p.mrn] for p in Patient.objects.all()], fh)
"""


def test_a_full_demo_run_logs_no_patient_name_or_mrn(tmp_path):
    out = tmp_path / "patients.json"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)},
        "TRACKER_DEMO": "1",
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "TRACKER_VAR_DIR": str(tmp_path / "var"),
        "CELERY_BROKER_URL": "memory://",
        "TRACKER_LOG_LEVEL": "DEBUG",
        "SMS_BACKEND": "tracker.schedule.sms.LoggingSmsBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    script = f"OUT = {str(out)!r}\n" + DEMO_RUN
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    logs = result.stdout + result.stderr
    assert "level=INFO" in logs  # the run did log
    import json

    leaks = []
    for given, family, mrn in json.loads(out.read_text()):
        for word in (given, family, mrn):
            if len(word) >= 3 and re.search(rf"\b{re.escape(word)}\b", logs, flags=re.IGNORECASE):
                leaks.append(word)
    assert leaks == []
