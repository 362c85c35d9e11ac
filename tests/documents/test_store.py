"""The document store's seams (apps.core.documents), on the stores that run here: opaque
ids at the API's edges, one change over both stores, and the MongoDB-only code paths that
plain SQL can run too (the retry loop, the counters without row locks)."""

import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError
from pymongo.errors import OperationFailure

from apps.broadcasts import services as broadcasts
from apps.chats import services as chats
from apps.chats.models import Chat, Message
from apps.core import documents
from apps.updates import services as counters
from apps.updates.models import UpdateState
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def direct(direct_pair):
    return direct_pair


# --- Ids as clients see them ------------------------------------------------------------------


def test_messages_posts_and_comments_have_string_ids(client_for, direct):
    chat, alice, bob = direct
    client = client_for(alice)
    sent = client.post(f"/api/v1/chats/{chat.id}/messages/", {"text": "hi"}, format="json").json()
    reply = client.post(
        f"/api/v1/chats/{chat.id}/messages/", {"text": "re", "reply_to": sent["id"]}, format="json"
    ).json()
    channel = broadcasts.channel_create(owner=alice, handle="ids_news", title="Ids")
    post = client.post(f"/api/v1/channels/{channel.id}/posts/", {"text": "p"}, format="json").json()
    comment = client.post(f"/api/v1/posts/{post['id']}/comments/", {"text": "c"}, format="json").json()

    assert all(isinstance(value, str) for value in (sent["id"], post["id"], comment["id"]))
    assert reply["reply_to"] == sent["id"]
    assert comment["post_id"] == post["id"]
    history = client_for(bob).get(f"/api/v1/chats/{chat.id}/messages/").json()["results"]
    assert [m["id"] for m in history] == [reply["id"], sent["id"]]  # newest first


@pytest.mark.parametrize("bad", ["abc", "0", "99999999999999999999", "ffffffffffffffffffffffff"])
def test_a_path_with_something_that_is_no_id_is_a_json_404(client_for, direct, bad):
    chat, alice, _ = direct

    response = client_for(alice).patch(
        f"/api/v1/chats/{chat.id}/messages/{bad}/", {"text": "x"}, format="json"
    )

    assert response.status_code == 404
    assert "code" in response.json()


def test_a_bad_id_in_a_body_or_query_is_a_400_naming_the_field(client_for, direct):
    chat, alice, _ = direct
    client = client_for(alice)
    channel = broadcasts.channel_create(owner=alice, handle="bad_ids", title="Bad ids")
    post = broadcasts.post_create(user=alice, channel_id=channel.id, text="p")

    bad_reply = client.post(
        f"/api/v1/chats/{chat.id}/messages/", {"text": "x", "reply_to": "x1"}, format="json"
    )
    bad_after = client.get(f"/api/v1/posts/{post.id}/comments/?after=nope")
    bad_target = client.post(
        "/api/v1/reports/", {"kind": "message", "target_id": "nope", "reason": "spam"}, format="json"
    )

    assert (bad_reply.status_code, list(bad_reply.json()["fields"])) == (400, ["reply_to"])
    assert (bad_after.status_code, list(bad_after.json()["fields"])) == (400, ["after"])
    assert bad_target.status_code == 400
    assert bad_target.json()["fields"]["target_id"][0]["code"] == "bad_target_id"
    assert Message.objects.count() == 0  # nothing was stored on the way


def test_a_socket_frame_takes_the_string_id(direct):
    from rest_framework.exceptions import ValidationError

    from apps.chats.api.serializers import MessageEditFrame
    from apps.core.api import parse

    message = chats.message_send(sender=direct[1], chat_id=direct[0].id, text="x")[0]
    frame = {"type": "message.edit", "chat_id": direct[0].id, "message_id": message["id"], "text": "y"}

    assert parse(MessageEditFrame, frame)["message_id"] == Message.objects.get().pk
    for not_an_id in ("12x", 12):  # ids are strings, on the socket as in REST
        with pytest.raises(ValidationError):
            parse(MessageEditFrame, {**frame, "message_id": not_an_id})


# --- One change over both stores --------------------------------------------------------------


def test_a_change_that_fails_leaves_neither_store_changed(direct):
    chat, alice, _ = direct

    def send_then_fail():
        with documents.atomic():
            chats.message_send(sender=alice, chat_id=chat.id, text="lost")
            raise RuntimeError("after the message, before the commit")

    with pytest.raises(RuntimeError):
        send_then_fail()

    assert not Message.objects.exists()
    assert Chat.objects.get(pk=chat.pk).last_seq == 0
    assert chats.message_send(sender=alice, chat_id=chat.id, text="kept")[0]["seq"] == 1


def test_rows_are_locked_in_sql_stores():
    assert documents.locked(Message.objects.all()).query.select_for_update is True


# --- MongoDB's code paths, run on SQL ---------------------------------------------------------


def transient_error() -> DatabaseError:
    """What django-mongodb-backend raises when MongoDB aborts a transaction for a conflict."""
    try:
        raise OperationFailure(
            "WriteConflict", code=112, details={"errorLabels": ["TransientTransactionError"]}
        )
    except OperationFailure as cause:
        error = DatabaseError("write conflict")
        error.__cause__ = cause
        return error


@pytest.mark.django_db(transaction=True)
def test_a_transient_conflict_runs_the_change_again_a_bounded_number_of_times(monkeypatch):
    monkeypatch.setattr(documents, "_attempts", lambda: 3)  # as on MongoDB
    calls = []

    @documents.transactional
    def conflicting_twice():
        calls.append(1)
        if len(calls) < 3:
            raise transient_error()
        return "done"

    @documents.transactional
    def always_conflicting():
        calls.append(1)
        raise transient_error()

    @documents.transactional
    def broken():
        calls.append(1)
        raise DatabaseError("not transient")

    assert conflicting_twice() == "done"
    assert len(calls) == 3
    calls.clear()
    with pytest.raises(DatabaseError):
        always_conflicting()
    assert len(calls) == 3
    calls.clear()
    with pytest.raises(DatabaseError):
        broken()
    assert len(calls) == 1


def test_a_nested_change_leaves_the_retries_to_the_outermost(monkeypatch):
    """(The test runs inside a transaction, as a nested change does.)"""
    monkeypatch.setattr(documents, "_attempts", lambda: 3)  # as on MongoDB
    calls = []

    @documents.transactional
    def conflicting():
        calls.append(1)
        raise transient_error()

    with pytest.raises(DatabaseError):
        conflicting()
    assert len(calls) == 1


def test_update_log_counters_without_row_locks_count_the_same(monkeypatch):
    """The ORM path MongoDB takes (update, then read in the same transaction)."""
    monkeypatch.setattr(documents, "is_mongodb", lambda: True)
    ann, ben, cid = UserFactory(), UserFactory(), UserFactory()

    counters.logs_start([ann.id, ben.id])
    counters.logs_start([ann.id, ben.id, cid.id])  # only the missing one is created
    UpdateState.objects.filter(user_id=ann.id).update(pts=41)

    assert counters._bump_documents([ann.id, ben.id]) == {ann.id: 42, ben.id: 1}
    assert UpdateState.objects.filter(user_id__in=[ann.id, ben.id, cid.id]).count() == 3
    assert dict(UpdateState.objects.values_list("user_id", "pts")) == {ann.id: 42, ben.id: 1, cid.id: 0}


def test_migrate_all_migrates_every_database_the_settings_name():
    out = StringIO()

    call_command("migrate_all", "--noinput", stdout=out)

    expected = ["default"] + (["documents"] if settings.DOCUMENT_STORE_ALIAS == "documents" else [])
    assert re.findall(r"database '(\w+)'", out.getvalue()) == expected
    assert "No migrations to apply" in out.getvalue()
