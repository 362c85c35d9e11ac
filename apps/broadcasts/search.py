"""Channel search over handle, title and description: public channels only, ranked.

One interface, three backends, chosen by CHANNEL_SEARCH_BACKEND:
- `postgres` (default on PostgreSQL): full-text search (a GIN index on `search_vector`) or
  trigram similarity on handle and title (GIN trigram indexes, for typos), ranked by both;
- `simple` (SQLite): substring match, by subscriber count;
- `elasticsearch` (ELASTICSEARCH_URL set): django-elasticsearch-dsl, fuzzy multi-match; the
  index is updated by Celery tasks after commit, never in the request. If Elasticsearch fails,
  the search falls back to the database backend.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q

from .models import Channel

logger = logging.getLogger(__name__)


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
    if settings.CHANNEL_SEARCH_BACKEND == "elasticsearch":
        from .tasks import channel_search_index

        transaction.on_commit(lambda: channel_search_index.delay(channel.pk))


def channel_removed(channel_id: int) -> None:
    if settings.CHANNEL_SEARCH_BACKEND == "elasticsearch":
        from .tasks import channel_search_index

        transaction.on_commit(lambda: channel_search_index.delay(channel_id))


def _postgres(q: str, limit: int) -> list[Channel]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
    from django.db.models.functions import Greatest

    query = SearchQuery(q, config="simple", search_type="websearch")
    return list(
        Channel.objects.filter(is_public=True, taken_down_at__isnull=True)
        .filter(Q(search_vector=query) | Q(handle__trigram_similar=q) | Q(title__trigram_similar=q))
        .annotate(
            rank=SearchRank(F("search_vector"), query)
            + Greatest(TrigramSimilarity("handle", q), TrigramSimilarity("title", q))
        )
        .order_by("-rank", "-subscriber_count", "id")[:limit]
    )


def _simple(q: str, limit: int) -> list[Channel]:
    return list(
        Channel.objects.filter(is_public=True, taken_down_at__isnull=True)
        .filter(Q(handle__icontains=q) | Q(title__icontains=q) | Q(description__icontains=q))
        .order_by("-subscriber_count", "id")[:limit]
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
    return [found[i] for i in ids if i in found]


BACKENDS = {"postgres": _postgres, "simple": _simple, "elasticsearch": _elasticsearch}


def channel_search(*, q: str, limit: int = 20) -> list[Channel]:
    backend = settings.CHANNEL_SEARCH_BACKEND or _database_backend()
    if backend == "elasticsearch":
        try:
            return _elasticsearch(q, limit)
        except Exception as exc:  # any transport or server error: degrade, never fail the search
            logger.warning(
                "elasticsearch search failed; using the database", extra={"error": type(exc).__name__}
            )
            backend = _database_backend()
    return BACKENDS[backend](q, limit)
