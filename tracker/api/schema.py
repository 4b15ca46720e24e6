"""OpenAPI additions for drf-spectacular: the one error body on every operation, and the
authentication schemes.

Every operation may answer 401 (no or a bad token), 403 (a role that may not use it), 429
(over the throttle, with ``Retry-After``); those with a path id 404 (not found or not yours:
the same answer); those that take a body 400 (a refusal naming the field) and 413 (too large)."""

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_mock_request as spectacular_build_mock_request

from tracker.core import roles

ERROR_SCHEMA = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "code", "message"],
                "properties": {
                    "field": {
                        "type": "string",
                        "nullable": True,
                        "description": "The field the problem concerns (nested fields dotted), or null.",
                    },
                    "code": {
                        "type": "string",
                        "description": "Machine-readable: invalid, required, in_future, rule, conflict, "
                        "parse_error, too_large, not_authenticated, authentication_failed, "
                        "permission_denied, not_found, method_not_allowed, throttled, ...",
                    },
                    "message": {"type": "string"},
                },
            },
        }
    },
}

ERRORS = {
    "400": "Refused: each problem names its field and the allowed values.",
    "401": "No credentials, or a token that is unknown or revoked.",
    "403": "This role may not use this operation.",
    "404": "Not found, or a patient this user may not see (the same answer).",
    "413": "The request body is larger than the limit.",
    "415": "The body is not application/json.",
    "429": "Over the throttle; Retry-After says in how many seconds to try again.",
}


def only_v1(endpoints):
    """The schema describes /api/v1/; the legacy /api/ paths answer the same and are left out."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Errors"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            wanted = ["401", "403", "429"]
            if "{" in path or operation.get("parameters"):
                wanted.append("404")  # not found or not yours; on a list, a page past the end
            if method in ("post", "put", "patch"):
                wanted += ["400", "413", "415"]
            elif operation.get("parameters"):
                wanted.append("400")  # a bad filter or page size
            responses = operation.setdefault("responses", {})
            for code in wanted:
                response = responses.setdefault(code, {"description": ERRORS[code]})
                response.setdefault("content", reference)
                if code == "429":
                    response["headers"] = {
                        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}
                    }
    return result


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "tracker.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>`: a token created on the API tokens page (/account/api-tokens/).",
        }


class TrackerAutoSchema(AutoSchema):
    """Each operation's description ends with who may call it (its permission classes'
    ``schema_description``) and that patients are limited to the ones the caller may see."""

    def get_description(self):
        text = super().get_description() or self.view.__class__.__doc__ or ""
        who = [getattr(p, "schema_description", "") for p in self.view.permission_classes]
        who = " ".join(w for w in who if w) or "Anyone, without signing in."
        needed = getattr(self.view, "action_permissions", {}).get(getattr(self.view, "action", None))
        if needed and self.method not in ("GET", "HEAD", "OPTIONS"):
            holders = ", ".join(role for role, perms in roles.ROLE_PERMISSIONS.items() if needed in perms)
            who += f" Needs the `{needed}` permission (held by: {holders}); without it, 403."
        return f"{text.strip()}\n\n**Who may call:** {who}".strip()


def build_mock_request(method, path, view, original_request, **kwargs):
    """drf-spectacular's mock request; without a real request (``manage.py spectacular``, the
    system checks) the user is anonymous, so no authentication class runs during generation."""
    request = spectacular_build_mock_request(method, path, view, original_request, **kwargs)
    if original_request is None:
        request.user = AnonymousUser()
        request.auth = None
    return request
