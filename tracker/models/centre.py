from django.conf import settings
from django.db import models


class Centre(models.Model):
    """A treating centre. MRNs are unique within a centre, and coordinators see their centre's
    whole programme."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    # Whom a patient calls, shown on their pages (never "see your wallet card").
    phone_day = models.CharField("phone, office hours", max_length=32, blank=True)
    phone_urgent = models.CharField(
        "phone, urgent, day and night", max_length=32, blank=True, help_text="Answered 24 hours a day."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffProfile(models.Model):
    """Where a staff member works and how to reach them. Their role is their Django group."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="staff")
    job_title = models.CharField(max_length=100, blank=True)
    mobile_phone = models.CharField(max_length=32, blank=True, help_text="For SMS alerts.")

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.centre.code})"
