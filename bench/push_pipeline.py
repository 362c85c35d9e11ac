"""The push pipeline end to end: messages sent to recipients with no socket open, at a steady
rate, and for each message the time from its send to its push reaching the push backend
(outbox -> NATS -> bridge -> Celery: plan, then send the batch -> backend).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/telegram REDIS_URL=redis://127.0.0.1:6379/1 \\
    NATS_URL=nats://127.0.0.1:4222 .venv/bin/python bench/push_pipeline.py --rate 200 --seconds 15

Starts one web instance, the NATS bridge and one Celery worker on a fresh database (their own
NATS stream), signs up `--pairs` pairs (each recipient registers a device and never opens a
socket), then sends `--rate` messages a second over REST for `--seconds`. The push backend of
this benchmark notes (time, message id) of each push in Redis, so no push leaves the machine.
Prints sends, pushes received, and the send -> push latency (p50, p99, max). Loopback only;
bounded in time; it stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.chat_ws import percentile, prepare
from tests.e2e.servers import Stack, api

RECORD_KEY = "bench:pipeline:pushes"


class RecordingBackend:
    """The push backend of this benchmark: notes (time, message id) of each push in Redis."""

    def send(self, *, devices, push):
        from apps.core.cache import redis_client
        from apps.notifications.push import PushOutcome

        redis_client().rpush(RECORD_KEY, json.dumps([time.time(), push.data.get("message_id"), len(devices)]))
        return PushOutcome(sent=len(devices))


def send_steadily(pairs: list[dict], rate: float, seconds: float) -> tuple[dict[str, float], float]:
    """({message id: when its send was answered}, seconds it took) of `rate` REST sends a second
    for `seconds`, spread over the pairs, each from the pair's first person to the second (who
    has no socket)."""
    sent: dict[str, float] = {}
    lock = threading.Lock()
    start = time.time()
    total = int(rate * seconds)

    def one(index: int) -> None:
        due = start + index / rate
        time.sleep(max(0.0, due - time.time()))
        pair = pairs[index % len(pairs)]
        server, token = pair["ends"][0]
        status, body = api(server, "POST", f"/api/v1/chats/{pair['chat']}/messages/", {"text": "ping"}, token)
        if status == 201:  # committed when answered: the pipeline's clock starts here
            with lock:
                sent[body["id"]] = time.time()

    with ThreadPoolExecutor(32) as pool:
        list(pool.map(one, range(total)))
    return sent, time.time() - start


def outbox_delays(database_url: str) -> list[float]:
    """Seconds from each event's commit to its publication to NATS (the first stage)."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT EXTRACT(EPOCH FROM published_at - created_at) FROM core_outboxevent "
            "WHERE published_at IS NOT NULL ORDER BY 1"
        ).fetchall()
    return [float(seconds) for (seconds,) in rows]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=200, help="messages a second")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--drain", type=float, default=120, help="seconds to wait for the last pushes")
    parser.add_argument("--smoke", action="store_true", help="a seconds-long run")
    args = parser.parse_args()
    if args.smoke:
        args.rate, args.seconds, args.pairs, args.drain = 20, 1, 4, 30
    if not os.environ.get("NATS_URL"):
        raise SystemExit("Set NATS_URL (and DATABASE_URL, REDIS_URL): the pipeline runs through NATS.")

    env = {"PUSH_BACKEND": "bench.push_pipeline.RecordingBackend", "CELERY_TASK_ALWAYS_EAGER": "false"}
    with (
        tempfile.TemporaryDirectory() as tmp,
        Stack(instances=1, tmp=Path(tmp), settings="telegram.settings.bench", env=env) as stack,
    ):
        import redis

        records = redis.Redis.from_url(stack.env["REDIS_URL"])
        stack.start_bridge()
        stack.start_worker()
        (server,) = stack.servers
        pairs = prepare([server], args.pairs)
        for pair in pairs:
            token = pair["tokens"][1]
            device = {"registration_id": f"bench-{uuid.uuid4().hex}", "type": "android"}
            status, body = api(server, "POST", "/api/v1/devices/", device, token)
            if status != 201:
                raise SystemExit(f"device registration failed ({status}): {body}")
        time.sleep(3)  # the bridge and the worker connect
        records.delete(RECORD_KEY)

        sent, took = send_steadily(pairs, args.rate, args.seconds)
        deadline = time.time() + args.drain
        received: dict[str, float] = {}
        seen = 0
        while time.time() < deadline and len(received) < len(sent):
            for raw in records.lrange(RECORD_KEY, seen, -1):
                seen += 1
                at, message_id, _devices = json.loads(raw)
                received.setdefault(message_id, at)
            time.sleep(0.2)
        outbox = outbox_delays(stack.env["DATABASE_URL"])

    latencies = sorted(received[m] - at for m, at in sent.items() if m in received)
    print(
        f"sent {len(sent)} messages in {took:.1f} s ({len(sent) / took:.0f}/s), "
        f"pushes received {len(received)}"
    )
    if outbox:
        print(
            f"commit -> published to NATS: p50 {percentile(outbox, 0.5):.2f} s, "
            f"p99 {percentile(outbox, 0.99):.2f} s, max {outbox[-1]:.2f} s"
        )
    if latencies:
        print(
            f"send -> push: p50 {percentile(latencies, 0.5):.2f} s, p99 {percentile(latencies, 0.99):.2f} s, "
            f"max {latencies[-1]:.2f} s"
        )
    return 0 if len(received) == len(sent) else 1


if __name__ == "__main__":
    sys.exit(main())
