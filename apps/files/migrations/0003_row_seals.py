"""File names are re-encrypted bound to their row (its storage name; apps.core.fields)."""

from django.db import migrations

from apps.core.resealing import reseal_operation


class Migration(migrations.Migration):
    dependencies = [("files", "0002_refs")]

    operations = [
        reseal_operation(
            app_label="files", model_name="file", fields=["original_name"], sealed_by=["storage_name"]
        )
    ]
