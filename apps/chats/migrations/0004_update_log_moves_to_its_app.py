# The update log's models now belong to the updates app (apps/updates/migrations/0001): the
# chats app lets go of them without touching their tables.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("chats", "0003_update_log_references"),
        ("updates", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Update"),
                migrations.DeleteModel(name="UpdateState"),
            ],
            database_operations=[],
        ),
    ]
