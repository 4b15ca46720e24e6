"""Request middleware of the web edge: session timeouts, two-factor enforcement, and the
no-store header on every response that may carry patient data."""

import re
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from tracker.accounts import security
from tracker.core import roles
from tracker.core.logging import request_id

REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9-]{8,64}")
# Rewrite the last-seen time at most this often, so a page view does not always write the session.
LAST_SEEN_RESOLUTION_S = 30


class SessionTimeoutMiddleware:
    """Signs out a session idle longer than SESSION_IDLE_TIMEOUT_STAFF (patients:
    SESSION_IDLE_TIMEOUT_PATIENT) or older than SESSION_ABSOLUTE_TIMEOUT, whatever the activity."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            why = security.session_expiry(session=request.session, is_staff=roles.is_staff_role(user), now=now)
            if why is not None:
                security.record_security_event(
                    kind=security.Kind.SESSION_EXPIRED, request=request, user=user, detail=f"{why} timeout"
                )
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(
                    request,
                    "You were signed out after a period without activity."
                    if why == "idle"
                    else "Your session reached its maximum length. Please sign in again.",
                )
                return redirect_to_login(request.get_full_path())
            session = request.session
            if security.SIGNED_IN_AT not in session:
                session[security.SIGNED_IN_AT] = now
            last_seen = session.get(security.LAST_SEEN_AT)
            if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION_S:
                session[security.LAST_SEEN_AT] = now
        return self.get_response(request)


TWO_FACTOR_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/two-factor/")


class RequireTwoFactorMiddleware:
    """After the password, a user who enrolled a TOTP device, or whose role is in
    TWO_FACTOR_REQUIRED_ROLES, must give a code (django-otp) before any other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(TWO_FACTOR_EXEMPT_PREFIXES)
            and not user.is_verified()
            and self._needs_code(request, user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Two-factor verification is required for this account."}, status=403)
            target = "two_factor_verify" if request.session.get(security.OTP_REQUIRED) else "two_factor_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _needs_code(request, user) -> bool:
        if request.session.get(security.OTP_REQUIRED):
            return True
        required = settings.TWO_FACTOR_REQUIRED_ROLES
        if not required:
            return False
        role = roles.role_of(user) or ("admin" if user.is_superuser else None)
        return role in required


class RequestIdMiddleware:
    """Gives each request an id, put on every log line of the request and on the response
    (X-Request-ID), so an error a user reports can be found in the logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if REQUEST_ID_PATTERN.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = rid
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


class HardeningHeadersMiddleware:
    """``Cache-Control: no-store`` on every response the app itself makes: pages and endpoints
    carry patient data, and no browser or shared cache may keep a copy (OWASP ASVS 5.0 V14.3;
    static files are served before this, with their own caching). And the Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Cache-Control"] = "no-store, max-age=0"
        response["Pragma"] = "no-cache"
        response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        return response
