"""What every page's header needs: the user's role and their unread alerts (one count query)."""

from tracker.core import roles
from tracker.schedule.selectors import unread_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    context = {"tracker_role": roles.role_of(user) or ("admin" if user.is_superuser else None)}
    if roles.is_staff_role(user):
        context["unread_alerts"] = unread_count(user)
    return context
