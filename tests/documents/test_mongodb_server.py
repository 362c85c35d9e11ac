"""Against a real MongoDB replica set. `make test-mongo MONGODB_URI=...` runs these with the
document apps' whole suite on MongoDB. No MongoDB server can be installed on the machines
this project's CI runs on: without MONGODB_URI these are reported as skipped (-rs), never
passed. What can be checked without a server is in test_mongodb_config.py; test_store.py (a
rolled-back change, ids at the API's edges) runs with these."""

import os
import re
import threading

import pytest
from django.db import close_old_connections, connections

from apps.chats import services as chats
from apps.chats.models import Message
from apps.core import documents
from apps.updates.models import Update
from tests.stores import raw_column

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("MONGODB_URI"),
        reason="needs a real MongoDB replica set: set MONGODB_URI (make test-mongo)",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_the_document_store_is_a_mongodb_replica_set():
    connection = connections[documents.store_alias()]

    assert connection.vendor == "mongodb"
    assert connection.features._supports_transactions  # what MongoDB transactions need


def test_a_message_gets_an_objectid_and_only_its_ciphertext_is_stored(client_for, direct_pair):
    chat, alice, bob = direct_pair

    url = f"/api/v1/chats/{chat.id}/messages/"
    sent = client_for(alice).post(url, {"text": "meet at noon"}, format="json")

    assert sent.status_code == 201
    message_id = sent.json()["id"]
    assert re.fullmatch(r"[0-9a-f]{24}", message_id)
    (stored,) = raw_column(Message, "text", id=message_id)
    assert "noon" not in stored
    history = client_for(bob).get(url).json()["results"]
    assert [m["id"] for m in history] == [message_id]
    edited = client_for(alice).patch(f"{url}{message_id}/", {"text": "at one"}, format="json")
    assert edited.json()["text"] == "at one"


def test_concurrent_sends_conflict_retry_and_leave_dense_numbers(direct_pair):
    """Without row locks, concurrent writers of one update log abort each other's transactions;
    the retries must still leave every seq and pts used exactly once."""
    chat, alice, bob = direct_pair
    errors = []

    def send(index):
        try:
            chats.message_send(sender=alice if index % 2 else bob, chat_id=chat.id, text=f"m{index}")
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(Message.objects.filter(chat_id=chat.id).values_list("seq", flat=True)) == list(range(1, 9))
    pts = sorted(Update.objects.filter(user_id=bob.id).values_list("pts", flat=True))
    assert pts == list(range(pts[0], pts[0] + len(pts)))
