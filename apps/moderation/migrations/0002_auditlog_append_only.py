"""On PostgreSQL the database itself refuses to change or delete audit-log rows."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION moderation_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER moderation_auditlog_append_only
    BEFORE UPDATE OR DELETE ON moderation_auditlog
    FOR EACH ROW EXECUTE FUNCTION moderation_auditlog_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS moderation_auditlog_append_only ON moderation_auditlog;
DROP FUNCTION IF EXISTS moderation_auditlog_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]
    # Only where the audit log's table is (not in a separate document store).
    operations = [migrations.RunPython(forward, backward, hints={"model_name": "auditlog"})]
