"""The default monitoring protocol and the product label conditions (tracker/default_protocol.py)."""

from django.db import migrations


def install(apps, schema_editor):
    from tracker.default_protocol import install

    install(
        apps.get_model("tracker", "MonitoringProtocol"),
        apps.get_model("tracker", "ProtocolRule"),
        apps.get_model("tracker", "ProductLabelCondition"),
    )


class Migration(migrations.Migration):
    dependencies = [("tracker", "0003_scheduling")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
