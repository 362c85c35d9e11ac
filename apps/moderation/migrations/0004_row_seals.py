"""Reporters' comments are re-encrypted bound to their row (report and reporter; apps.core.fields)."""

from functools import partial

from django.db import migrations

from apps.core.resealing import reseal


class Migration(migrations.Migration):
    dependencies = [("moderation", "0003_target_ids_as_text")]

    operations = [
        migrations.RunPython(
            partial(
                reseal,
                app_label="moderation",
                model_name="reportentry",
                fields=["comment"],
                sealed_by=["report_id", "reporter_id"],
            ),
            partial(
                reseal,
                app_label="moderation",
                model_name="reportentry",
                fields=["comment"],
                sealed_by=["report_id", "reporter_id"],
                back=True,
            ),
            hints={"model_name": "reportentry"},
        )
    ]
