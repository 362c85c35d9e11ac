"""A Redis outage, on a real daphne with a Redis of its own that the test kills: REST keeps
answering, a send is stored and answered with success, health says what is down within its
timeout, and when Redis is back sockets connect and catch up on what they missed."""

import asyncio
import json
import time
import urllib.request
import uuid

import pytest
from websockets.asyncio.client import connect

from tests.e2e.servers import Stack, api, sign_up
from tests.redis_tools import PrivateRedis

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]


async def next_frame(ws, kind, timeout=5):
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == kind:
                return frame


def health(server) -> tuple[int, dict, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"{server.http}/api/health/", timeout=10) as response:  # noqa: S310
            status, body = response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        status, body = error.code, json.loads(error.read())
    return status, body, time.monotonic() - started


def test_with_redis_down_rest_works_and_sends_succeed_then_everything_recovers(tmp_path):
    with (
        PrivateRedis(tmp_path) as redis,
        Stack(
            instances=1, tmp=tmp_path, env={"REDIS_URL": redis.url(0), "HEALTH_CHECK_TIMEOUT": "1.5"}
        ) as stack,
    ):
        (server,) = stack.servers
        suffix = uuid.uuid4().hex[:6]
        _alice_id, alice = sign_up(server, f"alice{suffix}")
        bob_id, bob = sign_up(server, f"bob{suffix}")
        status, chat = api(server, "POST", "/api/v1/chats/", {"kind": "direct", "user_id": bob_id}, alice)
        assert status == 201
        messages = f"/api/v1/chats/{chat['id']}/messages/"
        assert api(server, "GET", messages, token=bob)[0] == 200  # the history cache is built
        bob_pts = api(server, "GET", "/api/v1/updates/state/", token=bob)[1]["pts"]

        async def open_socket():
            socket = await connect(server.ws, subprotocols=["bearer", alice], open_timeout=5)
            await socket.send(json.dumps({"type": "ping", "ref": "up"}))
            await next_frame(socket, "pong")
            return socket

        async def send_over(socket, text):
            client_msg_id = str(uuid.uuid4())
            await socket.send(
                json.dumps(
                    {
                        "type": "message.send",
                        "chat_id": chat["id"],
                        "text": text,
                        "client_msg_id": client_msg_id,
                    }
                )
            )
            async with asyncio.timeout(5):
                while True:
                    frame = json.loads(await socket.recv())
                    if frame.get("ref") == client_msg_id:
                        return frame

        loop = asyncio.new_event_loop()
        alice_ws = loop.run_until_complete(open_socket())

        redis.kill()

        # A socket that was open sends while Redis is down: the message is stored and acked.
        acked = loop.run_until_complete(send_over(alice_ws, "sent over the socket while redis was down"))
        assert acked["type"] == "message.ack", acked
        loop.run_until_complete(alice_ws.close())
        loop.close()
        status, me = api(server, "GET", "/api/v1/auth/me/", token=alice)
        assert (status, me["username"]) == (200, f"alice{suffix}")
        started = time.monotonic()
        status, sent = api(server, "POST", messages, {"text": "sent while redis was down"}, alice)
        assert status == 201, sent
        assert time.monotonic() - started < 2.5
        history = api(server, "GET", messages, token=bob)
        assert history[0] == 200
        assert [m["text"] for m in history[1]["results"]] == [
            "sent while redis was down",
            "sent over the socket while redis was down",
        ]
        status, report, took = health(server)
        assert status == 503
        assert report["checks"]["cache"]["status"] == "down"
        assert report["checks"]["database"]["status"] == "ok"
        assert took < 1.5 + 1.0

        redis.start()  # the same port, empty: as a restart without persistence

        async def catch_up_and_live():
            async with connect(server.ws, subprotocols=["bearer", bob], open_timeout=5) as bob_ws:
                await bob_ws.send(json.dumps({"type": "sync", "since": bob_pts, "ref": "s1"}))
                missed = await next_frame(bob_ws, "sync")
                await asyncio.sleep(0.3)
                api(server, "POST", messages, {"text": "after the restart"}, alice)
                live = await next_frame(bob_ws, "message.new")
                return missed, live

        missed, live = asyncio.run(catch_up_and_live())
        assert [u["message"]["text"] for u in missed["updates"]] == [
            "sent over the socket while redis was down",
            "sent while redis was down",
        ]
        assert live["message"]["text"] == "after the restart"
        assert health(server)[0] == 200
