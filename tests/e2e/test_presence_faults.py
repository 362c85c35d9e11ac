"""Presence heals after a server process dies: its users stop counting as online within
PRESENCE_TTL, so a message to them is pushed again (the event for members with no socket)."""

import asyncio
import json
import time
import uuid

import psycopg
import pytest
from websockets.asyncio.client import connect

from tests.e2e.servers import Stack, api, sign_up

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]


def _pushed_to(stack, user_id: int) -> int:
    """How many `chats.message.created` events named `user_id` as offline."""
    with psycopg.connect(stack.env["DATABASE_URL"]) as conn:
        rows = conn.execute(
            "SELECT payload FROM core_outboxevent WHERE subject LIKE %s", ["%chats.message.created"]
        ).fetchall()
    return sum(
        user_id in (payload if isinstance(payload, dict) else json.loads(payload))["offline_member_ids"]
        for (payload,) in rows
    )


def test_a_dead_servers_sockets_stop_counting_as_online(tmp_path):
    with Stack(instances=2, tmp=tmp_path, env={"PRESENCE_TTL": "2", "PRESENCE_HEARTBEAT": "0.5"}) as stack:
        a, b = stack.servers
        suffix = uuid.uuid4().hex[:6]
        _alice_id, alice = sign_up(a, f"alice{suffix}")
        bob_id, bob = sign_up(a, f"bob{suffix}")
        _, chat = api(a, "POST", "/api/v1/chats/", {"kind": "direct", "user_id": bob_id}, alice)
        messages = f"/api/v1/chats/{chat['id']}/messages/"

        async def bob_online_then_his_server_dies():
            async with connect(b.ws, subprotocols=["bearer", bob], open_timeout=5) as socket:
                await socket.send(json.dumps({"type": "ping", "ref": "up"}))
                await socket.recv()
                assert api(a, "POST", messages, {"text": "bob is online"}, alice)[0] == 201
                b.process.kill()  # SIGKILL: no disconnect handler runs, nothing is cleaned up
                b.process.wait(timeout=10)

        asyncio.run(bob_online_then_his_server_dies())
        assert _pushed_to(stack, bob_id) == 0  # he had a socket open

        time.sleep(2.5)  # PRESENCE_TTL, with no heartbeat from the dead process
        assert api(a, "POST", messages, {"text": "bob's server died"}, alice)[0] == 201

        assert _pushed_to(stack, bob_id) == 1
