"""The database itself refuses to change audit rows.

PostgreSQL: UPDATE and DELETE raise. SQLite: UPDATE raises (DELETE is refused by the model layer;
the SQLite test runner's flush uses DELETE, PostgreSQL's uses TRUNCATE, which the trigger does not block)."""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION gongzhi_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS governance_auditlog_append_only ON governance_auditlog;
CREATE TRIGGER governance_auditlog_append_only BEFORE UPDATE OR DELETE ON governance_auditlog
    FOR EACH ROW EXECUTE FUNCTION gongzhi_audit_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS governance_auditlog_append_only ON governance_auditlog;
DROP FUNCTION IF EXISTS gongzhi_audit_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER IF NOT EXISTS governance_auditlog_no_update BEFORE UPDATE ON governance_auditlog
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS governance_auditlog_no_update;"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("governance", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
