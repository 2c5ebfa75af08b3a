"""On PostgreSQL the database itself refuses UPDATE, DELETE and TRUNCATE of audit events.

The only way past it is a session that sets `lianluo.allow_audit_purge = on`: the test
settings do, so that test databases can be flushed between tests; production never does.
(SQLite, the embedded development default, has no such trigger; the hash chain still
detects tampering there.)
"""

from django.db import migrations

UP = """
CREATE OR REPLACE FUNCTION casework_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('lianluo.allow_audit_purge', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'casework_auditevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER casework_auditevent_append_only
    BEFORE UPDATE OR DELETE ON casework_auditevent
    FOR EACH ROW EXECUTE FUNCTION casework_audit_append_only();
CREATE TRIGGER casework_auditevent_no_truncate
    BEFORE TRUNCATE ON casework_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION casework_audit_append_only();
"""
DOWN = """
DROP TRIGGER IF EXISTS casework_auditevent_no_truncate ON casework_auditevent;
DROP TRIGGER IF EXISTS casework_auditevent_append_only ON casework_auditevent;
DROP FUNCTION IF EXISTS casework_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UP, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
