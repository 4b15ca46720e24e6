from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


def _sync_after_migrate(sender, **kwargs) -> None:
    from tracker.core import roles
    from tracker.journey.services import sync_target_antigens

    sync_target_antigens()
    roles.sync_roles()


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "CAR-T journey tracker"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Roles (tracker/core/roles.py) and reference data (tracker/clinical/products.py) are kept in
        # code and synced after every migrate, so a new permission reaches its role without a
        # hand-written migration, and flushed test databases get them back.
        post_migrate.connect(_sync_after_migrate, sender=self)
        _connect_security_signals()
        checks.register(_secret_key_is_set, checks.Tags.security, deploy=True)


def _secret_key_is_set(app_configs, **kwargs):
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        if settings.SECRET_KEY:
            return []
    except ImproperlyConfigured:
        pass
    return [
        checks.Error(
            "SECRET_KEY must be set (or TRACKER_DEMO=1 for the local demo).", id="tracker.E001", obj="settings"
        )
    ]


def _connect_security_signals() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    from tracker.accounts import security

    user_login_failed.connect(security.on_login_failed, dispatch_uid="tracker.security.failed")
    user_locked_out.connect(security.on_locked_out, dispatch_uid="tracker.security.locked_out")
    user_logged_in.connect(security.on_logged_in, dispatch_uid="tracker.security.logged_in")
    user_logged_out.connect(security.on_logged_out, dispatch_uid="tracker.security.logged_out")
