"""Search indexes, on PostgreSQL only: GIN over the full-text vector, and trigram GIN indexes on
handle and title (pg_trgm). Creating the extension needs a role allowed to (a superuser, or
pg_trgm created beforehand by the DBA)."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS broadcasts_channel_search_gin ON broadcasts_channel USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS broadcasts_channel_handle_trgm ON broadcasts_channel USING gin (handle gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS broadcasts_channel_title_trgm ON broadcasts_channel USING gin (title gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS broadcasts_channel_search_gin",
    "DROP INDEX IF EXISTS broadcasts_channel_handle_trgm",
    "DROP INDEX IF EXISTS broadcasts_channel_title_trgm",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("broadcasts", "0001_initial")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
