"""The API's answer to a refusal, in one place for every version.

Services raise ``tracker.core.errors.Refusal`` (a Django ValidationError) and Django's
PermissionDenied; they are answered as DRF answers its own: 400 with the messages keyed by
field, or 403."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from tracker.api.authentication import record_api_failure


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(str(exc) or None)
    elif isinstance(exc, AuthenticationFailed):
        record_api_failure(context.get("request"))
    return drf_exception_handler(exc, context)
