"""Channel search over handle, title and description: public channels only, ranked.

One interface, three backends, chosen by CHANNEL_SEARCH_BACKEND:
- `postgres` (default on PostgreSQL): full-text search with prefixes (a GIN index on
  `search_vector`); typos are corrected against a dictionary of the words in use (`SearchTerm`,
  a trigram index), then searched the same way;
- `simple` (SQLite): substring match, by subscriber count;
- `elasticsearch` (ELASTICSEARCH_URL set): django-elasticsearch-dsl, fuzzy multi-match; the
  index is updated by Celery tasks after commit, never in the request. If Elasticsearch fails,
  the search falls back to the database backend.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Func, IntegerField, Q, Value, When
from django.db.models.functions import Length, Lower, Trim

from apps.core.breaker import search_breaker

from .models import Channel, SearchTerm

logger = logging.getLogger(__name__)

# How many corrections of a word the typo search tries, and how many matches of that broader
# search are ranked.
NEAR_SPELLINGS = 3
FALLBACK_CANDIDATES = 500


def _database_backend() -> str:
    return "postgres" if connection.vendor == "postgresql" else "simple"


def channel_indexed(channel: Channel) -> None:
    """Keep the channel's search data in step (call inside the transaction that changed it)."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchVector

        Channel.objects.filter(pk=channel.pk).update(
            search_vector=SearchVector("handle", weight="A", config="simple")
            + SearchVector("title", weight="A", config="simple")
            + SearchVector("description", weight="B", config="simple")
        )
        search_terms_add(channel_ids=[channel.pk])
    if settings.CHANNEL_SEARCH_BACKEND == "elasticsearch":
        from .tasks import channel_search_index

        transaction.on_commit(lambda: channel_search_index.delay(channel.pk), robust=True)


def search_terms_add(*, channel_ids: list[int] | None = None) -> None:
    """Add the words of these channels' vectors (or of all channels) to the typo dictionary."""
    # ts_stat takes the query as text: the ids are written into it (ints only, so nothing to
    # escape; the cursors bind parameters on the server, where a query text cannot be bound).
    ids = ",".join(str(int(channel_id)) for channel_id in channel_ids or [])
    where = f"WHERE id = ANY('{{{ids}}}'::bigint[])" if channel_ids is not None else ""
    inner = f"SELECT search_vector FROM {Channel._meta.db_table} {where}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SearchTerm._meta.db_table} (word) "  # noqa: S608
            # Words of letters only: numbers (as in handles like news_2024) are not misspelt.
            "SELECT word FROM ts_stat(%s) WHERE length(word) BETWEEN 3 AND 100 AND word ~ '^[[:alpha:]]+$' "
            "ON CONFLICT DO NOTHING",
            [inner],
        )


def channel_removed(channel_id: int) -> None:
    if settings.CHANNEL_SEARCH_BACKEND == "elasticsearch":
        from .tasks import channel_search_index

        transaction.on_commit(lambda: channel_search_index.delay(channel_id), robust=True)


def _words(q: str) -> list[str]:
    """The query's words, lower case: letters, digits and _ only (nothing typed is syntax)."""
    return re.findall(r"\w+", q.lower())[:8]


def _exactly(words: list[str]) -> tuple[Case, Trim]:
    """(1 for a channel whose handle, or whose title as words, is exactly the query, else 0;
    the title as words). An exact match is what the person meant: first, whatever its size
    ("X Gardens" for "x gardens", before "The x gardens club" and before bigger channels)."""
    title_words = Trim(Func(Lower("title"), Value(r"\W+"), Value(" "), Value("g"), function="regexp_replace"))
    return Case(
        When(Q(handle="_".join(words)) | Q(handle="".join(words)), then=Value(1)),
        When(Q(title_words=" ".join(words)), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    ), title_words


# After an exact match and the text's rank: the shorter title (more of it is what was asked),
# then the bigger channel.
_TIES = ("title_length", "-subscriber_count", "id")


def _fts(
    public, words, expression: str, limit: int, exclude: list[Channel], *, candidates: int | None = None
):
    """Channels matching the tsquery `expression`, best ranked first. With `candidates`, only
    that many matches are ranked (a broad OR query can match thousands)."""
    from django.contrib.postgres.search import SearchQuery, SearchRank

    query = SearchQuery(expression, config="simple", search_type="raw")
    matching = public.filter(search_vector=query).exclude(pk__in=[c.pk for c in exclude])
    if candidates is not None:
        matching = public.filter(pk__in=matching.values("pk")[:candidates])
    exact, title_words = _exactly(words)
    return list(
        matching.annotate(title_words=title_words)
        .annotate(exact=exact, rank=SearchRank(F("search_vector"), query), title_length=Length("title"))
        .order_by("-exact", "-rank", *_TIES)[:limit]
    )


def _near_spellings(word: str) -> list[str]:
    """The dictionary words nearest to `word` by trigram distance (its likely corrections)."""
    from django.contrib.postgres.search import TrigramDistance

    return list(
        SearchTerm.objects.filter(word__trigram_similar=word)
        .annotate(distance=TrigramDistance("word", word))
        .order_by("distance")
        .values_list("word", flat=True)[:NEAR_SPELLINGS]
    )


def _postgres(q: str, limit: int) -> list[Channel]:
    """Every word as a prefix, all of them, through the full-text GIN index, ranked; when that
    finds too few, any of the words or their nearest spellings in the dictionary of search terms
    (typos), through the same index. (Ranking trigram similarity over the channels themselves
    measured p99 ~90-130 ms over 100k channels: bench/README.md.)"""
    public = Channel.objects.filter(is_public=True, taken_down_at__isnull=True)
    words = _words(q)
    if not words:
        return []
    found = _fts(public, words, " & ".join(f"{word}:*" for word in words), limit, [])
    if len(found) < limit:
        # Any word, exactly (the last as a prefix: it may still be being typed), or one of its
        # nearest spellings; only the first FALLBACK_CANDIDATES matches are ranked.
        terms = [f"{words[-1]}:*", *words[:-1]]
        known = set(SearchTerm.objects.filter(word__in=words).values_list("word", flat=True))
        for word in words:
            if len(word) >= 3 and word not in known:  # a word in use is not a typo
                terms += _near_spellings(word)
        expression = " | ".join(dict.fromkeys(terms))
        found += _fts(public, words, expression, limit - len(found), found, candidates=FALLBACK_CANDIDATES)
    return found


def _simple(q: str, limit: int) -> list[Channel]:
    """The query's words as a substring; the exact handle or title first, then the shorter
    title, then size."""
    words = _words(q)
    if not words:
        return []
    phrase, handle = " ".join(words), "_".join(words)
    exact = Case(
        When(Q(handle=handle) | Q(handle="".join(words)) | Q(title__iexact=phrase), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return list(
        Channel.objects.filter(is_public=True, taken_down_at__isnull=True)
        .filter(Q(handle__contains=handle) | Q(title__icontains=phrase) | Q(description__icontains=phrase))
        .annotate(exact=exact, title_length=Length("title"))
        .order_by("-exact", *_TIES)[:limit]
    )


def elasticsearch_query(q: str, limit: int):
    from elasticsearch.dsl import Q as ESQ

    from .documents import ChannelDocument

    return (
        ChannelDocument.search()
        .query(ESQ("multi_match", query=q, fields=["handle^3", "title^2", "description"], fuzziness="AUTO"))
        .filter("term", is_public=True)
        .extra(size=limit)
    )


def _elasticsearch(q: str, limit: int) -> list[Channel]:
    ids = [int(hit.meta.id) for hit in elasticsearch_query(q, limit).execute()]
    found = Channel.objects.filter(is_public=True, taken_down_at__isnull=True).in_bulk(ids)
    ranked = [found[i] for i in ids if i in found]
    words = _words(q)
    exact = {"_".join(words), "".join(words), " ".join(words)}

    def is_exact(channel: Channel) -> bool:
        return channel.handle in exact or " ".join(_words(channel.title)) in exact

    return sorted(ranked, key=lambda channel: not is_exact(channel))  # stable: ES's order after


BACKENDS = {"postgres": _postgres, "simple": _simple, "elasticsearch": _elasticsearch}


def channel_search(*, q: str, limit: int = 20) -> list[Channel]:
    backend = settings.CHANNEL_SEARCH_BACKEND or _database_backend()
    if backend == "elasticsearch":
        if search_breaker.allow():
            try:
                found = _elasticsearch(q, limit)
            except Exception as exc:  # any transport or server error: degrade, never fail the search
                search_breaker.failure()
                logger.warning(
                    "elasticsearch search failed; using the database", extra={"error": type(exc).__name__}
                )
            else:
                search_breaker.success()
                return found
        backend = _database_backend()
    return BACKENDS[backend](q, limit)
