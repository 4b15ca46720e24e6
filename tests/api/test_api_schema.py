"""The OpenAPI 3 schema at /api/v1/schema/: it validates, and it documents every route and
method the URLconf serves under /api/v1/ (so a new endpoint cannot be left out of it)."""

import re

import pytest
import yaml
from django.contrib.admindocs.views import extract_views_from_urlpatterns, simplify_regex
from django.urls import get_resolver
from openapi_spec_validator import validate

UNDOCUMENTED = {"/api/v1/", "/api/v1/schema/", "/api/v1/schema/swagger/", "/api/v1/schema/redoc/"}


def served_operations() -> set[tuple[str, str]]:
    """Every (path, method) that the URLconf routes under /api/v1/, read from the resolver."""
    operations = set()
    for view, regex, _namespace, _name in extract_views_from_urlpatterns(get_resolver().url_patterns):
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", simplify_regex(regex))
        if not path.startswith("/api/v1/") or "{format}" in path or path in UNDOCUMENTED:
            continue
        actions = getattr(view, "actions", None)
        if actions:
            methods = set(actions) - {"head", "options"}  # DRF adds head to a GET action's map on first use
        else:
            view_class = view.cls
            methods = {m for m in view_class.http_method_names if hasattr(view_class, m)} - {"options", "head"}
        operations |= {(path, method) for method in methods}
    return operations


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate(schema)


def test_the_schema_documents_every_route_the_urlconf_serves(schema):
    documented = {(path, method) for path, ops in schema["paths"].items() for method in ops if method != "parameters"}
    served = served_operations()
    assert served, "no routes found under /api/v1/"
    assert served - documented == set(), "routes missing from the schema"
    assert documented - served == set(), "schema operations with no route"


def test_every_operation_documents_its_errors_and_a_description(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"401", "403", "429"} <= set(operation["responses"]), (method, path)
            if method == "post":
                assert {"400", "413"} <= set(operation["responses"]), (method, path)
            assert operation.get("description") or operation.get("summary"), (method, path)
    assert schema["components"]["schemas"]["Errors"]["required"] == ["errors"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    assert "basicAuth" not in schema["components"]["securitySchemes"]


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["swagger", "redoc"])
def test_swagger_ui_and_redoc_are_served_from_static_files(client, viewer):
    page = client.get(f"/api/v1/schema/{viewer}/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in page and "cdn" not in page.lower()
