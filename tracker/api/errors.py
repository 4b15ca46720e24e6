"""The API's one error format, for every version and every kind of failure.

Every refusal is answered ``{"errors": [{"field", "code", "message"}, ...]}``: a service's
``tracker.core.errors.Refusal`` (a Django ValidationError), a serializer's ValidationError
(nested fields are named with dots: ``findings.pet_deauville``), a parse error, a body that is
not a JSON object, a body too deep or too large (``tracker.api.parsers``), authentication,
permission, a missing object and the throttle (whose ``Retry-After`` header is kept).
``field`` is null when the problem is not about one field."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.defaults import page_not_found as site_page_not_found
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from tracker.api.authentication import record_api_failure
from tracker.core.errors import INVALID, problems_of


def error(field: str | None, code: str, message: str) -> dict:
    return {"field": field, "code": code, "message": message}


def _flatten(detail, field: str | None) -> list[dict]:
    """DRF's nested detail (dicts of lists of ErrorDetail) as a flat list, fields dotted."""
    if isinstance(detail, dict):
        found = []
        for name, value in detail.items():
            name = str(name)
            if name in (api_settings.NON_FIELD_ERRORS_KEY, "detail"):
                child = field
            else:
                child = f"{field}.{name}" if field else name
            found.extend(_flatten(value, child))
        return found
    if isinstance(detail, list | tuple):
        return [problem for item in detail for problem in _flatten(item, field)]
    return [error(field, getattr(detail, "code", None) or INVALID, str(detail))]


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        errors = [error(p.field, p.code, p.message) for p in problems_of(exc)]
        return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, exceptions.AuthenticationFailed):
        record_api_failure(context.get("request"))  # counts toward the sign-in lockout
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500, logged with its traceback
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail, None)
    else:
        errors = [error(None, getattr(exc.detail, "code", None) or exc.default_code, str(exc.detail))]
    response.data = {"errors": errors}
    return response


def page_not_found(request, exception=None):
    """Django's 404 for an address no route matches: JSON in the one format under /api/, the
    site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [error(None, "not_found", "No such address in the API.")]}, status=404)
    return site_page_not_found(request, exception)
