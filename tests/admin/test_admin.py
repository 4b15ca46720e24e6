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


def test_a_protocol_is_copied_as_a_new_inactive_version_in_the_admin(client, superuser):
    from tracker.models import MonitoringProtocol

    original = MonitoringProtocol.objects.get(version=1)
    client.force_login(superuser)
    client.post(
        reverse("admin:tracker_monitoringprotocol_changelist"),
        {"action": "copy_as_new_version", "_selected_action": [original.pk]},
    )
    copy = MonitoringProtocol.objects.get(name=original.name, version=2)
    assert not copy.is_active and copy.rules.count() == original.rules.count()


def test_editing_a_protocol_in_the_admin_replans_its_courses(
    rf, superuser, monkeypatch, django_capture_on_commit_callbacks
):
    from unittest.mock import Mock

    from django.contrib.messages.storage.fallback import FallbackStorage

    from tracker.models import MonitoringProtocol

    protocol = MonitoringProtocol.objects.get(version=1)
    replanned = []
    monkeypatch.setattr("tracker.tasks.replan_protocol.delay", replanned.append)
    request = rf.post("/")
    request.user, request.session = superuser, {}
    request._messages = FallbackStorage(request)
    with django_capture_on_commit_callbacks(execute=True):
        admin.site._registry[MonitoringProtocol].save_related(request, Mock(instance=protocol), [], change=True)
    assert replanned == [protocol.pk]


def test_correcting_a_patient_in_the_admin_needs_a_reason_kept_in_the_audit_trail(client, superuser, patient):
    client.force_login(superuser)
    url = reverse("admin:tracker_patient_change", args=[patient.pk])
    form = {
        "centre": patient.centre_id,
        "mrn": patient.mrn,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "born_on": "1970-05-17",
        "sex": "female",
        "weight_kg": "66.0",
        "courses-TOTAL_FORMS": "0",
        "courses-INITIAL_FORMS": "0",
    }
    response = client.post(url, form)
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    client.post(url, {**form, "change_reason": "Weighed again on admission"})
    patient.refresh_from_db()
    assert patient.weight_kg == 66
    assert patient.history.order_by("-history_id").first().history_change_reason == "Weighed again on admission"
