"""How fast could the hot path be on this machine at all? The same generators as `make bench`
(the socket chat, and REST sends from 16 clients) against three servers, one after the other:

- `bare`: one process relaying in memory (the `websockets` library for sockets, a raw asyncio
  responder for HTTP): the generators' own ceiling on these cores;
- `stack`: two daphne instances of `bench/floor_app.py`: daphne, Channels and the Redis Pub/Sub
  layer with sealed frames, and a plain Django view with no middleware: the stack
  docs/architecture.md prescribes, with no application on it;
- `product`: two daphne instances of the real server (`telegram.settings.bench`).

    python bench/floor.py --seconds 8            # needs DATABASE_URL and REDIS_URL for `product`
    python bench/floor.py --only bare,stack
    python bench/floor.py --smoke                # seconds: that every server and measure runs

Loopback only; bounded in time; it stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.chat_ws import Target, percentile, prepare, rest_phase, websocket_phase  # noqa: E402
from bench.matrix import connect_storm  # noqa: E402
from tests.e2e.servers import Stack, _next_redis_db  # noqa: E402
from tests.ports import free_port  # noqa: E402


async def _bare_relay(port: int, http_port: int) -> None:
    """The least a relay can do: ack to the sender, the frame to the other member's socket."""
    from websockets.asyncio.server import serve

    sockets: dict[int, object] = {}

    async def handle(ws):
        user = int(ws.request.headers["Sec-WebSocket-Protocol"].split(",")[1])
        sockets[user] = ws
        async for raw in ws:
            frame = json.loads(raw)
            chat = frame["chat_id"]
            await ws.send(json.dumps({"type": "message.ack", "ref": frame["client_msg_id"]}))
            message = {"chat_id": chat, "text": frame["text"], "client_msg_id": frame["client_msg_id"]}
            peer = sockets.get(2 * chat + 1 if user == 2 * chat else 2 * chat)
            if peer is not None:
                await peer.send(json.dumps({"type": "message.new", "message": message}))

    async def respond(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """HTTP: read one request, answer 201 with a small JSON body, close (as urllib asks)."""
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.lower().split(b"\r\n")
        length = next((int(line.split(b":")[1]) for line in lines if line.startswith(b"content-length")), 0)
        body = await reader.readexactly(length)
        answer = json.dumps({"text": json.loads(body or b"{}").get("text", "")}).encode()
        writer.write(
            b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(answer)}\r\n\r\n".encode()
            + answer
        )
        await writer.drain()
        writer.close()

    http = await asyncio.start_server(respond, "127.0.0.1", http_port)
    async with serve(handle, "127.0.0.1", port, subprotocols=["bearer"]), http:
        await asyncio.Future()


def _wait_listening(port: int, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"the server on :{port} exited with {process.returncode}:\n{log.read_text()[-3000:]}"
            )
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on :{port} after {timeout:.0f} s")


@contextlib.contextmanager
def _processes(argvs: list[list[str]], env: dict[str, str], logs: Path):
    """Start each command with `{port}` replaced by a free port (and `{port2}` by another)."""
    started = []
    try:
        for index, argv in enumerate(argvs):
            port, log = free_port(), logs / f"server-{index}.log"
            ports = {"{port}": str(port), "{port2}": str(free_port())}
            process = subprocess.Popen(
                [ports.get(arg, arg) for arg in argv],
                cwd=ROOT,
                env=env,
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            )
            process.port2 = int(ports["{port2}"])
            started.append((port, process, log))
        for port, process, log in started:
            _wait_listening(port, process, log)
        targets = []
        for port, process, _log in started:
            target = Target(f"http://127.0.0.1:{port}")
            target.process = process  # for the connect storm's memory reading
            targets.append(target)
        yield targets
    finally:
        for _, process, _log in started:
            process.terminate()
        for _, process, _log in started:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def _synthetic_pairs(servers, pairs: int) -> list[dict]:
    """Chat `c` between people `2c` and `2c+1`, each on another server; the token is the id."""
    return [
        {
            "chat": c,
            "ends": [(servers[0], str(2 * c)), (servers[1 % len(servers)], str(2 * c + 1))],
        }
        for c in range(pairs)
    ]


def _figures(count: int, elapsed: float, latencies: list[float]) -> dict:
    ms = [value * 1000 for value in latencies]
    return {"rate": count / elapsed, "p50": percentile(ms, 0.5), "p99": percentile(ms, 0.99)}


def measure(pairs: list[dict], args, http_pairs: list[dict] | None = None) -> dict:
    """The socket chat, then REST sends from `--clients` clients (to `http_pairs`' servers),
    then the connect storm against the first server."""
    chat = asyncio.run(websocket_phase(pairs, args.seconds, args.window))
    rest = rest_phase(http_pairs or pairs, args.seconds, args.clients)
    server, token = pairs[0]["ends"][0]
    storm = asyncio.run(connect_storm(server, token, args.sockets, 100))
    return {
        "chat": {**_figures(chat["delivered"], chat["elapsed"], chat["latencies"]), "lost": chat["lost"]},
        "rest": _figures(rest["sent"], rest["elapsed"], rest["latencies"]),
        "storm": storm,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--window", type=int, default=4, help="messages in flight per socket")
    parser.add_argument("--clients", type=int, default=16, help="REST clients")
    parser.add_argument("--sockets", type=int, default=2000, help="sockets of the connect storm")
    parser.add_argument("--only", default="bare,stack,product")
    parser.add_argument("--smoke", action="store_true", help="a seconds-long run of everything")
    parser.add_argument("--serve-bare", type=int, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.pairs, args.sockets = 1.0, 2, 20
    if args.serve_bare:
        asyncio.run(_bare_relay(*args.serve_bare))
        return 0

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "telegram.settings.bench", "CI": ""}
    if "REDIS_URL" in os.environ:
        env["REDIS_URL"] = _next_redis_db(os.environ["REDIS_URL"])
    daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", "{port}"]
    daphne.append("bench.floor_app:application")
    rows = []
    with tempfile.TemporaryDirectory(prefix="tg-floor-") as tmp:
        logs = Path(tmp)
        for name in args.only.split(","):
            print(f"{name}: {args.pairs} pairs, window {args.window}, {args.seconds:.0f} s", flush=True)
            if name == "bare":
                bare = [sys.executable, __file__, "--serve-bare", "{port}", "{port2}"]
                with _processes([bare], env, logs) as servers:
                    # Its HTTP responder listens on the second port.
                    http = [Target(f"http://127.0.0.1:{servers[0].process.port2}")]
                    http_pairs = _synthetic_pairs(http, args.pairs)
                    figures = measure(_synthetic_pairs(servers, args.pairs), args, http_pairs)
            elif name == "stack":
                with _processes([daphne, daphne], env, logs) as servers:
                    figures = measure(_synthetic_pairs(servers, args.pairs), args)
            elif name == "product":
                with (
                    tempfile.TemporaryDirectory() as stack_tmp,
                    Stack(instances=2, tmp=Path(stack_tmp), settings="telegram.settings.bench") as stack,
                ):
                    figures = measure(prepare(stack.servers, args.pairs), args)
            else:
                parser.error(f"unknown server {name!r}: bare, stack or product")
            rows.append((name, figures))

    print(f"\n| server | socket chat, delivered | REST sends, {args.clients} clients | connect storm |")
    print("|---|---|---|---|")
    for name, f in rows:
        chat, rest, storm = f["chat"], f["rest"], f["storm"]
        print(
            f"| {name} | {chat['rate']:,.0f} msg/s, p50 {chat['p50']:.0f} ms, p99 {chat['p99']:.0f} ms, "
            f"{chat['lost']} never delivered | {rest['rate']:,.0f}/s, p50 {rest['p50']:.0f} ms, "
            f"p99 {rest['p99']:.0f} ms | {storm['rate']:,.0f} connects/s, "
            f"{storm['kib_per_socket']:.0f} KiB a socket |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
