"""The four roles, as Django groups with their permissions.

The permission lists live here, in code, and ``sync_roles`` makes each group hold exactly
these permissions after every ``migrate``. Which *patients* a user may see is a separate
question, answered by ``Patient.objects.visible_to(user)``.
"""

import logging

from django.contrib.auth.models import Group, Permission

log = logging.getLogger(__name__)

COORDINATOR = "coordinator"
NURSE = "nurse"
PHYSICIAN = "physician"
PATIENT = "patient"
STAFF_ROLES = (COORDINATOR, NURSE, PHYSICIAN)
ROLES = (*STAFF_ROLES, PATIENT)

_VIEW_JOURNEY = [
    "tracker.view_patient",
    "tracker.view_treatmentcourse",
    "tracker.view_eligibilityassessment",
    "tracker.view_leukapheresis",
    "tracker.view_collectionbag",
    "tracker.view_manufacturingrun",
    "tracker.view_productbag",
    "tracker.view_bridgingtherapy",
    "tracker.view_lymphodepletion",
    "tracker.view_infusion",
    "tracker.view_stageevent",
    "tracker.view_careteammember",
    "tracker.view_vitalsigns",
    "tracker.view_neuroassessment",
    "tracker.view_intervention",
    "tracker.view_toxicityepisode",
    "tracker.view_thresholdevent",
    "tracker.view_checkin",
    "tracker.view_alert",
    "tracker.view_monitoringprotocol",
    "tracker.view_protocolrule",
    "tracker.view_responseassessment",
    "tracker.view_courseevent",
    "tracker.view_labresult",
    "tracker.view_infection",
    "tracker.view_latediagnosis",
]

_FOLLOW_THROUGH = [
    "tracker.complete_checkin",
    "tracker.acknowledge_alert",
]

_RECORD_JOURNEY = [
    "tracker.add_patient",
    "tracker.change_patient",
    "tracker.add_treatmentcourse",
    "tracker.change_treatmentcourse",
    "tracker.change_stage",
    "tracker.add_eligibilityassessment",
    "tracker.add_leukapheresis",
    "tracker.add_collectionbag",
    "tracker.add_manufacturingrun",
    "tracker.change_manufacturingrun",
    "tracker.add_productbag",
    "tracker.add_bridgingtherapy",
    "tracker.add_lymphodepletion",
    "tracker.add_careteammember",
]

_BEDSIDE = [
    "tracker.add_infusion",
    "tracker.verify_identity",
    "tracker.add_vitalsigns",
    "tracker.add_neuroassessment",
    "tracker.add_intervention",
    "tracker.add_labresult",
    "tracker.add_infection",
]

# Follow-up after infusion: response, events and late effects (docs/clinical-rules.md §7-§9).
_FOLLOW_UP = [
    "tracker.add_responseassessment",
    "tracker.add_courseevent",
    "tracker.add_labresult",
    "tracker.add_infection",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    COORDINATOR: [*_VIEW_JOURNEY, *_RECORD_JOURNEY, *_FOLLOW_THROUGH, *_FOLLOW_UP, "tracker.view_centre_programme"],
    NURSE: [*_VIEW_JOURNEY, *_BEDSIDE, *_FOLLOW_THROUGH],
    PHYSICIAN: [
        *_VIEW_JOURNEY,
        *_BEDSIDE,
        *_FOLLOW_THROUGH,
        "tracker.change_stage",
        "tracker.add_eligibilityassessment",
        "tracker.add_bridgingtherapy",
        "tracker.add_lymphodepletion",
        "tracker.override_release",
        "tracker.change_manufacturingrun",
        "tracker.review_assessment",
        *_FOLLOW_UP,
        "tracker.add_latediagnosis",
        "tracker.release_response",
    ],
    # A patient sees their own timeline through views scoped to their record; they hold no
    # model permission that could reach anyone else's.
    PATIENT: [],
}


def sync_roles() -> None:
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for name in perm_names:
            app_label, codename = name.split(".")
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is None:
                log.warning("Role %s: permission %s does not exist (yet)", role, name)
                continue
            wanted.append(perm)
        group.permissions.set(wanted)


def role_of(user) -> str | None:
    """The user's role name, or None. Cached on the user object for the request."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_tracker_role"):
        names = set(user.groups.values_list("name", flat=True))
        user._tracker_role = next((role for role in ROLES if role in names), None)
    return user._tracker_role


def is_staff_role(user) -> bool:
    return role_of(user) in STAFF_ROLES or user.is_superuser
