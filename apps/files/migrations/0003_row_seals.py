"""File names are re-encrypted bound to their row (its storage name; apps.core.fields)."""

from functools import partial

from django.db import migrations

from apps.core.resealing import reseal


class Migration(migrations.Migration):
    dependencies = [("files", "0002_refs")]

    operations = [
        migrations.RunPython(
            partial(reseal, app_label="files", model_name="file", fields=["original_name"], sealed_by=["storage_name"]),
            partial(
                reseal,
                app_label="files",
                model_name="file",
                fields=["original_name"],
                sealed_by=["storage_name"],
                back=True,
            ),
        )
    ]
