"""Search indexes, on PostgreSQL only: GIN over the channels' full-text vectors, and a trigram
GIN index over the dictionary of search terms (pg_trgm), for correcting typos. Creating the
extension needs a role allowed to (a superuser, or pg_trgm created beforehand by the DBA)."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS broadcasts_channel_search_gin ON broadcasts_channel USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS broadcasts_searchterm_trgm ON broadcasts_searchterm USING gin (word gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS broadcasts_channel_search_gin",
    "DROP INDEX IF EXISTS broadcasts_searchterm_trgm",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("broadcasts", "0002_search_terms")]

    # Only where the channels' table is (not in a separate document store).
    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD), hints={"model_name": "channel"})]
