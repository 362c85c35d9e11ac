"""Search in one's chats over encrypted text (the blind index of apps.chats.search), on
PostgreSQL, over N messages (default 1,000,000).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/telegram python bench/message_search.py

Creates a throw-away database next to DATABASE_URL's, fills it with N messages in 2,000 chats
(texts of 3-12 words drawn with a Zipf law from a seeded 20,000-word vocabulary, encrypted as
the app stores them) and their index rows, then times the selector behind
GET /api/v1/messages/search/?q= and GET /api/v1/chats/{id}/messages/?q= for a person in 50 of
the chats: common and rare words, 3- and 4-letter prefixes, two words, one chat. Prints the
percentiles, then drops the database.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.throwaway_db import throwaway_database

SYLLABLES = "ka lo mi ne ru sa ti vo ze ba de fi gu ho ja ke li mo nu pa re si to vu wa xe yo zu".split()
CHATS = 2000
MINE = 50  # the searcher's chats


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300, help="queries of each kind")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server (this benchmark measures PostgreSQL).")
    with throwaway_database("tg_bench_msearch"):
        return run(args)


def fill(args, rng, words, weights) -> tuple[object, list[int]]:
    from django.db import connection

    from apps.accounts.models import User
    from apps.chats import search
    from apps.chats.models import Chat, ChatMember, Message

    me = User.objects.create_user(username="searcher", password="x")
    chats = Chat.objects.bulk_create([Chat(kind="group", title=f"chat {n}") for n in range(CHATS)])
    mine = rng.sample([chat.pk for chat in chats], MINE)
    ChatMember.objects.bulk_create([ChatMember(chat_id=chat_id, user=me) for chat_id in mine])
    tokens = {word: search.tokens_now(word) for word in words}  # a word's terms' tokens
    cumulative = list(itertools.accumulate(weights))
    text_field, attachments_field = Message._meta.get_field("text"), Message._meta.get_field("attachments")
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS chats_term_lookup")
        cursor.execute("ALTER TABLE chats_messageterm DROP CONSTRAINT IF EXISTS chats_unique_term")
    started = time.perf_counter()
    seqs = dict.fromkeys((chat.pk for chat in chats), 0)
    chat_ids = [chat.pk for chat in chats]
    now = datetime.now(UTC)
    terms_written = 0
    with connection.cursor() as cursor:
        columns = "id, chat_id, seq, sender_id, text, attachments, created_at, deleted, version"
        copy_messages = f"COPY chats_message ({columns}) FROM STDIN"
        copy_terms = "COPY chats_messageterm (chat_id, message_id, token) FROM STDIN"
        batch = 50_000
        for offset in range(0, args.messages, batch):
            rows, term_lines = [], []
            for message_id in range(offset + 1, min(offset + batch, args.messages) + 1):
                chat_id = rng.choice(chat_ids)
                seqs[chat_id] += 1
                chosen = rng.choices(words, cum_weights=cumulative, k=rng.randint(3, 12))
                text = " ".join(chosen)
                row = Message(chat_id=chat_id, seq=seqs[chat_id])
                rows.append(
                    (
                        message_id,
                        chat_id,
                        seqs[chat_id],
                        me.pk,
                        text_field.seal(row, text),
                        attachments_field.seal(row, []),
                        now,
                        False,
                        1,
                    )
                )
                prefix = f"{chat_id}\t{message_id}\t"
                term_lines.extend(
                    prefix + token for token in {token for word in chosen for token in tokens[word]}
                )
            with cursor.copy(copy_messages) as copy:
                for row in rows:
                    copy.write_row(row)
            with cursor.copy(copy_terms) as copy:
                copy.write("\n".join(term_lines) + "\n")
            terms_written += len(term_lines)
            done = min(offset + batch, args.messages)
            print(
                f"\rmessages: {done:,}/{args.messages:,}, index rows: {terms_written:,}", end="", flush=True
            )
        print(f"\nfilled in {time.perf_counter() - started:.1f} s; building the index...", flush=True)
        started = time.perf_counter()
        cursor.execute("CREATE INDEX chats_term_lookup ON chats_messageterm (token, chat_id, message_id)")
        cursor.execute(
            "ALTER TABLE chats_messageterm ADD CONSTRAINT chats_unique_term UNIQUE (message_id, token)"
        )
        cursor.execute("ANALYZE")
        print(f"index built in {time.perf_counter() - started:.1f} s", flush=True)
    return me, mine


def run(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    from apps.chats.selectors import messages_search

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    words = vocabulary(rng, 20_000)
    rng.shuffle(words)
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf: a few words are everywhere
    me, mine = fill(args, rng, words, weights)

    common, rare = words[:200], words[5000:]
    kinds = {
        "common word": lambda: rng.choice(common),
        "rare word": lambda: rng.choice(rare),
        "3-letter prefix": lambda: rng.choice(words)[:3],
        "4-letter prefix": lambda: rng.choice(words)[:4],
        "two words": lambda: f"{rng.choice(common)} {rng.choice(words[:3000])}",
        "in one chat": lambda: rng.choice(words[:3000]),
    }
    for _ in range(50):  # warm the caches
        messages_search(user_id=me.pk, q=rng.choice(words), limit=20)
    print(f"{'query':<16} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'mean hits':>10}")
    for kind, make in kinds.items():
        timings, hits = [], []
        for _ in range(args.queries):
            q = make()
            chat_id = rng.choice(mine) if kind == "in one chat" else None
            begun = time.perf_counter()
            found = messages_search(user_id=me.pk, q=q, chat_id=chat_id, limit=20)
            timings.append((time.perf_counter() - begun) * 1000)
            hits.append(len(found["results"]))
        timings.sort()

        def pct(p, values=timings):
            return values[min(len(values) - 1, int(p * len(values)))]

        print(
            f"{kind:<16} {len(timings):>5} {pct(0.5):>8.2f} {pct(0.95):>8.2f} {pct(0.99):>8.2f} "
            f"{timings[-1]:>8.2f} {statistics.fmean(hits):>10.1f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
