"""On PostgreSQL the history tables, the access log and the security events cannot be updated
or deleted by the application's own database role (triggers from migration 0009)."""

import pytest
from django.db import DatabaseError, connection, transaction

from tests.conftest import make_patient
from tracker.core.history_guard import TRIGGER_NAME
from tracker.models import ChartAccess, Patient

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def run(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def patient(centre, coordinator):
    return make_patient(centre, coordinator)


@pytest.mark.parametrize(
    "statement", ["UPDATE {t} SET history_change_reason = 'edited' WHERE id = %s", "DELETE FROM {t} WHERE id = %s"]
)
def test_the_app_role_cannot_change_or_remove_a_history_row(patient, statement):
    table = Patient.history.model._meta.db_table
    with pytest.raises(DatabaseError, match="append-only"):
        run(statement.format(t=table), [patient.pk])
    assert Patient.history.filter(id=patient.pk).count() == 1


def test_the_access_log_cannot_be_changed_either(patient, coordinator):
    access = ChartAccess.objects.create(user=coordinator, patient=patient, what="course_page", path="/x/")
    with pytest.raises(DatabaseError, match="append-only"):
        run(f"DELETE FROM {ChartAccess._meta.db_table} WHERE id = %s", [access.pk])


def test_every_history_table_has_the_trigger():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relname LIKE 'tracker_historical%%' AND c.relkind = 'r' "
            "AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = %s)",
            [TRIGGER_NAME],
        )
        assert cursor.fetchall() == []


def test_new_history_rows_are_still_written(patient, coordinator):
    patient.save()
    assert Patient.history.filter(id=patient.pk).count() == 2
