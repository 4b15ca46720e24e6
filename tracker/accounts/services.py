"""Creating logins for staff and patients, with their role group and scope; API tokens."""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from tracker.core import roles
from tracker.core.errors import Refusal
from tracker.models import ApiToken, Centre, Patient, StaffProfile

logger = logging.getLogger(__name__)


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


# --- API tokens ---------------------------------------------------------------------------

API_TOKENS_PER_USER = 20


@transaction.atomic
def create_api_token(*, user, name: str):
    """A new API token for ``user``: returns the stored row (a digest, never the token) and the
    token itself, which is shown once and cannot be recovered."""
    name = name.strip()
    if not name:
        raise Refusal("give the token a name that says what it is for.", field="name")
    if len(name) > 80:
        raise Refusal("a token's name is at most 80 characters.", field="name")
    if ApiToken.objects.filter(user=user).count() >= API_TOKENS_PER_USER:
        raise Refusal(f"at most {API_TOKENS_PER_USER} tokens per user; revoke one first.", field="name")
    token, secret = ApiToken.objects.create(user=user, expiry=None, name=name)
    logger.info("api token %s (%s) created for %s", token.token_key, name, user)
    return token, secret


@transaction.atomic
def revoke_api_token(*, user, token_key: str) -> None:
    """Revoke one of ``user``'s own tokens: it stops working at once."""
    deleted, _ = ApiToken.objects.filter(user=user, token_key=token_key).delete()
    if deleted:
        logger.info("api token %s revoked by %s", token_key, user)
