"""Where a model's rows are (apps.core.documents): tests that read stored values or count
queries ask here, so they hold whichever store the suite runs with (`make test-mongo` runs
them with MongoDB)."""

from django.db import connections, router

from apps.core import documents


def connection_for(model):
    return connections[router.db_for_read(model)]


def raw_column(model, column: str, **where) -> list:
    """The stored (not decrypted) values of `column` in the rows matching `where` (column:
    value; `id` is the row's id as clients see it)."""
    connection = connection_for(model)
    if "id" in where and getattr(model, "document_store", False):
        where["id"] = documents.parse_id(where["id"])
    if connection.vendor == "mongodb":
        query = {("_id" if name == "id" else name): value for name, value in where.items()}
        return [doc.get(column) for doc in connection.get_collection(model._meta.db_table).find(query)]
    quote = connection.ops.quote_name
    condition = " AND ".join(f"{quote(name)} = %s" for name in where)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(model._meta.db_table)} WHERE {condition}",  # noqa: S608
            list(where.values()),
        )
        return [row[0] for row in cursor.fetchall()]
