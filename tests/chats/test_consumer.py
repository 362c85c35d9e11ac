"""The WebSocket protocol, through the project's real ASGI application."""

import asyncio
import json
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from apps.accounts import services as accounts
from apps.chats import services
from apps.chats.models import Message
from telegram.asgi import application
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


async def token_for(user) -> str:
    return (await db(accounts.tokens_issue)(user=user))["access"]


async def open_socket(user=None, *, token=None, subprotocol=False):
    token = token or await token_for(user)
    if subprotocol:
        socket = WebsocketCommunicator(application, "/ws/", subprotocols=["bearer", token])
    else:
        socket = WebsocketCommunicator(application, f"/ws/?token={token}")
    connected, chosen = await socket.connect()
    assert connected
    socket.subprotocol = chosen
    return socket


async def frame(socket, *, skip=("presence",), timeout=3):
    """The next frame whose type is not in `skip`."""
    while True:
        received = json.loads(await socket.receive_from(timeout=timeout))
        if received["type"] not in skip:
            return received


async def nothing_more(socket, *, skip=("presence",)):
    """None if no frame (but skipped types) arrives soon; else the unexpected frame. Unlike a
    timed-out receive_from, receive_nothing leaves the application running."""
    while not await socket.receive_nothing(timeout=0.3):
        received = json.loads(await socket.receive_from())
        if received["type"] not in skip:
            return received
    return None


async def close_code(socket):
    """The code the server closed the socket with (frames before the close are passed over)."""
    while (output := await socket.receive_output(timeout=3))["type"] == "websocket.send":
        pass
    assert output["type"] == "websocket.close"
    # As a server does after the application closes: report the disconnect, let it finish.
    await socket.send_input({"type": "websocket.disconnect", "code": output.get("code")})
    await socket.wait(timeout=3)
    return output.get("code")


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Each test runs on its own event loop; the Redis layer's connections and locks belong to
    the loop that made them, so every test gets a new layer instance."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
async def people():
    alice = await db(UserFactory)(username="alice", profile="Alice")
    bob = await db(UserFactory)(username="bob", profile="Bob")
    chat, _ = await db(services.chat_direct_open)(user=alice, peer_id=bob.id)
    return alice, bob, chat


async def test_missing_or_bad_token_closes_with_4401():
    for path in ("/ws/", "/ws/?token=not.a.token"):
        socket = WebsocketCommunicator(application, path)
        connected, _ = await socket.connect()
        assert connected
        assert await close_code(socket) == 4401


async def test_banned_users_socket_is_refused_with_4403(people):
    alice, _bob, _chat = people
    token = await token_for(alice)
    await db(accounts.user_ban)(user=alice)

    socket = WebsocketCommunicator(application, f"/ws/?token={token}")
    await socket.connect()

    assert await close_code(socket) == 4403


async def test_a_message_sent_the_moment_a_socket_opens_reaches_it_live(people, monkeypatch):
    from channels.layers import get_channel_layer

    from apps.core.realtime import send_frames_async

    _alice, bob, chat = people
    layer = get_channel_layer()
    subscribe = layer.group_add

    async def slow_subscribe(group, channel):  # as a busy Redis: the subscription takes a while
        await asyncio.sleep(0.3)
        await subscribe(group, channel)

    monkeypatch.setattr(layer, "group_add", slow_subscribe)
    bobs = await open_socket(bob)

    # The client sees its socket open; a message to it is sent at once.
    await send_frames_async({bob.id: {"type": "message.new", "chat_id": chat.id, "pts": 1}})

    assert (await frame(bobs))["type"] == "message.new"
    await bobs.disconnect()


async def test_token_in_the_subprotocol_header_is_accepted_and_echoes_bearer(people):
    alice, _bob, _chat = people

    socket = await open_socket(alice, subprotocol=True)

    assert socket.subprotocol == "bearer"
    await socket.send_json_to({"type": "ping", "ref": "p1"})
    assert await frame(socket) == {"type": "pong", "ref": "p1"}
    await socket.disconnect()


async def test_message_reaches_every_device_of_every_member_with_their_own_pts(people):
    alice, bob, chat = people
    phone, laptop, bobs = await open_socket(alice), await open_socket(alice), await open_socket(bob)
    client_msg_id = str(uuid.uuid4())

    await phone.send_json_to(
        {"type": "message.send", "chat_id": chat.id, "text": "hi", "client_msg_id": client_msg_id}
    )

    ack = await frame(phone)
    assert ack["type"] == "message.ack"
    assert ack["ref"] == client_msg_id
    assert ack["message"]["text"] == "hi"
    on_laptop, at_bob = await frame(laptop), await frame(bobs)
    assert on_laptop["type"] == at_bob["type"] == "message.new"
    assert on_laptop["message"]["id"] == at_bob["message"]["id"] == ack["message"]["id"]
    assert on_laptop["pts"] == ack["pts"]
    assert at_bob["pts"] == await db(lambda: bob_pts(bob))()
    assert await nothing_more(phone) is None  # the sending socket has its ack, not a copy
    for socket in (phone, laptop, bobs):
        await socket.disconnect()


def bob_pts(user):
    from apps.updates.selectors import updates_state

    return updates_state(user_id=user.id)


async def test_retried_frame_gets_the_same_ack_and_creates_no_second_message(people):
    alice, _bob, chat = people
    socket = await open_socket(alice)
    send = {"type": "message.send", "chat_id": chat.id, "text": "once", "client_msg_id": str(uuid.uuid4())}

    await socket.send_json_to(send)
    first = await frame(socket)
    await socket.send_json_to(send)
    second = await frame(socket)

    assert first["message"]["id"] == second["message"]["id"]
    assert await db(Message.objects.filter(chat_id=chat.id).count)() == 1
    await socket.disconnect()


async def test_typing_and_read_receipts_go_to_the_other_members(people):
    alice, bob, chat = people
    await db(services.message_send)(sender=alice, chat_id=chat.id, text="read me")
    alices, bobs = await open_socket(alice), await open_socket(bob)

    await alices.send_json_to({"type": "typing", "chat_id": chat.id})
    assert await frame(bobs) == {"type": "typing", "chat_id": chat.id, "user_id": alice.id}

    await bobs.send_json_to({"type": "read", "chat_id": chat.id, "seq": 1})
    receipt = await frame(alices)
    assert {k: receipt[k] for k in ("type", "chat_id", "user_id", "seq")} == {
        "type": "read",
        "chat_id": chat.id,
        "user_id": bob.id,
        "seq": 1,
    }
    assert await nothing_more(alices) is None  # her own typing did not come back to her
    await alices.disconnect()
    await bobs.disconnect()


async def test_edits_and_deletes_reach_the_other_member(people):
    alice, bob, chat = people
    stored, _, _ = await db(services.message_send)(sender=alice, chat_id=chat.id, text="draft")
    alices, bobs = await open_socket(alice), await open_socket(bob)

    await alices.send_json_to(
        {"type": "message.edit", "chat_id": chat.id, "message_id": stored["id"], "text": "final"}
    )
    edited = await frame(bobs)
    await alices.send_json_to(
        {"type": "message.delete", "chat_id": chat.id, "message_id": stored["id"], "for_everyone": True}
    )
    deleted = await frame(bobs)

    assert (edited["type"], edited["message"]["text"]) == ("message.edited", "final")
    assert (deleted["type"], deleted["message_id"], deleted["for_everyone"]) == (
        "message.deleted",
        stored["id"],
        True,
    )
    assert deleted["pts"] == edited["pts"] + 1
    await alices.disconnect()
    await bobs.disconnect()


async def test_a_reaction_over_the_socket_reaches_the_other_member(people):
    alice, bob, chat = people
    stored, _, _ = await db(services.message_send)(sender=alice, chat_id=chat.id, text="cake?")
    alices, bobs = await open_socket(alice), await open_socket(bob)

    await bobs.send_json_to(
        {"type": "message.react", "chat_id": chat.id, "message_id": stored["id"], "emoji": "🎉"}
    )
    told = await frame(alices)
    await bobs.send_json_to(
        {"type": "message.react", "chat_id": chat.id, "message_id": stored["id"], "emoji": "🦄", "ref": "r1"}
    )
    refused = await frame(bobs, skip=("presence", "message.reactions"))

    assert (told["type"], told["message_id"], told["user_id"], told["added"]) == (
        "message.reactions",
        stored["id"],
        bob.id,
        True,
    )
    assert told["reactions"] == [{"emoji": "🎉", "count": 1, "user_ids": [bob.id]}]
    assert (refused["type"], refused["code"], refused["ref"]) == ("error", "invalid", "r1")
    assert "emoji" in refused["fields"]
    await alices.disconnect()
    await bobs.disconnect()


async def test_a_forward_over_the_socket_answers_the_sender_and_reaches_the_other_member(people):
    alice, bob, chat = people
    carol = await db(UserFactory)(username="carol", profile="Carol")
    elsewhere, _ = await db(services.chat_direct_open)(user=alice, peer_id=carol.id)
    original, _, _ = await db(services.message_send)(sender=carol, chat_id=elsewhere.id, text="party at 8")
    alices, bobs = await open_socket(alice), await open_socket(bob)

    await alices.send_json_to(
        {
            "type": "message.forward",
            "chat_id": chat.id,
            "source": "chat",
            "from_chat_id": elsewhere.id,
            "message_ids": [original["id"]],
            "ref": "f1",
        }
    )
    answered = await frame(alices)
    arrived = await frame(bobs)

    assert (answered["type"], answered["ref"]) == ("message.forwarded", "f1")
    assert [m["text"] for m in answered["messages"]] == ["party at 8"]
    assert arrived["type"] == "message.new"
    assert (arrived["message"]["text"], arrived["message"]["forwarded_from"]["user_id"]) == (
        "party at 8",
        carol.id,
    )
    assert await nothing_more(alices) is None  # its answer, not a message.new too
    await alices.disconnect()
    await bobs.disconnect()


async def test_a_search_over_the_socket_answers_with_the_page(people):
    alice, bob, chat = people
    await db(services.message_send)(sender=alice, chat_id=chat.id, text="bring the tent")
    await db(services.message_send)(sender=alice, chat_id=chat.id, text="tents are heavy")
    bobs = await open_socket(bob)

    await bobs.send_json_to({"type": "search", "q": "tent", "ref": "s1"})
    answer = await frame(bobs)
    await bobs.send_json_to({"type": "search", "q": "a", "ref": "s2"})
    refused = await frame(bobs)

    assert (answer["type"], answer["ref"]) == ("search.results", "s1")
    assert [m["text"] for m in answer["results"]] == ["tents are heavy", "bring the tent"]
    assert (answer["has_more"], answer["next"]) == (False, None)
    assert (refused["type"], refused["code"], refused["ref"]) == ("error", "invalid", "s2")
    assert refused["fields"]["q"][0]["code"] == "query_too_short"
    await bobs.disconnect()


async def test_reacting_to_a_post_over_the_socket_a_frame_the_broadcasts_app_answers(people):
    from apps.broadcasts import services as broadcasts

    alice, bob, _ = people
    channel = await db(broadcasts.channel_create)(owner=alice, handle="alice_news", title="News")
    post = await db(broadcasts.post_create)(user=alice, channel_id=channel.id, text="Hello")
    bobs = await open_socket(bob)

    await bobs.send_json_to({"type": "post.react", "post_id": str(post.pk), "emoji": "🔥", "ref": "p1"})
    refused = await frame(bobs)  # bob does not follow the channel
    await db(broadcasts.channel_subscribe)(user=bob, channel_id=channel.id)
    await bobs.send_json_to({"type": "post.react", "post_id": str(post.pk), "emoji": "🔥", "ref": "p2"})
    answer = await frame(bobs)

    assert (refused["type"], refused["code"], refused["ref"]) == ("error", "not_subscribed", "p1")
    assert (answer["type"], answer["ref"]) == ("post.reacted", "p2")
    assert answer["post"]["reactions"] == [{"emoji": "🔥", "count": 1}]
    assert answer["post"]["my_reactions"] == ["🔥"]
    await bobs.disconnect()


@pytest.mark.parametrize(
    ("sent", "code"),
    [
        ("{not json", "malformed_json"),
        ("[1, 2]", "invalid_frame"),
        ('{"type": "teleport"}', "unknown_type"),
        ('{"type": "read", "chat_id": "one", "seq": 1}', "invalid"),
        ('{"type": "message.send", "chat_id": 1, "text": "x"}', "invalid"),
        ('{"type": "sync", "since": 0, "limit": -1}', "invalid"),
        ('{"type": "sync", "since": 0, "limit": 0}', "invalid"),
        ('{"type": "sync", "since": -5}', "invalid"),
        ('{"type": "read", "chat_id": 99999999999999999999999, "seq": 1}', "invalid"),
        ('{"type": "message.delete", "chat_id": 1, "message_id": "1", "for_everyone": 1}', "invalid"),
        ('{"type": "ping", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "too_deep"),
        ('{"type": "ping", "x": ' + "[" * 40 + "]" * 40 + "}", "too_deep"),
        ('{"type": "ping", "x": "' + "a" * 1_100_000 + '"}', "too_large"),
    ],
)
async def test_malformed_frames_get_an_error_frame_and_the_socket_stays_open(people, sent, code):
    alice, _bob, _chat = people
    socket = await open_socket(alice)

    await socket.send_to(text_data=sent)

    error = await frame(socket)
    assert error["type"] == "error"
    assert error["code"] == code
    assert "ref" in error
    assert error["detail"]
    if code == "invalid":  # refused by the frame's input serializer, which names the field
        assert set(error["fields"]) & {"chat_id", "client_msg_id", "limit", "since", "for_everyone"}
    await socket.send_json_to({"type": "ping"})
    assert (await frame(socket))["type"] == "pong"
    await socket.disconnect()


async def test_binary_frames_are_refused(people):
    alice, _bob, _chat = people
    socket = await open_socket(alice)

    await socket.send_to(bytes_data=b"\x00\x01")

    assert (await frame(socket))["code"] == "binary_not_supported"
    await socket.disconnect()


async def test_errors_carry_the_ref_of_the_frame_they_answer(people):
    alice, _bob, chat = people
    carol = await db(UserFactory)(username="carol")
    socket = await open_socket(carol)
    client_msg_id = str(uuid.uuid4())

    await socket.send_json_to(
        {"type": "message.send", "chat_id": chat.id, "text": "hi", "client_msg_id": client_msg_id}
    )
    not_member = await frame(socket)
    await db(services.chat_direct_open)(user=carol, peer_id=alice.id)
    mine = (await db(services.chat_direct_open)(user=carol, peer_id=alice.id))[0]
    long_id = str(uuid.uuid4())
    await socket.send_json_to(
        {"type": "message.send", "chat_id": mine.id, "text": "x" * 4097, "client_msg_id": long_id}
    )
    too_long = await frame(socket)

    assert (not_member["code"], not_member["ref"]) == ("chat_not_found", client_msg_id)
    assert (too_long["code"], too_long["ref"]) == ("invalid", long_id)
    assert too_long["fields"]["text"][0]["code"] == "text_too_long"
    await socket.disconnect()


async def test_a_member_who_left_cannot_write_to_the_group(people):
    alice, bob, _chat = people
    group = await db(services.chat_group_create)(creator=alice, title="G", member_ids=[bob.id])
    socket = await open_socket(bob)
    await db(services.chat_member_remove)(actor=bob, chat_id=group.id, user_id=bob.id)
    await frame(socket)  # the chat.member.removed update

    await socket.send_json_to(
        {"type": "message.send", "chat_id": group.id, "text": "hi", "client_msg_id": str(uuid.uuid4())}
    )

    assert (await frame(socket))["code"] == "chat_not_found"
    await socket.disconnect()


async def test_sync_frame_returns_what_was_missed(people):
    alice, bob, chat = people
    for text in ("a", "b"):
        await db(services.message_send)(sender=alice, chat_id=chat.id, text=text)
    socket = await open_socket(bob)

    await socket.send_json_to({"type": "sync", "since": 0, "ref": "s"})

    answer = await frame(socket)
    assert answer["type"] == "sync"
    assert answer["ref"] == "s"
    assert [u["message"]["text"] for u in answer["updates"]] == ["a", "b"]
    assert answer["has_more"] is False
    await socket.disconnect()


async def test_presence_goes_to_direct_chat_peers(people):
    alice, bob, _chat = people
    bobs = await open_socket(bob)

    alices = await open_socket(alice)
    online = await frame(bobs, skip=())
    await alices.disconnect()
    offline = await frame(bobs, skip=())

    assert (online["type"], online["user_id"], online["status"]) == ("presence", alice.id, "online")
    assert (offline["status"], offline["user_id"]) == ("offline", alice.id)
    assert offline["last_seen"]
    await bobs.disconnect()


async def test_logout_all_and_ban_close_open_sockets(people):
    alice, bob, _chat = people
    alices, bobs = await open_socket(alice), await open_socket(bob)

    await db(accounts.user_logout_all)(user=alice)
    await db(accounts.user_ban)(user=bob)

    assert await close_code(alices) == 4401
    assert await close_code(bobs) == 4403


async def test_presence_is_not_told_to_someone_the_user_blocked(people):
    from apps.contacts.services import user_block

    alice, bob, _chat = people
    await db(user_block)(user=alice, blocked_id=bob.id)
    bobs = await open_socket(bob)

    alices = await open_socket(alice)

    assert await nothing_more(bobs, skip=()) is None
    await alices.disconnect()
    assert await nothing_more(bobs, skip=()) is None
    await bobs.disconnect()


async def test_frames_past_the_limit_get_an_error_and_are_dropped(people, settings):
    alice, _bob, _chat = people
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "ws_frame": "3/min"}
    socket = await open_socket(alice)

    for ref in ("1", "2", "3", "4"):
        await socket.send_json_to({"type": "ping", "ref": ref})
    answers = [await frame(socket) for _ in range(4)]

    assert [a["type"] for a in answers] == ["pong", "pong", "pong", "error"]
    assert (answers[-1]["code"], answers[-1]["ref"]) == ("rate_limited", "4")


async def test_sends_past_their_own_limit_are_refused_and_store_nothing(people, settings):
    alice, _bob, chat = people
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "message_send": "2/min"}
    socket = await open_socket(alice)
    refs = [str(uuid.uuid4()) for _ in range(3)]

    for ref in refs:
        await socket.send_json_to(
            {"type": "message.send", "chat_id": chat.id, "text": "x", "client_msg_id": ref}
        )
    answers = [await frame(socket) for _ in range(3)]
    await socket.send_json_to({"type": "ping", "ref": "still"})  # other frames have their own limit

    assert [a["type"] for a in answers] == ["message.ack", "message.ack", "error"]
    assert (answers[-1]["code"], answers[-1]["ref"]) == ("rate_limited", refs[-1])
    assert await db(Message.objects.filter(chat_id=chat.id).count)() == 2
    assert (await frame(socket))["type"] == "pong"
    await socket.disconnect()
    await socket.disconnect()


async def test_frames_are_answered_in_order_across_idle_pauses(people):
    """A socket's frames are worked by a task that exists only while frames wait: after each
    pause a new one starts, and answers still come in the order the frames were sent."""
    alice, _bob, chat = people
    socket = await open_socket(alice)

    for burst in range(3):
        refs = [str(uuid.uuid4()) for _ in range(3)]
        for ref in refs:
            await socket.send_json_to(
                {"type": "message.send", "chat_id": chat.id, "text": f"b{burst}", "client_msg_id": ref}
            )
        await socket.send_json_to({"type": "ping", "ref": f"after-{burst}"})
        answers = [await frame(socket) for _ in range(4)]
        assert [a["ref"] for a in answers] == [*refs, f"after-{burst}"]
        assert await nothing_more(socket) is None  # idle: the worker is gone

    assert await db(Message.objects.filter(chat_id=chat.id).count)() == 9
    await socket.disconnect()


async def test_a_burst_past_the_frame_queue_is_refused_and_loses_nothing_acked(people, settings):
    alice, _bob, chat = people
    settings.WEBSOCKET_FRAME_QUEUE = 4
    socket = await open_socket(alice)
    refs = [str(uuid.uuid4()) for _ in range(40)]

    for ref in refs:  # sends take a database round trip each: the queue fills
        await socket.send_json_to(
            {"type": "message.send", "chat_id": chat.id, "text": "x", "client_msg_id": ref}
        )
    answers = [await frame(socket) for _ in range(40)]

    acked = [a["ref"] for a in answers if a["type"] == "message.ack"]
    refused = [a for a in answers if a["type"] == "error"]
    assert refused
    assert all(a["code"] == "too_many_frames" for a in refused)
    assert len(acked) + len(refused) == 40
    assert acked == [ref for ref in refs if ref in set(acked)]  # in the order sent
    stored = await db(
        lambda: set(Message.objects.filter(chat_id=chat.id).values_list("client_msg_id", flat=True))
    )()
    assert {str(ref) for ref in stored} == set(acked)
    await socket.send_json_to({"type": "ping", "ref": "still-open"})
    assert (await frame(socket))["ref"] == "still-open"
    await socket.disconnect()
