"""django-filter, strict: a filter given with an empty value is a 400 naming it (django-filter
would ignore it), so every list answers a malformed query the same way."""

from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError


def refuse_empty(query_params, names) -> None:
    empty = [name for name in names if name in query_params and query_params.get(name) == ""]
    if empty:
        raise ValidationError({name: ["give a value, or leave the parameter out."] for name in empty})


class StrictFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            refuse_empty(request.query_params, filterset.filters)
        return filterset


def filter_strictly(filterset):
    """Validate a filterset built by hand (lists under a course): a 400 on a bad value."""
    refuse_empty(filterset.data, filterset.filters)
    if not filterset.is_valid():
        raise utils.translate_validation(filterset.errors)
    return filterset.qs
