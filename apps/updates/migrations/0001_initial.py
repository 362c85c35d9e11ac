# The update log's models moved here from the chats app. Their tables stay where they are
# (`chats_update`, `chats_updatestate`): only Django's idea of which app owns them changes.

import apps.core.fields
from django.db import migrations, models

from apps.core import documents


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("chats", "0003_update_log_references"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="UpdateState",
                    fields=[
                        ("user_id", models.BigIntegerField(primary_key=True, serialize=False)),
                        ("pts", models.BigIntegerField(default=0)),
                    ],
                    options={"db_table": "chats_updatestate"},
                ),
                migrations.CreateModel(
                    name="Update",
                    fields=[
                        ("id", documents.id_field()),
                        ("user_id", models.BigIntegerField()),
                        ("pts", models.BigIntegerField()),
                        ("kind", models.CharField(max_length=32)),
                        ("payload", apps.core.fields.EncryptedJSONField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "db_table": "chats_update",
                        "indexes": [models.Index(fields=["created_at"], name="chats_updat_created_301415_idx")],
                        "constraints": [
                            models.UniqueConstraint(fields=("user_id", "pts"), name="chats_update_unique_pts")
                        ],
                    },
                    bases=(apps.core.fields.RowSealedModel, models.Model),
                ),
            ],
            database_operations=[],
        ),
    ]
