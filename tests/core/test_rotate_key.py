import base64

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.chats import services as chats
from apps.chats.models import Message
from apps.updates.models import Update
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


def test_a_row_edited_during_the_rotation_keeps_the_edit(settings, capsys, monkeypatch):
    from apps.core.management.commands import rotate_encryption_key as command

    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    alice, bob = UserFactory(), UserFactory()
    chat, _ = chats.chat_direct_open(user=alice, peer_id=bob.id)
    stored, _, _ = chats.message_send(sender=alice, chat_id=chat.id, text="first words")
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    real_swap = command._swap

    def edit_then_swap(connection, alias, table, pk_column, column, model, field, stale):
        # The application writes between the command's read and its write.
        if model is Message and field.name == "text":
            chats.message_edit(user=alice, chat_id=chat.id, message_id=stored["id"], text="edited meanwhile")
        return real_swap(connection, alias, table, pk_column, column, model, field, stale)

    monkeypatch.setattr(command, "_swap", edit_then_swap)
    call_command("rotate_encryption_key")

    assert Message.objects.get(pk=stored["id"]).text == "edited meanwhile"
    assert "changed meanwhile (left as written) 1" in capsys.readouterr().out


def test_cached_reads_survive_dropping_the_old_key(settings, client_for):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    alice, bob = UserFactory(), UserFactory()
    chat, _ = chats.chat_direct_open(user=alice, peer_id=bob.id)
    chats.message_send(sender=alice, chat_id=chat.id, text="cached under the old key")
    reader = client_for(bob)
    assert reader.get(f"/api/v1/chats/{chat.id}/messages/").status_code == 200  # caches filled
    assert reader.get(f"/api/v1/profiles/{alice.id}/").status_code == 200

    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    call_command("rotate_encryption_key")
    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # as docs/operations.md says, once rotated

    history = reader.get(f"/api/v1/chats/{chat.id}/messages/")
    profile = reader.get(f"/api/v1/profiles/{alice.id}/")
    assert history.status_code == 200
    assert [m["text"] for m in history.json()["results"]] == ["cached under the old key"]
    assert profile.status_code == 200
