"""History tables are append-only on PostgreSQL: a trigger refuses any UPDATE or DELETE on a
simple-history table, the access log and the security events, whoever asks — the
application's own database role included (HIPAA §164.312(c)(1) integrity; 21 CFR Part 11
§11.10(e): audit trails that cannot be altered). Installed by migration 0009 and, for tables
added later, after every ``migrate``. On SQLite (the demo) nothing is installed."""

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION tracker_refuse_history_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER_NAME = "tracker_history_append_only"
# Append-only tables besides simple-history's (app label tracker).
OTHER_APPEND_ONLY_MODELS = ("chartaccess", "securityevent")


def append_only_tables(models) -> list[str]:
    return sorted(
        model._meta.db_table
        for model in models
        if model._meta.app_label == "tracker"
        and (model.__name__.lower().startswith("historical") or model.__name__.lower() in OTHER_APPEND_ONLY_MODELS)
    )


def install_append_only_triggers(connection, tables: list[str]) -> None:
    if connection.vendor != "postgresql" or not tables:
        return
    with connection.cursor() as cursor:
        cursor.execute(APPEND_ONLY_FUNCTION)
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER_NAME} ON {quoted}")
            cursor.execute(
                f"CREATE TRIGGER {TRIGGER_NAME} BEFORE UPDATE OR DELETE ON {quoted} "
                "FOR EACH ROW EXECUTE FUNCTION tracker_refuse_history_change()"
            )


def remove_append_only_triggers(connection, tables: list[str]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER_NAME} ON {connection.ops.quote_name(table)}")
