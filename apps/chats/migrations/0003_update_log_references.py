"""The update log keeps references to messages, not copies: rewrite the copies that older code
stored (with the text as it was when the event happened) into references."""

from django.db import migrations

MESSAGE_EVENTS = ("message.new", "message.edited")


def forward(apps, schema_editor):
    Update = apps.get_model("chats", "Update")
    alias = schema_editor.connection.alias
    rows = Update.objects.using(alias).filter(kind__in=MESSAGE_EVENTS).order_by("pk")
    batch = []
    for row in rows.iterator(chunk_size=1000):
        message = row.payload.get("message") if isinstance(row.payload, dict) else None
        if message is None:
            continue
        row.payload = {"chat_id": message["chat_id"], "message_id": str(message["id"])}
        batch.append(row)
        if len(batch) >= 1000:
            Update.objects.using(alias).bulk_update(batch, ["payload"])
            batch = []
    if batch:
        Update.objects.using(alias).bulk_update(batch, ["payload"])


class Migration(migrations.Migration):
    dependencies = [("chats", "0002_alter_message_options")]
    # Where the update log's table is (the document store's database).
    operations = [migrations.RunPython(forward, migrations.RunPython.noop, hints={"model_name": "update"})]
