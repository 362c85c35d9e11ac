"""Messages and update-log entries are re-encrypted bound to their row (apps.core.fields), and
the update log keeps references to messages, not copies: the copies older code stored (with
the text as it was when the event happened) become references."""

import json
from functools import partial

from django.db import migrations

from apps.core.resealing import reseal


def _reference(field: str, plaintext: str) -> str:
    payload = json.loads(plaintext)
    message = payload.get("message") if isinstance(payload, dict) else None
    if not isinstance(message, dict):
        return plaintext
    return json.dumps({"chat_id": message["chat_id"], "message_id": str(message["id"])}, separators=(",", ":"))


MESSAGES = {"app_label": "chats", "model_name": "message", "fields": ["text", "attachments", "forwarded_from"]}
UPDATES = {"app_label": "chats", "model_name": "update", "fields": ["payload"]}


def forward(apps, schema_editor):
    reseal(apps, schema_editor, **MESSAGES, sealed_by=["chat_id", "seq"])
    reseal(apps, schema_editor, **UPDATES, sealed_by=["user_id", "pts"], transform=_reference)


def backward(apps, schema_editor):
    """Bound to their columns again (the log keeps its references)."""
    reseal(apps, schema_editor, **MESSAGES, sealed_by=["chat_id", "seq"], back=True)
    reseal(apps, schema_editor, **UPDATES, sealed_by=["user_id", "pts"], back=True)


class Migration(migrations.Migration):
    dependencies = [("chats", "0002_alter_message_options")]
    # Where the messages and the update log are (the document store's database).
    operations = [migrations.RunPython(forward, backward, hints={"model_name": "update"})]
