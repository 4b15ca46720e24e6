"""Who may use the API at all. Which patients a user reaches is decided by the querysets
(``visible_to``); this decides which endpoints a role may call."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from tracker.core import roles


class IsCareTeamStaff(BasePermission):
    """The bedside, schedule and alert endpoints are for staff only."""

    message = "This endpoint is for the care team."
    schema_description = (
        "care-team staff (coordinator, nurse, physician, on-call physician), for the patients they may see: "
        "a coordinator their centre's, a nurse or physician their care teams', an on-call physician "
        "the centre's during a shift. Another patient is a 404. A patient's login gets 403."
    )

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and roles.is_staff_role(request.user))


class StaffOrOwnRecordReadOnly(IsCareTeamStaff):
    """Staff use these endpoints in full; a patient's login may read its own patient and
    course records (the querysets already limit it to them), and nothing else."""

    schema_description = (
        IsCareTeamStaff.schema_description.replace(" A patient's login gets 403.", "")
        + " A patient's login may read (GET) its own patient and course records only; anything else is 403."
    )

    def has_permission(self, request, view) -> bool:
        if super().has_permission(request, view):
            return True
        is_patient = request.user.is_authenticated and roles.role_of(request.user) == roles.PATIENT
        return is_patient and request.method in SAFE_METHODS and view.action in ("list", "retrieve")


class IsOutcomesReader(BasePermission):
    """Programme outcomes are for coordinators and physicians (issue 12 item 4)."""

    message = "Programme outcomes are for coordinators and physicians."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return user.is_superuser or roles.role_of(user) in (roles.COORDINATOR, roles.PHYSICIAN)


class ActionPermission(BasePermission):
    """A write needs its role permission (``view.action_permissions[action]``), checked before
    the body is read or the object looked up, so a role that may never do it gets 403 whatever
    it sends. The services check the same permission again inside their transaction."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        needed = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        if needed is None or request.user.has_perm(needed):
            return True
        self.message = f"Your role may not do this (it needs the {needed.split('.')[-1]} permission)."
        return False
