"""Reporters' comments are re-encrypted bound to their row (report and reporter; apps.core.fields)."""

from django.db import migrations

from apps.core.resealing import reseal_operation


class Migration(migrations.Migration):
    dependencies = [("moderation", "0003_target_ids_as_text")]

    operations = [
        reseal_operation(
            app_label="moderation",
            model_name="reportentry",
            fields=["comment"],
            sealed_by=["report_id", "reporter_id"],
            hints={"model_name": "reportentry"},
        )
    ]
