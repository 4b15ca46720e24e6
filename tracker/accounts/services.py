"""Creating logins for staff and patients, with their role group and scope."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from tracker.core import roles
from tracker.models import Centre, Patient, StaffProfile


@transaction.atomic
def create_staff_user(*, username: str, role: str, centre: Centre, password: str | None = None, **fields):
    if role not in roles.STAFF_ROLES:
        raise ValueError(f"role must be one of {', '.join(roles.STAFF_ROLES)}, got {role!r}")
    job_title = fields.pop("job_title", role.title())
    mobile_phone = fields.pop("mobile_phone", "")
    user = get_user_model().objects.create_user(username=username, password=password, **fields)
    user.groups.add(Group.objects.get(name=role))
    StaffProfile.objects.create(user=user, centre=centre, job_title=job_title, mobile_phone=mobile_phone)
    return user


@transaction.atomic
def create_patient_login(*, patient: Patient, username: str, password: str | None = None):
    """A patient's own login, linked to exactly one patient record (OneToOne on Patient.user)."""
    if patient.user_id:
        raise ValueError(f"{patient} already has a login")
    user = get_user_model().objects.create_user(
        username=username,
        password=password,
        first_name=patient.given_name,
        last_name=patient.family_name,
        email=patient.email,
    )
    user.groups.add(Group.objects.get(name=roles.PATIENT))
    patient.user = user
    patient.save(update_fields=["user"])
    return user
