"""Push fan-out: from a channel post being created to every push batch being handed to the
push backend, for channels of N subscribers (default 10,000 and 100,000), each with a device.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/telegram REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python bench/push_fanout.py --subscribers 10000 100000 --workers 4

Creates a throw-away database next to DATABASE_URL's, fills it (users, subscriptions, one
device each; 1 in 20 has muted the channel), then for each size:

1. `--workers 0`: everything inline in this process (Celery eager), one batch after another;
2. `--workers N` (needs REDIS_URL): the post's event enqueues the fan-out on a real Celery
   broker (Redis database 15), and a real `celery worker --pool threads -c N` plans and sends.

The backend records when each batch reached it (a Redis list), so no push leaves the machine.
Prints batches, devices and the time from the post's commit to the last batch handed over.
Drops the database at the end; stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.throwaway_db import throwaway_database  # noqa: E402

RECORD_KEY = "bench:push:batches"


class RecordingBackend:
    """The push backend of this benchmark: notes (time, devices) of each batch in Redis."""

    def send(self, *, devices, push):
        from apps.core.cache import redis_client
        from apps.notifications.push import PushOutcome

        redis_client().rpush(RECORD_KEY, json.dumps([time.time(), len(devices)]))
        return PushOutcome(sent=len(devices))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscribers", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[0, 4], help="0: inline; N: a worker, N threads"
    )
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres") or not os.environ.get("REDIS_URL"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server and REDIS_URL to a Redis server.")
    redis_url = os.environ["REDIS_URL"]
    with throwaway_database(
        "tg_bench_push",
        NATS_URL="",  # the in-process bus hands the event to Celery at once
        PUSH_BACKEND="bench.push_fanout.RecordingBackend",
        CELERY_BROKER_URL=urlunparse(urlparse(redis_url)._replace(path="/15")),
    ):
        return run(args)


def fill(count: int, channel, offset: int) -> None:
    from django.contrib.auth.hashers import make_password
    from fcm_django.models import FCMDevice

    from apps.accounts.models import User
    from apps.broadcasts.models import Subscription
    from apps.notifications.models import Mute

    password = make_password(None)
    step = 5000
    for start in range(0, count, step):
        users = User.objects.bulk_create(
            [
                User(username=f"b{offset + start + i}", password=password)
                for i in range(min(step, count - start))
            ]
        )
        Subscription.objects.bulk_create([Subscription(channel=channel, user=u) for u in users])
        FCMDevice.objects.bulk_create(
            [
                FCMDevice(user=u, registration_id=f"bench-token-{u.pk}-{'x' * 120}", type="android")
                for u in users
            ]
        )
        Mute.objects.bulk_create(
            [Mute(user=u, kind="channel", target_id=channel.pk) for u in users if u.pk % 20 == 0]
        )
        print(f"\r  subscribers: {min(start + step, count):,}/{count:,}", end="", flush=True)
    print()


def measure(channel, owner, workers: int) -> tuple[int, int, float]:
    """(batches, devices, seconds from the post's commit to the last batch handed over)."""
    from fcm_django.models import FCMDevice

    from apps.broadcasts import services
    from apps.core import events
    from apps.core.cache import redis_client
    from apps.notifications.models import Mute
    from telegram.celery import app

    expected = (
        FCMDevice.objects.filter(active=True)
        .filter(user_id__in=channel.subscriptions.values("user_id"))
        .exclude(user_id__in=Mute.objects.filter(kind="channel", target_id=channel.pk).values("user_id"))
        .count()
    )
    app.conf.task_always_eager = workers == 0
    redis = redis_client()
    redis.delete(RECORD_KEY)
    services.post_create(user=owner, channel_id=channel.pk, text="bench")
    committed = time.time()
    events.outbox_wait()
    deadline = time.time() + 300
    while time.time() < deadline:
        batches = [json.loads(raw) for raw in redis.lrange(RECORD_KEY, 0, -1)]
        if sum(n for _, n in batches) >= expected:
            break
        time.sleep(0.05)
    devices = sum(n for _, n in batches)
    last = max((t for t, _ in batches), default=committed)
    return len(batches), devices, last - committed


def run(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from apps.accounts.models import User
    from apps.broadcasts import services

    call_command("migrate", verbosity=0)
    owner = User.objects.create_user(username="bench_owner", password="x")
    print(f"{'subscribers':>11} {'mode':>16} {'batches':>8} {'devices':>8} {'post -> last batch':>20}")
    results = []
    filled = 0
    for size in sorted(args.subscribers):
        channel = services.channel_create(owner=owner, handle=f"bench_{size}", title=f"Bench {size}")
        print(f"filling a channel of {size:,}")
        fill(size, channel, filled)
        filled += size
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        for workers in args.workers:
            worker = None
            if workers:
                worker = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "--quiet",
                        "-A",
                        "telegram",
                        "worker",
                        "--pool",
                        "threads",
                        "-c",
                        str(workers),
                        "--loglevel",
                        "WARNING",
                        "--without-gossip",
                        "--without-mingle",
                    ],
                    cwd=ROOT,
                    env={**os.environ, "CELERY_TASK_ALWAYS_EAGER": "false"},
                    stdout=subprocess.DEVNULL,
                )
                time.sleep(4)  # the worker connects to the broker
            try:
                batches, devices, seconds = measure(channel, owner, workers)
            finally:
                if worker:
                    worker.terminate()
                    worker.wait(timeout=30)
            mode = "inline" if not workers else f"worker x{workers}"
            results.append((size, mode, batches, devices, seconds))
            print(f"{size:>11,} {mode:>16} {batches:>8} {devices:>8,} {seconds:>18.2f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
