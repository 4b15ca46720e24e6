from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from tracker.core import roles


def staff_only(view):
    """Staff pages: a patient's login never reaches them."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not roles.is_staff_role(request.user):
            raise PermissionDenied("This page is for the care team.")
        return view(request, *args, **kwargs)

    return login_required(wrapped)
