from django.conf import settings

from tracker import roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        if settings.SHOW_DEMO_LOGINS:
            from tracker.demo_cohort import DEMO_PASSWORD, DEMO_PATIENT_USERNAME, DEMO_STAFF

            logins = [(d.username, d.job_title) for d in DEMO_STAFF] + [
                (DEMO_PATIENT_USERNAME, "Patient (own timeline only)")
            ]
            return {"demo_logins": logins, "demo_password": DEMO_PASSWORD}
        return {}
    context = {"tracker_role": roles.role_of(user) or ("admin" if user.is_superuser else None)}
    if roles.is_staff_role(user):
        from tracker.services.alerts import unread_count

        context["unread_alerts"] = unread_count(user)
    return context
