import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from apps.chats import services
from apps.chats.models import Chat, ChatMember, Message
from tests.chats.concurrency import send_at_once
from tests.stores import raw_column

pytestmark = pytest.mark.django_db


def messages_url(chat, message_id=None):
    base = f"/api/v1/chats/{chat.id}/messages/"
    return f"{base}{message_id}/" if message_id else base


def texts(response):
    return [m["text"] for m in response.json()["results"]]


def test_send_returns_the_message_and_stores_only_ciphertext(client_for, alice, direct):
    response = client_for(alice).post(messages_url(direct), {"text": "meet at noon"}, format="json")

    assert response.status_code == 201
    message = response.json()
    assert message["chat_id"] == direct.id
    assert message["seq"] == 1
    assert message["sender_id"] == alice.id
    assert message["text"] == "meet at noon"
    assert message["deleted"] is False
    (raw,) = raw_column(Message, "text", id=message["id"])
    assert "noon" not in raw
    assert raw.startswith("k2$")


def test_send_is_idempotent_on_client_msg_id(client_for, alice, direct):
    client_msg_id = str(uuid.uuid4())
    client = client_for(alice)

    first = client.post(messages_url(direct), {"text": "once", "client_msg_id": client_msg_id}, format="json")
    retry = client.post(messages_url(direct), {"text": "once", "client_msg_id": client_msg_id}, format="json")

    assert first.status_code == 201
    assert retry.status_code == 200
    assert retry.json()["id"] == first.json()["id"]
    assert Message.objects.filter(chat_id=direct.id).count() == 1


def test_a_client_msg_id_is_not_reused_in_another_chat(client_for, alice, direct, group):
    client_msg_id = str(uuid.uuid4())
    client = client_for(alice)
    first = client.post(messages_url(direct), {"text": "here", "client_msg_id": client_msg_id}, format="json")

    elsewhere = client.post(
        messages_url(group), {"text": "there", "client_msg_id": client_msg_id}, format="json"
    )

    assert first.status_code == 201
    assert elsewhere.status_code == 409
    assert elsewhere.json()["code"] == "client_msg_id_reused"
    assert not Message.objects.filter(chat_id=group.id).exists()
    assert Chat.objects.get(pk=group.id).last_seq == 0  # the seq taken by the refused send is given back


@pytest.mark.parametrize(
    ("payload", "code"),
    [({"text": ""}, "text_empty"), ({"text": "   "}, "text_empty"), ({"text": "x" * 4097}, "text_too_long")],
)
def test_send_bad_text_is_refused_and_stores_nothing(client_for, alice, direct, payload, code):
    response = client_for(alice).post(messages_url(direct), payload, format="json")

    assert response.status_code == 400
    assert response.json()["fields"]["text"][0]["code"] == code
    assert not Message.objects.filter(chat_id=direct.id).exists()


def test_send_text_of_exactly_4096_characters_is_accepted(client_for, alice, direct):
    assert (
        client_for(alice).post(messages_url(direct), {"text": "é" * 4096}, format="json").status_code == 201
    )


def test_reply_to_a_message_of_another_chat_is_refused(client_for, alice, direct, group, send):
    elsewhere = send(alice, group, "in the group")

    response = client_for(alice).post(
        messages_url(direct), {"text": "re", "reply_to": elsewhere["id"]}, format="json"
    )

    assert response.status_code == 404  # a well-formed id, of no message in this chat
    assert response.json()["fields"]["reply_to"][0]["code"] == "reply_not_found"


def test_reply_within_the_chat_is_kept(client_for, alice, bob, direct, send):
    original = send(bob, direct, "question?")

    response = client_for(alice).post(
        messages_url(direct), {"text": "answer", "reply_to": original["id"]}, format="json"
    )

    assert response.json()["reply_to"] == original["id"]


def test_non_member_cannot_send_or_read_and_unknown_chat_is_404(client_for, carol, direct):
    client = client_for(carol)

    assert client.post(messages_url(direct), {"text": "let me in"}, format="json").status_code == 404
    assert client.get(messages_url(direct)).status_code == 404
    assert client.post("/api/v1/chats/999999/messages/", {"text": "x"}, format="json").json()["code"] == (
        "chat_not_found"
    )


def test_history_pages_newest_first_and_catch_up_oldest_first(client_for, alice, bob, direct, send):
    for index in range(1, 8):
        send(alice if index % 2 else bob, direct, f"m{index}")
    client = client_for(bob)

    newest = client.get(messages_url(direct), {"limit": 3}).json()
    older = client.get(messages_url(direct), {"limit": 3, "before_seq": 5}).json()
    after = client.get(messages_url(direct), {"after_seq": 4}).json()

    assert [m["text"] for m in newest["results"]] == ["m7", "m6", "m5"]
    assert newest["has_more"] is True
    assert [m["text"] for m in older["results"]] == ["m4", "m3", "m2"]
    assert [m["text"] for m in after["results"]] == ["m5", "m6", "m7"]
    assert after["has_more"] is False


def test_history_between_two_seqs_is_oldest_first_and_pages(client_for, alice, direct, send):
    for index in range(1, 8):
        send(alice, direct, f"m{index}")
    client = client_for(alice)

    between = client.get(messages_url(direct), {"after_seq": 2, "before_seq": 6}).json()
    first_page = client.get(messages_url(direct), {"after_seq": 2, "before_seq": 6, "limit": 2}).json()

    assert [m["text"] for m in between["results"]] == ["m3", "m4", "m5"]
    assert between["has_more"] is False
    assert ([m["text"] for m in first_page["results"]], first_page["has_more"]) == (["m3", "m4"], True)


@pytest.mark.parametrize(
    "query", [{"before_seq": "abc"}, {"after_seq": "1.5"}, {"limit": 500}, {"before_seq": 0}]
)
def test_history_bad_cursor_is_a_clear_400(client_for, alice, direct, query):
    response = client_for(alice).get(messages_url(direct), query)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) <= {"before_seq", "after_seq", "limit"}


def test_edit_own_message_changes_it_for_everyone(client_for, alice, bob, direct, send):
    message = send(alice, direct, "helo")

    response = client_for(alice).patch(messages_url(direct, message["id"]), {"text": "hello"}, format="json")

    assert response.status_code == 200
    assert response.json()["text"] == "hello"
    assert response.json()["edited_at"] is not None
    assert texts(client_for(bob).get(messages_url(direct))) == ["hello"]


def test_editing_someone_elses_message_is_refused(client_for, bob, direct, alice, send):
    message = send(alice, direct, "mine")

    response = client_for(bob).patch(messages_url(direct, message["id"]), {"text": "yours"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "not_sender"


def test_editing_after_48_hours_is_refused(client_for, alice, direct, send):
    message = send(alice, direct, "old")
    Message.objects.filter(pk=message["id"]).update(
        created_at=timezone.now() - timedelta(hours=48, minutes=1)
    )

    response = client_for(alice).patch(messages_url(direct, message["id"]), {"text": "new"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "edit_window_passed"


def test_delete_for_me_hides_it_only_from_me(client_for, alice, bob, direct, send):
    send(alice, direct, "keep")
    message = send(bob, direct, "hide from alice")

    response = client_for(alice).delete(messages_url(direct, message["id"]))

    assert response.status_code == 204
    assert texts(client_for(alice).get(messages_url(direct))) == ["keep"]
    assert texts(client_for(bob).get(messages_url(direct))) == ["hide from alice", "keep"]


def test_delete_for_everyone_erases_the_content(client_for, alice, bob, direct, send):
    send(alice, direct, "keep")
    message = send(alice, direct, "regret")

    response = client_for(alice).delete(messages_url(direct, message["id"]) + "?for_everyone=true")

    assert response.status_code == 204
    assert texts(client_for(bob).get(messages_url(direct))) == ["keep"]
    assert Message.objects.get(pk=message["id"]).text == ""


def test_delete_for_everyone_of_someone_elses_message_needs_a_group_admin(
    client_for, alice, bob, group, direct, send
):
    in_direct = send(alice, direct, "alice's")
    in_group = send(bob, group, "bob's")

    refused = client_for(bob).delete(messages_url(direct, in_direct["id"]) + "?for_everyone=true")
    by_admin = client_for(alice).delete(messages_url(group, in_group["id"]) + "?for_everyone=true")

    assert refused.status_code == 403
    assert by_admin.status_code == 204


def test_read_marks_up_to_a_seq_and_never_goes_back(client_for, alice, bob, direct, send):
    for index in range(3):
        send(alice, direct, f"m{index}")
    client = client_for(bob)

    assert client.post(f"/api/v1/chats/{direct.id}/read/", {"seq": 2}, format="json").json() == {
        "last_read_seq": 2
    }
    assert client.post(f"/api/v1/chats/{direct.id}/read/", {"seq": 1}, format="json").json() == {
        "last_read_seq": 2
    }
    assert client.post(f"/api/v1/chats/{direct.id}/read/", {"seq": 99}, format="json").json() == {
        "last_read_seq": 3
    }
    assert client.get(f"/api/v1/chats/{direct.id}/").json()["unread_count"] == 0


def test_first_history_page_comes_from_the_cache_with_no_query(
    client_for, bob, alice, direct, send, django_assert_num_queries
):
    for index in range(5):
        send(alice, direct, f"m{index}")
    client = client_for(bob)
    expected = client.get(messages_url(direct)).json()  # warms auth state, membership, hidden set, window

    with django_assert_num_queries(0):
        cached = client.get(messages_url(direct)).json()

    assert cached == expected
    cache.clear()
    assert client.get(messages_url(direct)).json() == expected


@pytest.mark.redis
def test_the_newest_page_costs_one_round_trip_to_redis(alice, bob, direct, send, monkeypatch):
    import redis

    from apps.chats.selectors import history_page

    for index in range(3):
        send(alice, direct, f"m{index}")
    expected = history_page(user_id=bob.id, chat_id=direct.id)  # fills membership, hidden set, window
    trips = []
    single, pipelined = redis.client.Redis.execute_command, redis.client.Pipeline.execute
    monkeypatch.setattr(
        redis.client.Redis, "execute_command", lambda *a, **k: trips.append(a[1]) or single(*a, **k)
    )
    monkeypatch.setattr(
        redis.client.Pipeline, "execute", lambda *a, **k: trips.append("pipeline") or pipelined(*a, **k)
    )

    page = history_page(user_id=bob.id, chat_id=direct.id)

    assert page == expected
    assert [m["text"] for m in page["results"]] == ["m2", "m1", "m0"]
    assert trips == ["pipeline"]


def test_history_cache_follows_sends_edits_and_deletes(
    client_for, alice, bob, direct, send, django_assert_num_queries, after_commit
):
    first = send(alice, direct, "one")
    client = client_for(bob)
    client.get(messages_url(direct))
    with after_commit():  # as after each real commit
        second = send(alice, direct, "two")
        services.message_edit(user=alice, chat_id=direct.id, message_id=first["id"], text="ONE")
        send(alice, direct, "three")
        services.message_delete(user=alice, chat_id=direct.id, message_id=second["id"], for_everyone=True)

    with django_assert_num_queries(0):
        cached = client.get(messages_url(direct)).json()

    assert [m["text"] for m in cached["results"]] == ["three", "ONE"]
    cache.clear()
    assert client.get(messages_url(direct)).json() == cached


def test_history_beyond_the_cached_window_pages_from_the_database(client_for, alice, bob, direct, send):
    for index in range(60):
        send(alice, direct, f"m{index}")
    client = client_for(bob)

    first = client.get(messages_url(direct), {"limit": 40}).json()
    rest = client.get(messages_url(direct), {"before_seq": first["results"][-1]["seq"], "limit": 100}).json()

    seqs = [m["seq"] for m in first["results"] + rest["results"]]
    assert seqs == list(range(60, 0, -1))
    assert first["has_more"] is True
    assert rest["has_more"] is False


def test_attachments_are_files_the_sender_uploaded(client_for, alice, bob, direct, png_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(user):
        response = client_for(user).post(
            "/api/v1/files/", {"file": SimpleUploadedFile("cat.png", png_bytes)}, format="multipart"
        )
        assert response.status_code == 201, response.content
        return response.json()["id"]

    alices_file, bobs_file = upload(alice), upload(bob)
    client = client_for(alice)

    sent = client.post(messages_url(direct), {"text": "", "attachments": [alices_file]}, format="json")
    refused = client.post(messages_url(direct), {"text": "x", "attachments": [bobs_file]}, format="json")

    assert sent.status_code == 201
    attachment = sent.json()["attachments"][0]
    assert attachment["file_id"] == alices_file
    assert attachment["kind"] == "image"
    assert b"".join(client.get(attachment["url"]).streaming_content) == png_bytes
    assert "path" not in attachment
    assert refused.status_code == 403
    assert refused.json()["code"] == "file_not_yours"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_get_dense_unique_seqs(alice, bob, group):
    errors = send_at_once([(alice, group), (bob, group)] * 3, messages=10)

    assert errors == []
    seqs = sorted(Message.objects.filter(chat_id=group.id).values_list("seq", flat=True))
    assert seqs == list(range(1, 61))
    group.refresh_from_db()
    assert group.last_seq == 60
    assert ChatMember.objects.get(chat=group, user=alice).last_read_seq <= 60


def test_after_a_block_neither_side_can_write_in_their_direct_chat(client_for, alice, bob, direct):
    from apps.contacts.services import user_block

    user_block(user=bob, blocked_id=alice.id)

    for sender in (alice, bob):
        response = client_for(sender).post(messages_url(direct), {"text": "hello?"}, format="json")
        assert (response.status_code, response.json()["code"]) == (403, "blocked")
    assert not Message.objects.filter(chat_id=direct.id).exists()
