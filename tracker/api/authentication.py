"""API token authentication: knox's hashed tokens, noting when each was last used."""

from datetime import timedelta

from django.utils import timezone
from knox.auth import TokenAuthentication

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
