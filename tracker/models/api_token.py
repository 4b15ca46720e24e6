"""Per-user API tokens for other systems (an EHR, a manufacturer's portal, a registry).

django-rest-knox keeps only a SHA-512 digest of each token and its first characters (to find
it); the token itself is shown once, when it is created. Each token has a name, its time of
last use (written at most once a minute), and is revoked by deleting it."""

from django.db import models
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    name = models.CharField(max_length=80, help_text="What the token is for, e.g. 'EHR interface'.")
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.token_key}…) of {self.user}"
