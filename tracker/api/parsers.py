"""The API's JSON parser: a body must be one JSON object, at most ``API_MAX_BODY_BYTES`` long
and nested at most ``API_MAX_JSON_DEPTH`` deep.

Python's json module recurses once per level, so a body nested 50,000 deep would raise
RecursionError (a 500) or worse; the depth is counted on the raw text first, without
recursion, and refused with a 400. A body over the size limit is refused with a 413 before
it is read whole."""

import json
import re

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def nesting_depth_exceeds(text: str, limit: int) -> bool:
    """Whether any array or object in ``text`` lies more than ``limit`` levels deep (strings,
    which may hold brackets, are removed first)."""
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class ObjectJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(f"The request body is {declared} bytes; the limit is {limit} bytes.")
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(f"The request body is over the limit of {limit} bytes.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise ParseError(f"The request body is not valid {encoding}.") from None
        if "\x00" in text or "\\u0000" in text.lower():
            # PostgreSQL cannot store NUL in text or jsonb: refuse it here, naming the cause.
            raise ParseError("The request body may not contain NUL characters (\\u0000).")
        depth = settings.API_MAX_JSON_DEPTH
        if nesting_depth_exceeds(text, depth):
            raise ParseError(f"The JSON body is nested more than {depth} levels deep.")
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except ValueError as exc:
            raise ParseError(f"The request body is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ParseError(f"The request body must be a JSON object, not {_json_kind(data)}.")
        return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _json_kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"
