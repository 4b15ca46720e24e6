"""Security events: every failed sign-in, lockout, second-checker failure, password-reset
request and sign-out everywhere, kept like the clinical audit (HIPAA §164.312(b), audit
controls; OWASP ASVS 5.0 V16.3). Rows are only ever added."""

from django.conf import settings
from django.db import models


class SecurityEvent(models.Model):
    class Kind(models.TextChoices):
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGNED_IN = "signed_in", "Signed in"
        SIGNED_OUT = "signed_out", "Signed out"
        LOCKED_OUT = "locked_out", "Locked out after repeated failures"
        SECOND_CHECK_FAILED = "second_check_failed", "Second checker's password refused"
        PASSWORD_RESET_REQUESTED = "password_reset_requested", "Password reset requested"
        PASSWORD_RESET_THROTTLED = "password_reset_throttled", "Password reset refused (too many requests)"
        API_AUTH_FAILED = "api_auth_failed", "API authentication failed"
        SIGNED_OUT_EVERYWHERE = "signed_out_everywhere", "Signed out everywhere"
        SESSION_EXPIRED = "session_expired", "Session ended (idle or absolute timeout)"
        OTP_FAILED = "otp_failed", "Two-factor code refused"
        OTP_CONFIRMED = "otp_confirmed", "Two-factor device confirmed"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The username tried, as typed (a failure may name no real account).
    username = models.CharField(max_length=150, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="security_events"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=200, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "ip_address", "at"]), models.Index(fields=["kind", "username", "at"])]

    def __str__(self) -> str:
        who = self.username or "-"
        return f"{self.get_kind_display()}: {who} from {self.ip_address or '-'} at {self.at:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """Each signed-in session of a user, so that "sign out everywhere" can end them all."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} since {self.created_at:%Y-%m-%d %H:%M}"


class ChartAccess(models.Model):
    """Who viewed which patient's chart, when, what and from where (HIPAA §164.312(b)). Written
    by the course page, the audit page, the patient's own timeline and API reads; shown on the
    course's audit page; only ever added, kept like the audit."""

    class What(models.TextChoices):
        COURSE_PAGE = "course_page", "Course page"
        AUDIT_PAGE = "audit_page", "Audit page"
        AUDIT_EXPORT = "audit_export", "Audit export (CSV)"
        OWN_TIMELINE = "own_timeline", "Patient's own timeline"
        API_COURSE = "api_course", "API: course"
        API_PATIENT = "api_patient", "API: patient record"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chart_accesses")
    patient = models.ForeignKey("tracker.Patient", on_delete=models.PROTECT, related_name="chart_accesses")
    course = models.ForeignKey(
        "tracker.TreatmentCourse", on_delete=models.PROTECT, null=True, blank=True, related_name="chart_accesses"
    )
    what = models.CharField(max_length=20, choices=What.choices)
    path = models.CharField(max_length=200)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient", "at"])]
        verbose_name_plural = "chart accesses"

    def __str__(self) -> str:
        return f"{self.user} viewed {self.get_what_display()} at {self.at:%Y-%m-%d %H:%M}"
