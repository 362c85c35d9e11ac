"""Re-encrypt every encrypted column with the newest key of FIELD_ENCRYPTION_KEYS."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connections, router, transaction

from apps.core import crypto
from apps.core.fields import EncryptedTextField, row_context


def encrypted_columns():
    """(model, field) for every encrypted field of every installed model."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field with the newest key (the first of FIELD_ENCRYPTION_KEYS), "
        "in batches, under live traffic: a row is rewritten only if it still holds what was read. "
        "Safe to stop and run again: rows already on the newest key are skipped. "
        "Exit code 1 if a value could not be decrypted with any listed key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be re-encrypted, change nothing"
        )

    def handle(self, *args, batch_size, dry_run, **options):
        newest = crypto.keyring().current_key_id
        self.stdout.write(f"newest key: {newest}")
        totals = {"rotated": 0, "current": 0, "failed": 0, "changed": 0}
        for model, field in encrypted_columns():
            counts = self._rotate(model, field, batch_size=batch_size, dry_run=dry_run)
            for key, value in counts.items():
                totals[key] += value
        verb = "would re-encrypt" if dry_run else "re-encrypted"
        self.stdout.write(
            f"{verb} {totals['rotated']}, already current {totals['current']}, failed {totals['failed']}"
            f", changed meanwhile (left as written) {totals['changed']}"
        )
        if totals["failed"]:
            self.stderr.write(
                "Some values decrypt with no listed key: put the key they were written with back into "
                "FIELD_ENCRYPTION_KEYS (after the newest) and run again."
            )
            raise SystemExit(1)

    def _rotate(self, model, field, *, batch_size: int, dry_run: bool) -> dict:
        alias = router.db_for_write(model)
        connection = connections[alias]
        table = connection.ops.quote_name(model._meta.db_table)
        pk_column = connection.ops.quote_name(model._meta.pk.column)
        column = connection.ops.quote_name(field.column)  # (SQL only)
        # Values are bound to their row (apps.core.fields): its identity is read with them.
        identity_fields = [model._meta.get_field(name) for name in model.sealed_by]
        identity = [f.column for f in identity_fields]
        label = f"{model._meta.label}.{field.name}"
        counts = {"rotated": 0, "current": 0, "failed": 0, "changed": 0}
        last_pk = None
        while True:
            if connection.vendor == "mongodb":
                rows = _mongodb_page(
                    connection, model, field, identity, last_pk=last_pk, batch_size=batch_size
                )
            else:
                where = f"WHERE {column} IS NOT NULL AND {column} <> ''" + (
                    f" AND {pk_column} > %s" if last_pk is not None else ""
                )
                selected = ", ".join([pk_column, column, *map(connection.ops.quote_name, identity)])
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {selected} FROM {table} {where} ORDER BY {pk_column} LIMIT %s",  # noqa: S608
                        [*([last_pk] if last_pk is not None else []), batch_size],
                    )
                    rows = cursor.fetchall()
            if not rows:
                break
            last_pk = rows[-1][0]
            stale = []
            for pk, token, *row in rows:
                if crypto.is_current(token):
                    counts["current"] += 1
                    continue
                # As the ORM gives them (a UUID, not SQLite's hex text).
                context = row_context(
                    field.crypto_context, [f.to_python(v) for f, v in zip(identity_fields, row, strict=True)]
                )
                try:
                    plaintext = crypto.decrypt(token, context=context)
                except crypto.DecryptionError:
                    counts["failed"] += 1
                    continue
                stale.append((pk, token, crypto.encrypt(plaintext, context=context)))
            if stale and not dry_run:
                counts["changed"] += len(stale) - _swap(
                    connection, alias, table, pk_column, column, model, field, stale
                )
            counts["rotated"] += len(stale)
            self.stdout.write(
                f"\r{label}: {counts['rotated']} to the newest key, {counts['current']} current", ending=""
            )
            self.stdout.flush()
        self.stdout.write("")
        return counts


def _mongodb_page(connection, model, field, identity, *, last_pk, batch_size: int) -> list[tuple]:
    """The same page from a MongoDB collection: the stored ciphertexts and their rows' identity,
    as the SQL path reads them."""
    query = {field.column: {"$nin": [None, ""]}}
    if last_pk is not None:
        query["_id"] = {"$gt": last_pk}
    projection = {field.column: 1, **{name: 1 for name in identity}}
    found = connection.get_collection(model._meta.db_table).find(query, projection)
    return [
        (doc["_id"], doc[field.column], *(doc.get(name) for name in identity))
        for doc in found.sort("_id").limit(batch_size)
    ]


def _swap(connection, alias, table, pk_column, column, model, field, stale) -> int:
    """Write each row's new ciphertext only if the row still holds the one that was read: a
    value the application changed meanwhile (already under the newest key) is never overwritten
    with the old plaintext. How many rows were written."""
    if connection.vendor == "mongodb":
        from pymongo import UpdateOne

        result = connection.get_collection(model._meta.db_table).bulk_write(
            [
                UpdateOne({"_id": pk, field.column: old}, {"$set": {field.column: new}})
                for pk, old, new in stale
            ],
            ordered=False,
        )
        return result.modified_count
    written = 0
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        for pk, old, new in stale:
            cursor.execute(
                f"UPDATE {table} SET {column} = %s WHERE {pk_column} = %s AND {column} = %s",  # noqa: S608
                [new, pk, old],
            )
            written += cursor.rowcount
    return written
