"""Two real daphne instances behave as one: users on different instances talk both ways, and a
client that drops off catches up exactly, through either instance."""

import asyncio
import json
import uuid

import pytest
from websockets.asyncio.client import connect

from tests.e2e.servers import Stack, api, sign_up

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack(instances=2, tmp=tmp_path_factory.mktemp("e2e")) as running:
        yield running


async def next_frame(ws, kind, timeout=5, **match):
    """The next frame of type `kind` whose fields equal `match`; others are passed over."""
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
                return frame


async def send(ws, kind, **fields):
    """Send a frame; a message.send gets a fresh client_msg_id."""
    if kind == "message.send":
        fields.setdefault("client_msg_id", str(uuid.uuid4()))
    await ws.send(json.dumps({"type": kind, **fields}))


def socket(server, token):
    return connect(server.ws, subprotocols=["bearer", token], open_timeout=5)


async def test_two_instances_deliver_both_ways_and_catch_up_exactly(stack):
    a, b = stack.servers
    suffix = uuid.uuid4().hex[:6]
    alice_id, alice = sign_up(a, f"alice{suffix}")
    bob_id, bob = sign_up(b, f"bob{suffix}")
    status, chat = api(a, "POST", "/api/v1/chats/", {"kind": "direct", "user_id": bob_id}, alice)
    assert status == 201
    chat_id = chat["id"]

    async with socket(a, alice) as alice_ws, socket(b, bob) as bob_ws:
        # A -> B
        await send(alice_ws, "message.send", chat_id=chat_id, text="hi from A")
        ack = await next_frame(alice_ws, "message.ack")
        new = await next_frame(bob_ws, "message.new")
        assert new["message"]["text"] == "hi from A"
        assert new["message"]["id"] == ack["message"]["id"]
        # B -> A
        await send(bob_ws, "message.send", chat_id=chat_id, text="hi from B")
        assert (await next_frame(alice_ws, "message.new"))["message"]["text"] == "hi from B"
        # edits, deletes, typing and read receipts, both ways
        message_id = ack["message"]["id"]
        await send(alice_ws, "message.edit", chat_id=chat_id, message_id=message_id, text="hello from A")
        assert (await next_frame(bob_ws, "message.edited"))["message"]["text"] == "hello from A"
        await send(bob_ws, "typing", chat_id=chat_id)
        assert (await next_frame(alice_ws, "typing"))["user_id"] == bob_id
        await send(alice_ws, "typing", chat_id=chat_id)
        assert (await next_frame(bob_ws, "typing"))["user_id"] == alice_id
        await send(alice_ws, "message.send", chat_id=chat_id, text="read me")
        assert (await next_frame(bob_ws, "message.new"))["message"]["seq"] == 3
        await send(bob_ws, "read", chat_id=chat_id, seq=3)
        assert (await next_frame(alice_ws, "read", user_id=bob_id))["seq"] == 3
        await send(bob_ws, "message.send", chat_id=chat_id, text="read me too")
        assert (await next_frame(alice_ws, "message.new"))["message"]["seq"] == 4
        await send(alice_ws, "read", chat_id=chat_id, seq=4)
        assert (await next_frame(bob_ws, "read", user_id=alice_id))["seq"] == 4
        await send(alice_ws, "message.delete", chat_id=chat_id, message_id=message_id, for_everyone=True)
        deleted = await next_frame(bob_ws, "message.deleted")
        assert deleted["message_id"] == message_id
        bob_pts = deleted["pts"]

        # B drops off; A sends, edits and deletes meanwhile.
        await bob_ws.close()
        missed = []
        for text in ("while away 1", "while away 2", "while away 3"):
            await send(alice_ws, "message.send", chat_id=chat_id, text=text)
            missed.append((await next_frame(alice_ws, "message.ack"))["message"])
        await send(
            alice_ws,
            "message.edit",
            chat_id=chat_id,
            message_id=missed[0]["id"],
            text="while away 1 (edited)",
        )
        await next_frame(alice_ws, "message.edited")
        await send(alice_ws, "message.delete", chat_id=chat_id, message_id=missed[1]["id"], for_everyone=True)
        await next_frame(alice_ws, "message.deleted")

    # History catch-up after the last seq B saw: exactly the messages still there.
    for server in (a, b):
        status, page = api(server, "GET", f"/api/v1/chats/{chat_id}/messages/?after_seq=4", token=bob)
        assert status == 200
        assert [m["text"] for m in page["results"]] == ["while away 1 (edited)", "while away 3"]

    # The update log through either instance: every event once, in order.
    answers = [api(server, "GET", f"/api/v1/updates/?since={bob_pts}", token=bob)[1] for server in (a, b)]
    assert answers[0] == answers[1]
    updates = answers[0]["updates"]
    assert [u["type"] for u in updates] == ["message.new"] * 3 + ["message.edited", "message.deleted"]
    assert [u["pts"] for u in updates] == list(range(bob_pts + 1, bob_pts + 6))
    assert [u["message"]["id"] for u in updates[:3]] == [m["id"] for m in missed]
    assert updates[4]["message_id"] == missed[1]["id"]

    # Reconnecting through the other instance, a sync frame gives the same.
    async with socket(a, bob) as bob_again:
        await send(bob_again, "sync", since=bob_pts)
        assert (await next_frame(bob_again, "sync"))["updates"] == updates
