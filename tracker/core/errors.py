"""One error type for refusals: a service that will not write says why, field by field.

``Refusal`` is a Django ``ValidationError`` (so forms, the admin and ``full_clean`` treat it as
one) that always knows, for each problem, the field it concerns (or none), a machine-readable
code and the message. Services raise it before anything is saved, or from inside their
transaction, which then rolls back. It is translated once for pages
(``tracker.web.forms.show_refusal``) and once for the API (``tracker.api.errors``).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

# Codes a client can act on without parsing the message.
INVALID = "invalid"  # a value that is not allowed (out of range, wrong type, inconsistent)
REQUIRED = "required"
IN_FUTURE = "in_future"
RULE = "rule"  # a journey or schedule rule refused the write
CONFLICT = "conflict"  # the record changed meanwhile (already corrected, already acknowledged)


@dataclass(frozen=True)
class Problem:
    field: str | None
    code: str
    message: str


class Refusal(ValidationError):
    """A write refused by a rule or a validation; nothing was saved.

    ``Refusal("message")`` is a refusal with no field; ``Refusal("message", field="x")`` names
    the field; ``Refusal({"x": "message", "y": "message"})`` refuses several fields at once;
    ``Refusal(["first", "second"])`` gives several messages with no field.
    """

    def __init__(self, message, *, field: str | None = None, code: str = INVALID):
        if field is not None:
            message = {field: message}
        if isinstance(message, dict):
            message = {
                name: [m if isinstance(m, ValidationError) else ValidationError(m, code=code) for m in _listed(value)]
                for name, value in message.items()
            }
        elif isinstance(message, list | tuple):
            message = [m if isinstance(m, ValidationError) else ValidationError(m, code=code) for m in message]
        super().__init__(message, code=code)

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> "Refusal":
        """The same problems as a Django ValidationError (from ``full_clean``, say)."""
        if isinstance(error, Refusal):
            return error
        if hasattr(error, "error_dict"):
            return cls({field: list(errors) for field, errors in error.error_dict.items()})
        return cls(list(error.error_list))

    def problems(self) -> list[Problem]:
        return problems_of(self)


def _listed(value) -> list:
    if isinstance(value, ValidationError) and hasattr(value, "error_list"):
        return list(value.error_list)
    return list(value) if isinstance(value, list | tuple) else [value]


def problems_of(error: ValidationError) -> list[Problem]:
    """Every (field, code, message) of any ValidationError, in a stable order."""

    def each(field, errors: Iterable[ValidationError]):
        for item in errors:
            for message in item.messages:
                yield Problem(None if field in (None, NON_FIELD_ERRORS) else field, item.code or INVALID, message)

    if hasattr(error, "error_dict"):
        return [problem for field, errors in error.error_dict.items() for problem in each(field, errors)]
    return list(each(None, error.error_list))
