"""Users get a random `seal`, the row identity their e-mail and phone are bound to; stored
values are re-encrypted bound to their row (apps.core.fields)."""

from functools import partial

from django.db import migrations, models

import apps.core.fields
from apps.core.resealing import fill_seals, reseal_operation


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_alter_user_options")]

    operations = [
        migrations.AddField("user", "seal", models.UUIDField(null=True, editable=False)),
        migrations.RunPython(
            partial(fill_seals, app_label="accounts", model_name="user"), migrations.RunPython.noop
        ),
        migrations.AlterField("user", "seal", apps.core.fields.seal_field()),
        reseal_operation(app_label="accounts", model_name="user", fields=["email", "phone"], sealed_by=["seal"]),
    ]
