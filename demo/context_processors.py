"""The sign-in page lists the demo logins, only when SHOW_DEMO_LOGINS is on (the demo)."""

from django.conf import settings

from demo.cohort import DEMO_PASSWORD, DEMO_PATIENT_USERNAME, DEMO_STAFF


def demo_logins(request):
    user = getattr(request, "user", None)
    if not settings.SHOW_DEMO_LOGINS or (user is not None and user.is_authenticated):
        return {}
    logins = [(d.username, d.job_title) for d in DEMO_STAFF] + [(DEMO_PATIENT_USERNAME, "Patient (own timeline only)")]
    return {"demo_logins": logins, "demo_password": DEMO_PASSWORD}
