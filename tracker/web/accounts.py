"""Sign-in, password reset and sign-out everywhere: Django's own views, with the lockout and
throttles of tracker/accounts/security.py around them."""

from django.contrib.auth import views as auth_views
from django.shortcuts import render

from tracker.accounts import security


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, refused with 429 after PASSWORD_RESET_LIMIT requests from one
    address or for one email address within the cool-off (OWASP ASVS 5.0 V6.4)."""

    def post(self, request, *args, **kwargs):
        email = (request.POST.get("email") or "").strip().lower()
        if not security.password_reset_allowed(request=request, email=email):
            return render(
                request,
                "registration/locked_out.html",
                {"cooloff_timedelta": security.cool_off(), "failure_limit": "too many", "reset": True},
                status=429,
            )
        return super().post(request, *args, **kwargs)
