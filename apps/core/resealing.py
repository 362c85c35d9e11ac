"""For data migrations: bind values sealed with their column only (as they were before rows
were bound, apps.core.fields) to their row, and give rows their random `seal` identity."""

from __future__ import annotations

import uuid
from functools import partial

from . import crypto
from .fields import Sealed, row_context


def fill_seals(apps, schema_editor, *, app_label: str, model_name: str) -> None:
    """A distinct random `seal` for every row that has none yet."""
    model = apps.get_model(app_label, model_name)
    manager = model.objects.using(schema_editor.connection.alias)
    for pk in manager.filter(seal__isnull=True).values_list("pk", flat=True).iterator():
        manager.filter(pk=pk).update(seal=uuid.uuid4())


def open_either(token: str, *, column: str, identity) -> str:
    """A stored value's plaintext, whether it is bound to its row already or to its column only."""
    try:
        return crypto.decrypt(token, context=row_context(column, identity))
    except crypto.DecryptionError:
        return crypto.decrypt(token, context=column)


def reseal(
    apps, schema_editor, *, app_label: str, model_name: str, fields, sealed_by, transform=None, back=False
) -> None:
    """Re-encrypt `fields` of every row bound to the row (`sealed_by` values); `back=True` binds
    them to their column only again (to migrate backwards). `transform`, if given, maps
    (field, plaintext) to the plaintext to store instead."""
    model = apps.get_model(app_label, model_name)
    manager = model.objects.using(schema_editor.connection.alias)
    rows = manager.order_by("pk").values("pk", *sealed_by, *fields)
    for row in rows.iterator(chunk_size=500):
        identity = [row[name] for name in sealed_by]
        changes = {}
        for field in fields:
            token = row[field]
            if not token:
                continue
            column = f"{app_label}.{model_name}.{field}"
            plaintext = open_either(token, column=column, identity=identity)
            if transform is not None:
                plaintext = transform(field, plaintext)
            context = column if back else row_context(column, identity)
            changes[field] = Sealed(crypto.encrypt(plaintext, context=context))
        if changes:
            manager.filter(pk=row["pk"]).update(**changes)


def reseal_operation(*, app_label: str, model_name: str, fields, sealed_by, hints: dict | None = None):
    """A migration step binding `fields` to their row, and back when migrating backwards."""
    from django.db import migrations

    options = {"app_label": app_label, "model_name": model_name, "fields": fields, "sealed_by": sealed_by}
    return migrations.RunPython(
        partial(reseal, **options), partial(reseal, **options, back=True), hints=hints or {}
    )
