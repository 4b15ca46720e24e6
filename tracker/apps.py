from django.apps import AppConfig
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
