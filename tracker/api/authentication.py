"""API authentication: knox's hashed tokens (noting when each was last used), under the
sign-in lockout (tracker/accounts/security.py).

``LockoutGate`` runs before every other authentication class: a locked account (named in a
Basic header) or a locked address is refused with 429 before any credential is checked, so the
right password or token is refused too until the cool-off. Failures are counted by
``record_api_failure``, called from the API's exception handler for any ``AuthenticationFailed``
(Basic authentication, tokens or any later scheme), once per request."""

import base64
import binascii
from datetime import timedelta

from django.contrib.auth.signals import user_login_failed
from django.utils import timezone
from knox.auth import TokenAuthentication
from rest_framework import status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import APIException

from tracker.accounts import security


class LockedOut(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"


def basic_username(request) -> str | None:
    """The username in an ``Authorization: Basic`` header, or None."""
    auth = get_authorization_header(request).split()
    if len(auth) != 2 or auth[0].lower() != b"basic":
        return None
    try:
        decoded = base64.b64decode(auth[1]).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.partition(":")[0] or None


class LockoutGate(BaseAuthentication):
    def authenticate_header(self, request):
        # DRF answers 401 (not 403) to a request without credentials only when its first
        # authentication class names a scheme: the gate names the token scheme.
        return "Token"

    def authenticate(self, request):
        http_request = request._request
        http_request.tracker_api = True
        request.tracker_api = True
        if security.is_locked(http_request, basic_username(request)):
            raise LockedOut(security.lockout_message())
        return None


def record_api_failure(request) -> None:
    """Count a failed API authentication toward the lockout (once per request), whatever scheme
    refused it. Basic authentication already reported it through ``authenticate()``."""
    if request is None or getattr(request, "tracker_failure_recorded", False):
        return
    http_request = getattr(request, "_request", request)
    if getattr(http_request, "tracker_failure_recorded", False):
        return
    http_request.tracker_api = True
    user_login_failed.send(
        sender=__name__, credentials={"username": basic_username(request) or ""}, request=http_request
    )


# A busy interface would otherwise write the token row on every request.
LAST_USE_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USE_RESOLUTION:
            type(token).objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token
