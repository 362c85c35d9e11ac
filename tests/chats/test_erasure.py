"""Deleted means gone: after an edit, a delete for everyone or a moderator's takedown, no answer
of the API and no stored copy (update log, history cache) carries the old text."""

import importlib
import json

import pytest
from django.db import connections, router
from django.db.migrations.loader import MigrationLoader

from apps.chats import services
from apps.chats.history import HISTORY
from apps.core import crypto
from apps.core.fields import Sealed, row_context
from apps.updates.models import Update

pytestmark = pytest.mark.django_db

UPDATES = "/api/v1/updates/"


def _messages(chat_id):
    return f"/api/v1/chats/{chat_id}/messages/"


def _everything_bob_can_read(client, chat_id) -> str:
    """Every API answer that can carry a message, as one text."""
    answers = [
        client.get(UPDATES, {"since": 0}).json(),
        client.get(_messages(chat_id)).json(),
        client.get(_messages(chat_id), {"after_seq": 0}).json(),
        client.get("/api/v1/chats/").json(),
        client.get(f"/api/v1/chats/{chat_id}/").json(),
    ]
    return json.dumps(answers)


def _stored_log_texts(user_id) -> str:
    """The update log's rows of a user as stored, decrypted, as one text (`values_list` gives
    the stored ciphertext, bound to its row: apps.core.fields)."""
    rows = Update.objects.filter(user_id=user_id).values_list("pts", "payload")
    return json.dumps(
        [
            crypto.decrypt(sealed, context=row_context("chats.update.payload", [user_id, pts]))
            for pts, sealed in rows
        ]
    )


def test_delete_for_everyone_leaves_no_text_in_any_answer_or_stored_copy(
    client_for, after_commit, alice, bob, direct
):
    sender, reader = client_for(alice), client_for(bob)
    with after_commit():
        sent = sender.post(_messages(direct.id), {"text": "meet at the old mill"}, format="json").json()
        edited = sender.patch(
            f"{_messages(direct.id)}{sent['id']}/", {"text": "meet at the mill pond"}, format="json"
        )
        assert edited.status_code == 200
        assert reader.get(_messages(direct.id)).status_code == 200  # the history cache is built
        deleted = sender.delete(f"{_messages(direct.id)}{sent['id']}/?for_everyone=true")
        assert deleted.status_code in (200, 204)

    readable = _everything_bob_can_read(reader, direct.id)
    assert "mill" not in readable
    updates = reader.get(UPDATES, {"since": 0}).json()["updates"]
    assert [u["type"] for u in updates if u["type"].startswith("message.")] == [
        "message.new",
        "message.edited",
        "message.deleted",
    ]
    assert all(u["message"]["deleted"] for u in updates if "message" in u)
    assert "mill" not in _stored_log_texts(bob.id) + _stored_log_texts(alice.id)
    assert "mill" not in json.dumps(HISTORY.read(direct.id) or [])


def test_an_edit_replaces_the_old_text_in_the_log(client_for, alice, bob, direct):
    sender, reader = client_for(alice), client_for(bob)
    sent = sender.post(_messages(direct.id), {"text": "the code is 4711"}, format="json").json()
    sender.patch(f"{_messages(direct.id)}{sent['id']}/", {"text": "the code is secret"}, format="json")

    updates = reader.get(UPDATES, {"since": 0}).json()["updates"]

    assert "4711" not in json.dumps(updates)
    assert [u["message"]["text"] for u in updates if "message" in u] == ["the code is secret"] * 2
    assert "4711" not in _stored_log_texts(bob.id)


def test_a_moderators_takedown_erases_the_text_from_every_members_log(
    client_for, alice, bob, carol, group, send
):
    message = send(alice, group, "something reportable")

    assert services.message_takedown(message_id=message["id"])

    for member in (alice, bob, carol):
        readable = _everything_bob_can_read(client_for(member), group.id)
        assert "reportable" not in readable
        assert "reportable" not in _stored_log_texts(member.id)


def test_a_message_deleted_for_me_reads_as_deleted_in_my_log_only(client_for, alice, bob, direct, send):
    message = send(alice, direct, "for bob's eyes once")
    services.message_delete(user=bob, chat_id=direct.id, message_id=message["id"], for_everyone=False)

    bobs = client_for(bob).get(UPDATES, {"since": 0}).json()["updates"]
    alices = client_for(alice).get(UPDATES, {"since": 0}).json()["updates"]

    assert "bob's eyes" not in json.dumps(bobs)
    assert bobs[-1]["type"] == "message.deleted"
    assert [u["message"]["text"] for u in alices if "message" in u] == ["for bob's eyes once"]


def test_the_migration_turns_stored_copies_into_references(alice, bob, direct, send):
    message = send(alice, direct, "written by older code")
    row = Update.objects.filter(user_id=bob.id, kind="message.new").get()
    # As older code stored it: the whole message, sealed with its column only.
    legacy = json.dumps({"message": {**message, "text": "written by older code"}})
    Update.objects.filter(pk=row.pk).update(
        payload=Sealed(crypto.encrypt(legacy, context="chats.update.payload"))
    )
    migration = importlib.import_module("apps.chats.migrations.0003_update_log_references")

    class Editor:
        connection = connections[router.db_for_write(Update)]

    # The models as they were at that migration (the log belonged to the chats app then).
    state = MigrationLoader(Editor.connection).project_state(("chats", "0003_update_log_references"))
    migration.forward(state.apps, Editor())

    row.refresh_from_db()
    assert row.payload == {"chat_id": direct.id, "message_id": message["id"]}
    assert "older code" not in _stored_log_texts(bob.id)
