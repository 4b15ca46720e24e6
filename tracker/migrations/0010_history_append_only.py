"""History tables append-only on PostgreSQL (tracker/core/history_guard.py)."""

from django.db import migrations

from tracker.core.history_guard import append_only_tables, install_append_only_triggers, remove_append_only_triggers


def install(apps, schema_editor):
    tables = append_only_tables(apps.get_app_config("tracker").get_models())
    install_append_only_triggers(schema_editor.connection, tables)


def remove(apps, schema_editor):
    tables = append_only_tables(apps.get_app_config("tracker").get_models())
    remove_append_only_triggers(schema_editor.connection, tables)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0009_security_and_audit")]

    operations = [migrations.RunPython(install, remove)]
