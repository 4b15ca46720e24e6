from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


def _sync_after_migrate(sender, using="default", **kwargs) -> None:
    from django.apps import apps
    from django.db import connections

    from tracker.core import roles
    from tracker.core.history_guard import append_only_tables, install_append_only_triggers
    from tracker.journey.services import sync_target_antigens

    sync_target_antigens()
    roles.sync_roles()
    # History tables added by later migrations are append-only too.
    install_append_only_triggers(connections[using], append_only_tables(apps.get_app_config("tracker").get_models()))


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
    from simple_history.signals import pre_create_historical_record

    from tracker.accounts import security
    from tracker.core.audit import attribute_history_row

    pre_create_historical_record.connect(attribute_history_row, dispatch_uid="tracker.audit.attribute")

    user_login_failed.connect(security.on_login_failed, dispatch_uid="tracker.security.failed")
    user_locked_out.connect(security.on_locked_out, dispatch_uid="tracker.security.locked_out")
    user_logged_in.connect(security.on_logged_in, dispatch_uid="tracker.security.logged_in")
    user_logged_out.connect(security.on_logged_out, dispatch_uid="tracker.security.logged_out")
