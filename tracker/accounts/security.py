"""Stopping password guessing and keeping a trace of it (HIPAA §164.312(b) and (d); OWASP ASVS
5.0 V6.3: lockout by account and by address with a cool-off).

django-axes counts failures and locks; this module records each failure and lockout as a
``SecurityEvent``, checks the second checker's password at infusion through the same lockout,
and throttles password-reset requests."""

from datetime import timedelta
from importlib import import_module

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.http import HttpRequest
from django.utils import timezone

from tracker.models import ChartAccess, SecurityEvent, UserSession

Kind = SecurityEvent.Kind


def client_ip(request) -> str | None:
    if request is None:
        return None
    return get_client_ip_address(request) or None


def record_security_event(*, kind: str, request=None, username: str = "", user=None, detail: str = "") -> SecurityEvent:
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if user is None and username:
        user = get_user_model().objects.filter(username=username).first()
    return SecurityEvent.objects.create(
        kind=kind,
        username=(username or (user.get_username() if user else ""))[:150],
        user=user,
        ip_address=client_ip(request),
        path=(getattr(request, "path", "") or "")[:200],
        detail=detail[:200],
    )


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    return (
        f"Too many failed attempts: this account or address is locked for {lockout_minutes()} minutes. "
        "Ask a colleague or the service desk if you need access now."
    )


def is_locked(request, username: str | None = None) -> bool:
    # Credentials are always passed, so axes never reads the body (an API request's stream
    # stays unread for DRF's parsers); no username means the address alone decides.
    return AxesProxyHandler.is_locked(request, {"username": username or ""})


def lockout_parameters(request_or_attempt, credentials=None) -> list[str]:
    """What a failure counts against (AXES_LOCKOUT_PARAMETERS): the account and, separately,
    the address; an attempt that names no account (a bad API token) counts against the address
    only, so anonymous failures from many addresses never lock a shared empty name."""
    username = (credentials or {}).get("username")
    if username is None:
        username = getattr(request_or_attempt, "username", None)
    if (
        username is None
        and isinstance(request_or_attempt, HttpRequest)
        and not getattr(request_or_attempt, "tracker_api", False)
    ):
        username = request_or_attempt.POST.get("username")
    return ["username", "ip_address"] if username else ["ip_address"]


def confirm_second_checker(*, request, checker, password: str) -> str | None:
    """Check the second checker's own password through the sign-in lockout. Returns None when
    it is right, or the sentence to show. A failure counts toward locking the second checker's
    account and the address, exactly like a failed sign-in, and is recorded as such."""
    request.tracker_second_check = True
    try:
        user = authenticate(request, username=checker.get_username(), password=password)
    finally:
        request.tracker_second_check = False
    locked = bool(getattr(request, "axes_locked_out", False))
    # The lockout is answered on the form, not by replacing the whole infusion page.
    request.axes_locked_out = False
    if locked:
        return lockout_message()
    if user is None or user.pk != checker.pk:
        return "That password does not match the second checker."
    return None


def password_reset_allowed(*, request, email: str) -> bool:
    """At most PASSWORD_RESET_LIMIT requests per address and per email address within the
    cool-off; each request and each refusal is recorded."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = SecurityEvent.objects.filter(kind=Kind.PASSWORD_RESET_REQUESTED, at__gte=since)
    ip = client_ip(request)
    by_address = recent.filter(ip_address=ip).count() if ip else 0
    by_email = recent.filter(username=email[:150]).count()
    if max(by_address, by_email) >= settings.PASSWORD_RESET_LIMIT:
        record_security_event(kind=Kind.PASSWORD_RESET_THROTTLED, request=request, username=email)
        return False
    record_security_event(kind=Kind.PASSWORD_RESET_REQUESTED, request=request, username=email)
    return True


def cool_off() -> timedelta:
    return settings.AXES_COOLOFF_TIME


# --- access log -------------------------------------------------------------------------------


def record_chart_access(*, request, patient_id: int, what: str, course_id: int | None = None) -> ChartAccess:
    """One row per view of a patient's chart: who, when, what (and which path), from where."""
    return ChartAccess.objects.create(
        user=request.user,
        patient_id=patient_id,
        course_id=course_id,
        what=what,
        path=request.path[:200],
        ip_address=client_ip(request),
        request_id=getattr(request, "request_id", "")[:64],
    )


# --- sessions -----------------------------------------------------------------------------------

SIGNED_IN_AT = "tracker_signed_in_at"
LAST_SEEN_AT = "tracker_last_seen_at"
OTP_REQUIRED = "tracker_otp_required"


def user_has_otp_device(user) -> bool:
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


def sign_out_everywhere(*, request, user) -> int:
    """End every session of ``user`` (this one included) and record it. Returns how many."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    record_security_event(kind=Kind.SIGNED_OUT_EVERYWHERE, request=request, user=user, detail=f"{len(keys)} sessions")
    return len(keys)


def session_expiry(*, session, is_staff: bool, now: float) -> str | None:
    """Why this session has ended ("idle" or "absolute"), or None while it is alive
    (OWASP ASVS 5.0 V7.3: idle and absolute timeouts). Times are POSIX seconds."""
    idle_limit = settings.SESSION_IDLE_TIMEOUT_STAFF if is_staff else settings.SESSION_IDLE_TIMEOUT_PATIENT
    started, last_seen = session.get(SIGNED_IN_AT), session.get(LAST_SEEN_AT)
    if started is not None and now - started > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
        return "absolute"
    if last_seen is not None and now - last_seen > idle_limit.total_seconds():
        return "idle"
    return None


# --- signal receivers (connected in TrackerConfig.ready) ---------------------------------------


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = (credentials or {}).get("username") or ""
    if getattr(request, "tracker_second_check", False):
        kind = Kind.SECOND_CHECK_FAILED
    elif getattr(request, "tracker_api", False):
        kind = Kind.API_AUTH_FAILED
    else:
        kind = Kind.SIGN_IN_FAILED
    if request is not None:
        # The API's exception handler records a failure only when nothing else did.
        request.tracker_failure_recorded = True
    record_security_event(kind=kind, request=request, username=username)


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    detail = "second checker at infusion" if getattr(request, "tracker_second_check", False) else ""
    record_security_event(kind=Kind.LOCKED_OUT, request=request, username=username or "", detail=detail)


def on_logged_in(sender, request, user, **kwargs) -> None:
    record_security_event(kind=Kind.SIGNED_IN, request=request, user=user)
    session = getattr(request, "session", None)
    if session is None:
        return
    now = timezone.now().timestamp()
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN_AT] = now
    # A user who enrolled a TOTP device must give a code after the password (django-otp).
    session[OTP_REQUIRED] = user_has_otp_device(user)
    if session.session_key is None:
        session.save()
    UserSession.objects.get_or_create(
        session_key=session.session_key, defaults={"user": user, "ip_address": client_ip(request)}
    )


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record_security_event(kind=Kind.SIGNED_OUT, request=request, user=user)
