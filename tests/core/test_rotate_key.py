import base64

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.chats import services as chats
from apps.chats.models import Message, Update
from tests.factories import UserFactory
from tests.stores import raw_column

pytestmark = pytest.mark.django_db

OLD = "old:" + base64.b64encode(b"o" * 32).decode()
NEW = "new:" + base64.b64encode(b"n" * 32).decode()


def raw(model, column, pk):
    (value,) = raw_column(model, column, id=pk)
    return value


def test_rotation_reencrypts_every_encrypted_column_with_the_newest_key(settings, capsys):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    alice, bob = UserFactory(email="alice@example.org"), UserFactory()
    chat, _ = chats.chat_direct_open(user=alice, peer_id=bob.id)
    stored, _, _ = chats.message_send(sender=alice, chat_id=chat.id, text="before the rotation")
    assert raw(Message, "text", stored["id"]).startswith("old$")

    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    call_command("rotate_encryption_key", "--dry-run")
    assert raw(Message, "text", stored["id"]).startswith("old$")  # nothing changed
    assert "would re-encrypt" in capsys.readouterr().out

    call_command("rotate_encryption_key", "--batch-size", "2")

    assert raw(Message, "text", stored["id"]).startswith("new$")
    assert raw(User, "email", alice.id).startswith("new$")
    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key can go now
    assert Message.objects.get(pk=stored["id"]).text == "before the rotation"
    assert User.objects.get(pk=alice.id).email == "alice@example.org"
    assert Update.objects.filter(user_id=bob.id).last().payload == {
        "chat_id": chat.id,
        "message_id": stored["id"],
    }
    call_command("rotate_encryption_key")  # again: nothing left to do
    assert "re-encrypted 0" in capsys.readouterr().out


def test_values_under_an_unlisted_key_fail_with_advice(settings, capsys):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    UserFactory(email="carol@example.org")
    settings.FIELD_ENCRYPTION_KEYS = [NEW]

    with pytest.raises(SystemExit) as exited:
        call_command("rotate_encryption_key")

    assert exited.value.code == 1
    assert "put the key they were written with back" in capsys.readouterr().err
