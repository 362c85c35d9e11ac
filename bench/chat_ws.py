"""WebSocket chat benchmark: pairs of clients send to each other for a fixed time; prints the
delivered messages per second and the end-to-end latency (send -> the recipient's socket has
it), then the REST send rate.

    # spawn two daphne instances on a fresh Postgres database and Redis (needs DATABASE_URL, REDIS_URL)
    python bench/chat_ws.py --spawn 2 --pairs 50 --seconds 20
    # or against servers already running (each pair's two people on different servers)
    python bench/chat_ws.py --url http://127.0.0.1:8000 --url http://127.0.0.1:8001

Loopback only; bounded in time; it stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from websockets.asyncio.client import connect

from tests.e2e.servers import Stack, api

PASSWORD = "violet-anchor-meadow-17"


class Target:
    """A server to talk to: `api()` needs an object with `.http` and `.ws`."""

    def __init__(self, url: str):
        parsed = urlparse(url)
        if parsed.hostname not in {"127.0.0.1", "localhost", "::1"}:
            raise SystemExit("This benchmark targets loopback servers only.")
        self.http = url.rstrip("/")
        self.ws = f"ws://{parsed.netloc}/ws/"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def sign_up(server, run: str, index: int) -> tuple[int, str]:
    name = f"b{run}{index}"
    status, body = api(server, "POST", "/api/v1/auth/register/", {"username": name, "password": PASSWORD})
    if status != 201:
        raise SystemExit(f"registration failed ({status}): {body}")
    _, tokens = api(server, "POST", "/api/v1/auth/token/", {"username": name, "password": PASSWORD})
    return body["id"], tokens["access"]


def prepare(servers, pairs: int) -> list[dict]:
    """Users and one direct chat per pair; the two people of a pair on different servers."""
    run = uuid.uuid4().hex[:5]
    with ThreadPoolExecutor(8) as pool:
        people = list(pool.map(lambda i: sign_up(servers[i % len(servers)], run, i), range(2 * pairs)))
    result = []
    for p in range(pairs):
        (_, a_token), (b_id, b_token) = people[2 * p], people[2 * p + 1]
        _, chat = api(servers[0], "POST", "/api/v1/chats/", {"kind": "direct", "user_id": b_id}, a_token)
        result.append(
            {
                "chat": chat["id"],
                "ends": [(servers[0], a_token), (servers[1 % len(servers)], b_token)],
                "tokens": [a_token, b_token],
            }
        )
    return result


async def websocket_phase(
    pairs: list[dict], seconds: float, window: int, one_way: bool = False, rate: float | None = None
) -> dict:
    sent_at: dict[str, float] = {}
    ack_wait: dict[str, float] = {}
    latencies: list[float] = []
    ack_latencies: list[float] = []
    counters = {"sent": 0, "acked": 0, "errors": 0}
    error_codes: dict[str, int] = {}
    last_delivery = [0.0]

    async def reader(ws, slots: asyncio.Semaphore):
        async for raw in ws:
            frame = json.loads(raw)
            kind = frame["type"]
            if kind == "message.new":
                started = sent_at.pop(frame["message"]["client_msg_id"], None)
                if started is not None:
                    last_delivery[0] = time.perf_counter()
                    latencies.append(last_delivery[0] - started)
            elif kind == "message.ack":
                counters["acked"] += 1
                started = ack_wait.pop(frame["ref"], None)
                if started is not None:
                    ack_latencies.append(time.perf_counter() - started)
                slots.release()
            elif kind == "error":
                counters["errors"] += 1
                error_codes[frame.get("code")] = error_codes.get(frame.get("code"), 0) + 1
                # Refused, so never delivered: an error, not a lost frame.
                sent_at.pop(frame.get("ref"), None)
                ack_wait.pop(frame.get("ref"), None)
                slots.release()

    senders = len(pairs) * (1 if one_way else 2)
    interval = senders / rate if rate else 0.0  # each socket's share of the total rate

    async def writer(ws, chat_id: int, slots: asyncio.Semaphore):
        next_at = time.perf_counter()
        while time.perf_counter() < stop_at:
            if interval:
                next_at += interval
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            await slots.acquire()
            client_msg_id = str(uuid.uuid4())
            sent_at[client_msg_id] = ack_wait[client_msg_id] = time.perf_counter()
            await ws.send(
                json.dumps(
                    {
                        "type": "message.send",
                        "chat_id": chat_id,
                        "text": "bench " * 8,
                        "client_msg_id": client_msg_id,
                    }
                )
            )
            counters["sent"] += 1

    # Every socket is open before anyone writes: a message to a person not connected yet is not
    # delivered live, by design (it waits in their update log), and is no lost frame.
    sockets, tasks, planned = [], [], []
    for pair in pairs:
        for end, (server, token) in enumerate(pair["ends"]):
            ws = await connect(server.ws, subprotocols=["bearer", token], open_timeout=10, max_queue=None)
            slots = asyncio.Semaphore(window)
            sockets.append(ws)
            tasks.append(asyncio.create_task(reader(ws, slots)))
            if not (one_way and end == 1):
                planned.append((ws, pair["chat"], slots))
    stop_at = time.perf_counter() + seconds
    writers = [asyncio.create_task(writer(ws, chat, slots)) for ws, chat, slots in planned]
    tasks += writers
    began = time.perf_counter()
    await asyncio.gather(*writers)
    deadline = time.perf_counter() + 15  # let the last messages arrive, late ones too
    while sent_at and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    elapsed = max(last_delivery[0], began + seconds) - began  # not the wait for stragglers
    late = sum(1 for latency in latencies if latency > 5)
    for ws in sockets:
        await ws.close()
    for task in tasks:
        task.cancel()
    return {
        **counters,
        "delivered": len(latencies),
        # Sent and not refused, yet not on the other socket 15 s after the last send.
        "lost": len(sent_at),
        "late": late,  # delivered, but more than 5 s after its send
        "error_codes": error_codes,
        "elapsed": elapsed,
        "latencies": latencies,
        "ack_latencies": ack_latencies,
    }


def load_phase(pairs: list[dict], seconds: float, concurrency: int, request) -> dict:
    """`concurrency` clients, each repeating `request(pair, index)` (True when it succeeded)
    for `seconds`: how many succeeded, in how long, and their latencies."""
    stop_at = time.perf_counter() + seconds
    latencies: list[float] = []

    def worker(index: int) -> int:
        pair = pairs[index % len(pairs)]
        done = 0
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            if request(pair, index):
                done += 1
                latencies.append(time.perf_counter() - started)
        return done

    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        total = sum(pool.map(worker, range(concurrency)))
    return {"sent": total, "elapsed": time.perf_counter() - began, "latencies": latencies}


def rest_phase(pairs: list[dict], seconds: float, concurrency: int) -> dict:
    def send(pair, _index) -> bool:
        server, token = pair["ends"][0]
        path = f"/api/v1/chats/{pair['chat']}/messages/"
        return api(server, "POST", path, {"text": "rest bench"}, token)[0] == 201

    return load_phase(pairs, seconds, concurrency, send)


def report(title: str, count: int, elapsed: float, latencies: list[float]) -> None:
    ms = [value * 1000 for value in latencies]
    print(
        f"{title}: {count} in {elapsed:.1f} s = {count / elapsed:,.0f}/s; latency ms "
        f"p50 {percentile(ms, 0.50):.1f}  p95 {percentile(ms, 0.95):.1f}  p99 {percentile(ms, 0.99):.1f}"
        + (f"  mean {statistics.fmean(ms):.1f}" if ms else "")
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", action="append", default=[], help="a running server (repeat for two)")
    parser.add_argument("--spawn", type=int, choices=[1, 2], help="start this many daphne instances")
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--window", type=int, default=4, help="messages in flight per socket")
    parser.add_argument(
        "--one-way", action="store_true", help="one person of each pair sends, the other reads"
    )
    parser.add_argument(
        "--rate", type=float, help="total messages per second (paced); default: as fast as acks allow"
    )
    parser.add_argument("--logs", type=Path, help="keep the spawned servers' logs in this folder")
    parser.add_argument("--rest-seconds", type=float, default=10)
    parser.add_argument("--rest-concurrency", type=int, default=8)
    args = parser.parse_args()
    if bool(args.url) == bool(args.spawn):
        parser.error("give --url (one or two) or --spawn N")

    def run(servers) -> None:
        sockets = 2 * args.pairs
        print(f"{len(servers)} server(s); {args.pairs} pairs ({sockets} sockets); ", end="")
        print(f"window {args.window}; {args.seconds:.0f} s; rate {args.rate or 'unpaced'}")
        pairs = prepare(servers, args.pairs)
        ws = asyncio.run(websocket_phase(pairs, args.seconds, args.window, args.one_way, args.rate))
        print(f"sent {ws['sent']}, acked {ws['acked']}, errors {ws['errors']}, ", end="")
        print(f"delivered after 5 s {ws['late']}, never delivered {ws['lost']}, refused {ws['error_codes']}")
        report("WebSocket delivered", ws["delivered"], ws["elapsed"], ws["latencies"])
        report("WebSocket acked", ws["acked"], ws["elapsed"], ws["ack_latencies"])
        rest = rest_phase(pairs, args.rest_seconds, args.rest_concurrency)
        report(
            f"REST sends ({args.rest_concurrency} concurrent)",
            rest["sent"],
            rest["elapsed"],
            rest["latencies"],
        )

    if args.spawn:
        with tempfile.TemporaryDirectory() as tmp:
            logs = args.logs or Path(tmp)
            logs.mkdir(parents=True, exist_ok=True)
            with Stack(instances=args.spawn, tmp=logs, settings="telegram.settings.bench") as stack:
                run(stack.servers)
    else:
        run([Target(url) for url in args.url])
    return 0


if __name__ == "__main__":
    sys.exit(main())
