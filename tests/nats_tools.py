"""NATS for tests: synchronous helpers around nats-py, and a private nats-server to restart."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
from pathlib import Path

from tests.ports import free_port, wait_for_port


async def _with_js(url: str, work):
    import nats

    client = await nats.connect(url, connect_timeout=2, max_reconnect_attempts=1)
    try:
        return await work(client.jetstream(timeout=5))
    finally:
        await client.close()


def stream_drop(url: str, stream: str) -> None:
    from nats.js.errors import NotFoundError

    async def work(js):
        with contextlib.suppress(NotFoundError):
            await js.delete_stream(stream)

    asyncio.run(_with_js(url, work))


def stream_purge(url: str, stream: str) -> None:
    from nats.js.errors import NotFoundError

    async def work(js):
        with contextlib.suppress(NotFoundError):
            await js.purge_stream(stream)

    asyncio.run(_with_js(url, work))


def publish(url: str, subject: str, data: bytes, headers: dict | None = None) -> None:
    async def work(js):
        await js.publish(subject, data, headers=headers)

    asyncio.run(_with_js(url, work))


def consumer_info(url: str, stream: str, durable: str):
    async def work(js):
        return await js.consumer_info(stream, durable)

    return asyncio.run(_with_js(url, work))


def stream_messages(url: str, stream: str) -> list:
    """Every message the stream holds, oldest first (subject, data, headers)."""
    from nats.js.errors import NotFoundError

    async def work(js):
        try:
            info = await js.stream_info(stream)
        except NotFoundError:
            return []
        found = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            with contextlib.suppress(NotFoundError):
                message = await js.get_msg(stream, seq)
                found.append((message.subject, message.data, message.headers or {}))
        return found

    return asyncio.run(_with_js(url, work))


class PrivateNats:
    """A nats-server of our own (JetStream, its store in `folder`) that a test may stop and
    start again on the same port, as an operator restarting NATS would."""

    def __init__(self, folder: Path):
        self.binary = shutil.which("nats-server") or "/usr/sbin/nats-server"
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> PrivateNats:
        self.process = subprocess.Popen(
            [self.binary, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, what="nats-server")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
