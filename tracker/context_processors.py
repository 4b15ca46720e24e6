from tracker import roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"tracker_role": roles.role_of(user) or ("admin" if user.is_superuser else None)}
