"""Channel search latency on PostgreSQL over N channels (default 100,000).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/telegram python bench/search.py --channels 100000

Creates a throw-away database next to DATABASE_URL's, fills it with generated channels (titles
and descriptions drawn from a fixed vocabulary, seeded), then times the search selector
(`apps.broadcasts.search.channel_search`, the code behind GET /api/v1/channels/?q=) for whole
words, two-word queries, typos and handle prefixes. Drops the database at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.throwaway_db import throwaway_database

SYLLABLES = "ka lo mi ne ru sa ti vo ze ba de fi gu ho ja ke li mo nu pa re si to vu wa xe yo zu".split()


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def typo(rng: random.Random, word: str) -> str:
    index = rng.randrange(1, len(word))
    return word[:index] + word[index + 1 :]  # one letter dropped


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--channels", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400, help="queries of each kind")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        raise SystemExit(
            "Set DATABASE_URL to a PostgreSQL server (this benchmark measures the Postgres backend)."
        )
    with throwaway_database("tg_bench_search"):
        return run(args)


def run(args) -> int:
    import django

    django.setup()
    from django.contrib.postgres.search import SearchVector
    from django.core.management import call_command
    from django.db import connection

    from apps.accounts.models import User
    from apps.broadcasts.models import Channel
    from apps.broadcasts.search import channel_search, search_terms_add

    call_command("migrate", verbosity=0)
    rng = random.Random(42)
    words = vocabulary(rng, 3000)
    owner = User.objects.create_user(username="bench_owner", password="x")
    started = time.perf_counter()
    batch = 5000
    for offset in range(0, args.channels, batch):
        Channel.objects.bulk_create(
            [
                Channel(
                    handle=f"{rng.choice(words)}_{offset + i}"[:32],
                    title=" ".join(rng.choice(words) for _ in range(rng.randint(2, 4))).title(),
                    description=" ".join(rng.choice(words) for _ in range(rng.randint(8, 20))),
                    owner=owner,
                    is_public=rng.random() > 0.1,
                    subscriber_count=int(rng.paretovariate(1.2)),
                    invite_token=uuid.uuid4().hex,
                )
                for i in range(min(batch, args.channels - offset))
            ]
        )
        print(f"\rchannels: {min(offset + batch, args.channels):,}/{args.channels:,}", end="", flush=True)
    Channel.objects.update(
        search_vector=SearchVector("handle", weight="A", config="simple")
        + SearchVector("title", weight="A", config="simple")
        + SearchVector("description", weight="B", config="simple")
    )
    search_terms_add()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE broadcasts_channel")
        cursor.execute("ANALYZE broadcasts_searchterm")
    print(f"\nfilled and indexed in {time.perf_counter() - started:.1f} s")

    kinds = {
        "one word": lambda: rng.choice(words),
        "two words": lambda: f"{rng.choice(words)} {rng.choice(words)}",
        "typo": lambda: typo(rng, rng.choice([w for w in words if len(w) >= 6])),
        "handle prefix": lambda: rng.choice(words)[:5],
    }
    for _ in range(50):  # warm the caches
        channel_search(q=rng.choice(words), limit=20)
    print(f"{'query':<14} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'mean hits':>10}")
    for kind, make in kinds.items():
        timings, hits = [], []
        for _ in range(args.queries):
            q = make()
            begun = time.perf_counter()
            found = channel_search(q=q, limit=20)
            timings.append((time.perf_counter() - begun) * 1000)
            hits.append(len(found))
        timings.sort()

        def pct(p, values=timings):
            return values[min(len(values) - 1, int(p * len(values)))]

        print(
            f"{kind:<14} {len(timings):>5} {pct(0.5):>8.2f} {pct(0.95):>8.2f} {pct(0.99):>8.2f} "
            f"{timings[-1]:>8.2f} {statistics.fmean(hits):>10.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
