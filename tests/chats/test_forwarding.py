"""Forwarding: messages from a chat you are in, or a channel post you can read, into a chat you
may write in; the copies keep their origin and share their files; every rule of the source and
of the destination holds, and a refused forward leaves nothing behind."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.broadcasts import services as broadcasts
from apps.chats import services
from apps.files.models import File

pytestmark = pytest.mark.django_db


def forward_url(chat):
    return f"/api/v1/chats/{chat.id}/messages/forward/"


def forward(client, chat, **body):
    source = "post" if "post_id" in body else "chat"
    return client.post(forward_url(chat), {"source": source, **body}, format="json")


def history(client, chat):
    return client.get(f"/api/v1/chats/{chat.id}/messages/").json()["results"][::-1]


@pytest.fixture
def alice_and_carol(alice, carol):
    chat, _ = services.chat_direct_open(user=alice, peer_id=carol.id)
    return chat


def test_messages_are_copied_in_order_with_their_authors_as_origin(
    client_for, alice, bob, carol, group, direct, send
):
    first, second = send(bob, group, "the plan: 9am"), send(carol, group, "bring water")

    answer = forward(
        client_for(alice), direct, from_chat_id=group.id, message_ids=[second["id"], first["id"]]
    )

    assert answer.status_code == 201
    copies = answer.json()["results"]
    assert [m["text"] for m in copies] == ["the plan: 9am", "bring water"]  # the chat's order
    assert {m["sender_id"] for m in copies} == {alice.id}  # sent by who forwarded them
    assert [(m["forwarded_from"]["kind"], m["forwarded_from"]["user_id"]) for m in copies] == [
        ("user", bob.id),
        ("user", carol.id),
    ]
    assert copies[0]["forwarded_from"]["date"] == first["created_at"]
    seen_by_bob = history(client_for(bob), direct)  # bob, in the direct chat, sees them arrive
    assert [(m["text"], m["forwarded_from"]["user_id"]) for m in seen_by_bob] == [
        ("the plan: 9am", bob.id),
        ("bring water", carol.id),
    ]


def test_a_forwarded_message_cannot_be_edited(client_for, alice, bob, direct, alice_and_carol, send):
    original = send(bob, direct, "the score was 3-1")
    copy = forward(client_for(alice), alice_and_carol, from_chat_id=direct.id, message_ids=[original["id"]])
    copy_id = copy.json()["results"][0]["id"]

    edited = client_for(alice).patch(
        f"/api/v1/chats/{alice_and_carol.id}/messages/{copy_id}/",
        {"text": "the score was 5-1"},
        format="json",
    )

    assert (edited.status_code, edited.json()["code"]) == (403, "forwarded_not_editable")


def test_a_forward_of_a_forward_keeps_the_first_origin(client_for, alice, bob, direct, alice_and_carol, send):
    original = send(bob, direct, "secret recipe")
    copy = forward(client_for(alice), alice_and_carol, from_chat_id=direct.id, message_ids=[original["id"]])
    copied_id = copy.json()["results"][0]["id"]

    again = forward(client_for(alice), direct, from_chat_id=alice_and_carol.id, message_ids=[copied_id])

    assert again.json()["results"][0]["forwarded_from"]["user_id"] == bob.id


def test_files_are_shared_not_copied(client_for, alice, bob, carol, direct, alice_and_carol, png_bytes):
    upload = client_for(bob).post(
        "/api/v1/files/", {"file": SimpleUploadedFile("cat.png", png_bytes)}, format="multipart"
    )
    file_id = upload.json()["id"]
    original = client_for(bob).post(
        f"/api/v1/chats/{direct.id}/messages/", {"text": "", "attachments": [file_id]}, format="json"
    )

    copy = forward(
        client_for(alice), alice_and_carol, from_chat_id=direct.id, message_ids=[original.json()["id"]]
    )
    # The original deleted for everyone: the copy still carries the file, which stays.
    client_for(bob).delete(f"/api/v1/chats/{direct.id}/messages/{original.json()['id']}/?for_everyone=true")

    attachment = copy.json()["results"][0]["attachments"][0]
    assert attachment["file_id"] == file_id  # the same file, not a copy
    assert File.objects.count() == 1
    assert b"".join(client_for(carol).get(attachment["url"]).streaming_content) == png_bytes


def test_a_channel_post_is_forwarded_with_its_channel_as_origin(client_for, alice, bob, direct, after_commit):
    with after_commit():
        channel = broadcasts.channel_create(owner=bob, handle="trail_news", title="Trail news")
        post = broadcasts.post_create(user=bob, channel_id=channel.id, text="Trail open again")

    answer = forward(client_for(alice), direct, post_id=str(post.pk))

    copy = answer.json()["results"][0]
    assert (answer.status_code, copy["text"]) == (201, "Trail open again")
    assert copy["forwarded_from"] == {
        "kind": "channel",
        "channel_id": channel.id,
        "handle": "trail_news",
        "title": "Trail news",
        "post_id": str(post.pk),
        "date": post.created_at.isoformat(),
    }


def test_refusals_leave_nothing_behind(client_for, alice, bob, carol, group, direct, alice_and_carol, send):
    in_group = send(bob, group, "group only")
    in_direct = send(bob, direct, "direct only")
    deleted = send(bob, direct, "gone")
    client_for(bob).delete(f"/api/v1/chats/{direct.id}/messages/{deleted['id']}/?for_everyone=true")
    private = broadcasts.channel_create(owner=bob, handle="bobs_diary", title="Diary", is_public=False)
    private_post = broadcasts.post_create(user=bob, channel_id=private.id, text="dear diary")
    before = len(history(client_for(alice), alice_and_carol))  # every forward below goes there

    not_in_source = forward(
        client_for(carol), alice_and_carol, from_chat_id=direct.id, message_ids=[in_direct["id"]]
    )
    not_of_source = forward(
        client_for(alice),
        alice_and_carol,
        from_chat_id=direct.id,
        message_ids=[in_direct["id"], in_group["id"]],
    )
    gone = forward(client_for(alice), alice_and_carol, from_chat_id=direct.id, message_ids=[deleted["id"]])
    unreadable_post = forward(client_for(alice), alice_and_carol, post_id=str(private_post.pk))
    not_at_destination = forward(
        client_for(bob), alice_and_carol, from_chat_id=direct.id, message_ids=[in_direct["id"]]
    )
    too_many = forward(
        client_for(alice), alice_and_carol, from_chat_id=direct.id, message_ids=[in_direct["id"]] * 101
    )
    client_for(carol).post("/api/v1/blocks/", {"user_id": alice.id}, format="json")
    blocked = forward(
        client_for(alice), alice_and_carol, from_chat_id=direct.id, message_ids=[in_direct["id"]]
    )

    assert (not_in_source.status_code, not_in_source.json()["code"]) == (404, "chat_not_found")
    assert (not_of_source.status_code, not_of_source.json()["code"]) == (404, "message_not_found")
    assert (gone.status_code, gone.json()["code"]) == (404, "message_not_found")
    assert (unreadable_post.status_code, unreadable_post.json()["code"]) == (404, "post_not_found")
    assert (not_at_destination.status_code, not_at_destination.json()["code"]) == (404, "chat_not_found")
    assert too_many.status_code == 400
    assert (blocked.status_code, blocked.json()["code"]) == (403, "blocked")
    assert len(history(client_for(alice), alice_and_carol)) == before  # nothing was sent
