"""The four roles: groups holding exactly the permissions tracker/roles.py lists."""

from django.contrib.auth.models import Group, Permission

from tracker.core import roles


def test_every_listed_permission_exists(db):
    for role, names in roles.ROLE_PERMISSIONS.items():
        for name in names:
            app_label, codename = name.split(".")
            exists = Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists()
            assert exists, (role, name)


def test_groups_hold_exactly_their_listed_permissions(db):
    for role, names in roles.ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == set(names), role


def test_patients_hold_no_model_permission(db):
    assert not Group.objects.get(name=roles.PATIENT).permissions.exists()


def test_only_physicians_may_override_and_accept_out_of_spec_products(coordinator, nurse, physician):
    assert physician.has_perm("tracker.override_release")
    assert not coordinator.has_perm("tracker.override_release")
    assert not nurse.has_perm("tracker.override_release")


def test_only_clinical_staff_confirm_identity_at_the_bedside(coordinator, nurse, physician):
    assert nurse.has_perm("tracker.verify_identity") and physician.has_perm("tracker.verify_identity")
    assert not coordinator.has_perm("tracker.verify_identity")


def test_role_of(coordinator, nurse, patient_user):
    assert (roles.role_of(coordinator), roles.role_of(nurse), roles.role_of(patient_user)) == (
        "coordinator",
        "nurse",
        "patient",
    )
