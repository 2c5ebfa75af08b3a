"""Audit trail: HMAC keys, no bypass, protected stream heads, legacy streams sealed.

- `key_id` on every event: the LIANLUO_AUDIT_KEYS key that signed it ("" for the events
  written before this migration, whose hashes are plain SHA-256).
- PostgreSQL: the append-only trigger loses its bypass (the `lianluo.allow_audit_purge`
  setting any role could set); only a superuser session in replication mode
  (`session_replication_role = replica`, which the application role cannot set) skips it —
  the test harness flushes its databases that way.
- PostgreSQL: stream heads are protected like events: no DELETE or TRUNCATE, and an UPDATE
  must move `seq` forward.
- Every stream whose head predates the keys gets a keyed `audit.seal` event
  (casework.audit.audit_seal_legacy): from now on its unkeyed events cannot be rewritten
  unnoticed. What was changed *before* this migration cannot be detected by it; run
  `verify_audit_chain` before upgrading.
"""

from django.db import migrations, models

EVENTS_NO_BYPASS = """
CREATE OR REPLACE FUNCTION casework_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'casework_auditevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
EVENTS_WITH_BYPASS = """
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
"""
HEADS_UP = """
CREATE OR REPLACE FUNCTION casework_audit_stream_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.key = OLD.key AND NEW.seq > OLD.seq THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'casework_auditstream heads only move forward (seq % to % refused)',
            OLD.seq, NEW.seq USING ERRCODE = 'insufficient_privilege';
    END IF;
    RAISE EXCEPTION 'casework_auditstream heads cannot be removed (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER casework_auditstream_forward_only
    BEFORE UPDATE OR DELETE ON casework_auditstream
    FOR EACH ROW EXECUTE FUNCTION casework_audit_stream_guard();
CREATE TRIGGER casework_auditstream_no_truncate
    BEFORE TRUNCATE ON casework_auditstream
    FOR EACH STATEMENT EXECUTE FUNCTION casework_audit_stream_guard();
"""
HEADS_DOWN = """
DROP TRIGGER IF EXISTS casework_auditstream_no_truncate ON casework_auditstream;
DROP TRIGGER IF EXISTS casework_auditstream_forward_only ON casework_auditstream;
DROP FUNCTION IF EXISTS casework_audit_stream_guard();
"""


def protect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EVENTS_NO_BYPASS, params=None)
        schema_editor.execute(HEADS_UP, params=None)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(HEADS_DOWN, params=None)
        schema_editor.execute(EVENTS_WITH_BYPASS, params=None)


def seal_legacy_streams(apps, schema_editor):
    # The live function: it signs with the configured LIANLUO_AUDIT_KEYS (ImproperlyConfigured
    # stops the migration when there are none) and appends like any other audit event.
    from casework.audit import audit_seal_legacy

    audit_seal_legacy()


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0009_outbox_message"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.RunPython(protect, unprotect),
        migrations.RunPython(seal_legacy_streams, migrations.RunPython.noop),
    ]
