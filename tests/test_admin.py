"""The admin: every model's list loads (with search), and nothing clinical can be deleted."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from tracker.models.base import KeptRecord


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw")


def tracker_model_admins():
    registry = admin.site._registry.items()
    return [(model, model_admin) for model, model_admin in registry if model._meta.app_label == "tracker"]


def test_every_tracker_model_is_in_the_admin():
    from django.apps import apps

    registered = {model for model, _ in tracker_model_admins()}
    ours = {m for m in apps.get_app_config("tracker").get_models() if not m.__name__.startswith("Historical")}
    assert ours <= registered


@pytest.mark.parametrize("model", [m for m, _ in tracker_model_admins()], ids=lambda m: m.__name__)
def test_admin_list_loads_and_searches(client, superuser, walker, model):
    client.force_login(superuser)
    url = reverse(f"admin:tracker_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "Lovelace"}).status_code == 200


def test_nothing_clinical_can_be_deleted_in_the_admin(rf, superuser):
    request = rf.get("/")
    request.user = superuser
    for model, model_admin in tracker_model_admins():
        if issubclass(model, KeptRecord):
            assert not model_admin.has_delete_permission(request), model.__name__
