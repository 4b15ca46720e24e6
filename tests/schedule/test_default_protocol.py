"""The default protocol as installed by the migrations: migration 0004 installs the first
release, migration 0007 brings it up to date in place (tracker.default_protocol.upgrade), and
a site's own edits survive the upgrade."""

import json

import pytest

from tracker import default_protocol
from tracker.default_protocol import DEFAULT_PROTOCOL, DEFAULT_RULES, FIRST_RELEASE_RULES, upgrade
from tracker.models import MonitoringProtocol, ProtocolRule

FIELDS = [
    "kind",
    "label",
    "cadence",
    "schedule_type",
    "every_hours",
    "first_hour",
    "from_day",
    "to_day",
    "milestones",
    "due_time",
    "window_before_minutes",
    "window_after_minutes",
    "assignee_role",
    "diagnoses",
    "counted_from",
    "registry_track",
    "extends_to_label_monitoring",
]


def as_row(values: dict) -> tuple:
    defaults = {f.name: f.get_default() for f in ProtocolRule._meta.fields}
    merged = defaults | values
    # str: a TextChoices default is its value; JSON as sorted-key text, because PostgreSQL's
    # jsonb keeps keys sorted and SQLite keeps them as written.
    return tuple(
        json.dumps(merged[name], sort_keys=True) if isinstance(merged[name], list | dict) else str(merged[name])
        for name in FIELDS
    )


def installed(protocol) -> list[tuple]:
    return sorted(as_row({name: getattr(rule, name) for name in FIELDS}) for rule in protocol.rules.all())


@pytest.fixture
def protocol(db):
    return MonitoringProtocol.objects.get(name=DEFAULT_PROTOCOL["name"], version=DEFAULT_PROTOCOL["version"])


def test_the_migrated_default_protocol_has_every_default_rule(protocol):
    assert installed(protocol) == sorted(as_row(rule) for rule in DEFAULT_RULES)


def test_upgrade_brings_a_first_release_protocol_up_to_date_and_is_idempotent(protocol):
    protocol.rules.all().delete()
    for rule in FIRST_RELEASE_RULES:
        ProtocolRule.objects.create(protocol=protocol, **rule)
    kept_id = protocol.rules.get(kind="ltfu_contact").id
    upgrade(MonitoringProtocol, ProtocolRule)
    assert installed(protocol) == sorted(as_row(rule) for rule in DEFAULT_RULES)
    # The first release's long-term rule is the 15-year track's now: its check-ins follow it.
    assert protocol.rules.get(id=kept_id).label == default_protocol.LTFU_15_YEAR_TRACK["label"]
    upgrade(MonitoringProtocol, ProtocolRule)
    assert installed(protocol) == sorted(as_row(rule) for rule in DEFAULT_RULES)


def test_upgrade_leaves_a_sites_own_rules_as_they_are(protocol):
    protocol.rules.all().delete()
    for rule in FIRST_RELEASE_RULES:
        ProtocolRule.objects.create(protocol=protocol, **rule)
    # The site rewrote its long-term rule and ended the daily review at day 20.
    protocol.rules.filter(kind="ltfu_contact").update(label="Annual LTFU call (site)")
    protocol.rules.filter(kind="crs_review").update(to_day=20)
    upgrade(MonitoringProtocol, ProtocolRule)
    ltfu = protocol.rules.filter(kind="ltfu_contact")
    assert [(r.label, r.registry_track) for r in ltfu] == [("Annual LTFU call (site)", "")]
    review = protocol.rules.get(kind="crs_review")
    assert (review.to_day, review.extends_to_label_monitoring) == (20, False)
    assert protocol.rules.filter(kind="igg_level", counted_from="manufacturing").count() == 1


def test_a_protocol_installed_today_is_the_same_as_a_migrated_one(protocol):
    protocol.delete()
    default_protocol.install_default_protocol()
    fresh = MonitoringProtocol.objects.get(name=DEFAULT_PROTOCOL["name"], version=DEFAULT_PROTOCOL["version"])
    assert installed(fresh) == sorted(as_row(rule) for rule in DEFAULT_RULES)
