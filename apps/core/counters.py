"""Race-free per-row counters (a chat's message `seq`, a channel's post `seq`)."""

from __future__ import annotations

from django.db import connections, router


def counter_next(model, *, pk, field: str, also: dict | None = None) -> int | None:
    """Row `pk`'s `field` plus one, taken with one `UPDATE ... RETURNING` in the caller's
    transaction: the row stays locked until commit, so concurrent takers queue and the numbers
    are dense (a rolled-back change gives its number back). `also`: other columns to set in the
    same statement. None if there is no such row."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    column = quote(model._meta.get_field(field).column)
    also = also or {}
    sets = ", ".join(
        [f"{column} = {column} + 1", *(f"{quote(model._meta.get_field(name).column)} = %s" for name in also)]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {quote(model._meta.pk.column)} = %s "  # noqa: S608
            f"RETURNING {column}",
            [*also.values(), pk],
        )
        row = cursor.fetchone()
    return row[0] if row else None
