"""Comments get a random `seal`, the row identity their text is bound to; posts are bound to
their channel and seq. Stored values are re-encrypted bound to their row (apps.core.fields)."""

from functools import partial

from django.db import migrations, models

import apps.core.fields
from apps.core.resealing import fill_seals, reseal_operation


class Migration(migrations.Migration):
    dependencies = [("broadcasts", "0003_search_indexes")]

    operations = [
        migrations.AddField("comment", "seal", models.UUIDField(null=True, editable=False)),
        migrations.RunPython(
            partial(fill_seals, app_label="broadcasts", model_name="comment"),
            migrations.RunPython.noop,
            hints={"model_name": "comment"},
        ),
        migrations.AlterField("comment", "seal", apps.core.fields.seal_field()),
        reseal_operation(
            app_label="broadcasts",
            model_name="comment",
            fields=["text"],
            sealed_by=["seal"],
            hints={"model_name": "comment"},
        ),
        reseal_operation(
            app_label="broadcasts",
            model_name="post",
            fields=["text", "attachments"],
            sealed_by=["channel_id", "seq"],
            hints={"model_name": "post"},
        ),
    ]
