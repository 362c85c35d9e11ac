"""The hot path's benchmark matrix in one command: starts two daphne instances (production code
paths: connection pool, Redis Pub/Sub channel layer and cache; rate limits' values lifted, not
removed) on a fresh database, runs every measure against them and prints one table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/telegram REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python bench/matrix.py            # the whole matrix, about two minutes
    ... bench/matrix.py --smoke                      # seconds: that every measure still runs

Measures (targets from the hot-path issue):
- socket chat: pairs across the two instances, 4 messages in flight per socket;
- REST send: 16 clients sending to direct chats;
- history: 16 clients reading the newest page of 50;
- idle delivery: one REST send on instance A at a time, to a socket on instance B;
- group of 200: one message, until all 200 members' sockets have it;
- connect storm: sockets opened at once to one instance, and its memory per idle socket.

`--scaling 1,2,4` instead measures REST sends and history pages against 1, 2 and 4 instances.

Loopback only; bounded in time and count; it stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from websockets.asyncio.client import connect

from bench.chat_ws import load_phase, percentile, prepare, rest_phase, sign_up, websocket_phase
from tests.e2e.servers import Stack, api

MEASURES = ("chat", "rest", "history", "idle", "group", "storm")


def ms(values: list[float]) -> list[float]:
    return [value * 1000 for value in values]


def spread_phase(servers, pairs: list[dict], seconds: float, concurrency: int, kind: str) -> dict:
    """REST sends or history pages from `concurrency` clients, client i on server i mod n."""

    def request(pair, index) -> bool:
        server, token = servers[index % len(servers)], pair["tokens"][0]
        path = f"/api/v1/chats/{pair['chat']}/messages/"
        if kind == "rest":
            return api(server, "POST", path, {"text": "rest bench"}, token)[0] == 201
        return api(server, "GET", f"{path}?limit=50", token=token)[0] == 200

    return load_phase(pairs, seconds, concurrency, request)


def scaling(counts: list[int], seconds: float, pairs: int) -> None:
    """REST sends and history pages at 16 clients against 1, 2, 4, ... instances (the web role
    keeps no state of its own: what it can serve grows with the cores it gets)."""
    print(f"\n{'instances':>9} | {'REST sends/s':>12} | {'history pages/s':>15}")
    for count in counts:
        with (
            tempfile.TemporaryDirectory() as tmp,
            Stack(instances=count, tmp=Path(tmp), settings="telegram.settings.bench") as stack,
        ):
            prepared = prepare(stack.servers, pairs)
            rest = spread_phase(stack.servers, prepared, seconds, 16, "rest")
            history = spread_phase(stack.servers, prepared, seconds, 16, "history")
        print(
            f"{count:>9} | {rest['sent'] / rest['elapsed']:>12,.0f} | "
            f"{history['sent'] / history['elapsed']:>15,.0f}",
            flush=True,
        )


def history_phase(pairs: list[dict], seconds: float, concurrency: int) -> dict:
    def read(pair, index) -> bool:
        server, token = pair["ends"][index % 2]
        return api(server, "GET", f"/api/v1/chats/{pair['chat']}/messages/?limit=50", token=token)[0] == 200

    return load_phase(pairs, seconds, concurrency, read)


async def idle_delivery(pair: dict, sends: int) -> list[float]:
    """REST send on instance A, the recipient's socket on instance B; one message at a time."""
    (a, a_token), (b, b_token) = pair["ends"]
    latencies = []
    async with connect(b.ws, subprotocols=["bearer", b_token], open_timeout=10) as socket:
        await socket.send(json.dumps({"type": "ping", "ref": "ready"}))
        await socket.recv()
        loop = asyncio.get_running_loop()
        for _ in range(sends):
            started = time.perf_counter()
            await loop.run_in_executor(
                None, api, a, "POST", f"/api/v1/chats/{pair['chat']}/messages/", {"text": "idle"}, a_token
            )
            while json.loads(await asyncio.wait_for(socket.recv(), 5))["type"] != "message.new":
                pass
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.02)
    return latencies


async def _until_seen(socket, text: str) -> None:
    while True:
        frame = json.loads(await socket.recv())
        if frame["type"] in ("message.new", "message.ack") and frame["message"]["text"] == text:
            return


async def group_fanout(servers, members: int, messages: int) -> list[float]:
    """Time from a send until every member's socket has the message, per message."""
    run = uuid.uuid4().hex[:5]
    with ThreadPoolExecutor(8) as pool:
        people = list(pool.map(lambda i: sign_up(servers[i % len(servers)], run, i), range(members)))
    owner_token = people[0][1]
    _, group = api(
        servers[0],
        "POST",
        "/api/v1/chats/",
        {"kind": "group", "title": "bench", "member_ids": [user_id for user_id, _ in people[1:]]},
        owner_token,
    )
    sockets = [
        await connect(
            servers[i % len(servers)].ws, subprotocols=["bearer", token], open_timeout=20, max_queue=None
        )
        for i, (_, token) in enumerate(people)
    ]
    latencies = []
    try:
        for index in range(messages):
            marker = f"fanout {index}"
            started = time.perf_counter()
            await sockets[0].send(
                json.dumps(
                    {
                        "type": "message.send",
                        "chat_id": group["id"],
                        "text": marker,
                        "client_msg_id": str(uuid.uuid4()),
                    }
                )
            )

            await asyncio.wait_for(asyncio.gather(*(_until_seen(s, marker) for s in sockets)), 10)
            latencies.append(time.perf_counter() - started)
    finally:
        await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
    return latencies


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def connect_storm(server, token: str, count: int, concurrency: int) -> dict:
    """Open `count` sockets to one instance at once (`concurrency` handshakes in flight); the
    rate, and the server's memory per idle socket."""
    before = rss_kib(server.process.pid)
    gate = asyncio.Semaphore(concurrency)
    sockets = []

    async def one():
        async with gate:
            sockets.append(await connect(server.ws, subprotocols=["bearer", token], open_timeout=30))

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(count)))
    elapsed = time.perf_counter() - started
    await asyncio.sleep(1)
    after = rss_kib(server.process.pid)
    await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
    return {"rate": count / elapsed, "kib_per_socket": (after - before) / count}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="a seconds-long run of every measure")
    parser.add_argument("--seconds", type=float, default=15, help="length of each timed measure")
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--group", type=int, default=200, help="members of the fan-out group")
    parser.add_argument("--sockets", type=int, default=2000, help="sockets of the connect storm")
    parser.add_argument(
        "--only",
        default=",".join(MEASURES),
        help=f"a comma-separated subset of the measures ({', '.join(MEASURES)})",
    )
    parser.add_argument(
        "--scaling",
        help="instead of the matrix: REST sends and history pages against each of these numbers "
        "of instances, e.g. 1,2,4",
    )
    args = parser.parse_args()
    if args.scaling:
        scaling([int(count) for count in args.scaling.split(",")], args.seconds, args.pairs)
        return 0
    only = set(args.only.split(","))
    if only - set(MEASURES):
        parser.error(f"--only takes some of: {', '.join(MEASURES)}")
    if args.smoke:
        args.seconds, args.pairs, args.group, args.sockets = 1.0, 2, 5, 20
    rows: list[tuple[str, str, str]] = []

    with (
        tempfile.TemporaryDirectory() as tmp,
        Stack(instances=2, tmp=Path(tmp), settings="telegram.settings.bench") as stack,
    ):
        servers = stack.servers
        pairs = prepare(servers, args.pairs)

        if "chat" in only:
            chat = asyncio.run(websocket_phase(pairs, args.seconds, window=4))
            lat = ms(chat["latencies"])
            rows.append(
                (
                    "socket chat, delivered",
                    f"{chat['delivered'] / chat['elapsed']:,.0f} msg/s, p99 {percentile(lat, 0.99):.0f} ms, "
                    f"{chat['lost']} lost, {chat['late']} after 5 s, {chat['errors']} refused",
                    ">= 2,000 msg/s, p99 <= 50 ms, 0 lost",
                )
            )
        if "rest" in only:
            rest = rest_phase(pairs, args.seconds, 16)
            rest_p99 = percentile(ms(rest["latencies"]), 0.99)
            rows.append(
                (
                    "REST send, 16 clients",
                    f"{rest['sent'] / rest['elapsed']:,.0f} msg/s, p99 {rest_p99:.0f} ms",
                    ">= 1,000 msg/s, p99 <= 50 ms",
                )
            )
        if "history" in only:
            history = history_phase(pairs, args.seconds, 16)
            rows.append(
                (
                    "history page of 50, 16 clients",
                    f"{history['sent'] / history['elapsed']:,.0f} pages/s, "
                    f"p99 {percentile(ms(history['latencies']), 0.99):.0f} ms",
                    ">= 2,000 pages/s, p99 <= 20 ms",
                )
            )
        if "idle" in only:
            idle = ms(asyncio.run(idle_delivery(pairs[0], 10 if args.smoke else 200)))
            rows.append(
                (
                    "idle delivery, REST on A -> socket on B",
                    f"p50 {percentile(idle, 0.5):.1f} ms, p99 {percentile(idle, 0.99):.1f} ms",
                    "p50 <= 5 ms, p99 <= 15 ms",
                )
            )
        if "group" in only:
            fanout = ms(asyncio.run(group_fanout(servers, args.group, 3 if args.smoke else 30)))
            rows.append(
                (
                    f"group of {args.group}, one message on every socket",
                    f"p50 {percentile(fanout, 0.5):.0f} ms, p99 {percentile(fanout, 0.99):.0f} ms",
                    "p99 <= 100 ms (200 members)",
                )
            )
        if "storm" in only:
            storm = asyncio.run(connect_storm(servers[0], pairs[0]["tokens"][0], args.sockets, 100))
            rows.append(
                (
                    f"connect storm, {args.sockets} sockets to one instance",
                    f"{storm['rate']:,.0f} connects/s, {storm['kib_per_socket']:.0f} KiB per idle socket",
                    ">= 1,000 connects/s (10,000 sockets), <= 40 KiB",
                )
            )

    width = max(len(name) for name, _, _ in rows)
    result_width = max(len(result) for _, result, _ in rows)
    print(f"\n{'measure'.ljust(width)} | {'result'.ljust(result_width)} | target")
    print(f"{'-' * width}-|-{'-' * result_width}-|-------")
    for name, result, target in rows:
        print(f"{name.ljust(width)} | {result.ljust(result_width)} | {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
