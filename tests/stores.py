"""Where a model's rows are (apps.core.documents): tests that read stored values or count
queries ask here, so they hold whichever store the suite runs with."""

from django.db import connections, router


def connection_for(model):
    return connections[router.db_for_read(model)]


def raw_column(model, column: str, pk) -> list:
    """The stored (not decrypted) values of `column` in the row with this id."""
    connection = connection_for(model)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return [row[0] for row in cursor.fetchall()]
