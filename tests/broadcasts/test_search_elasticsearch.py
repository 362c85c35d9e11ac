"""The Elasticsearch backend. No Elasticsearch server can run on this project's machines: the
query construction, the backend choice and the fallback are tested here; the test against a
real server runs only with ELASTICSEARCH_URL set (see docs/operations.md) and is reported as
skipped otherwise."""

import os
from types import SimpleNamespace

import pytest
from elasticsearch.dsl import connections

from apps.broadcasts import search, services

pytestmark = pytest.mark.django_db


def test_query_is_a_fuzzy_multi_match_over_public_channels():
    built = search.elasticsearch_query("kiten", 7).to_dict()

    assert built == {
        "query": {
            "bool": {
                "must": [
                    {
                        "multi_match": {
                            "query": "kiten",
                            "fields": ["handle^3", "title^2", "description"],
                            "fuzziness": "AUTO",
                        }
                    }
                ],
                "filter": [{"term": {"is_public": True}}],
            }
        },
        "size": 7,
    }


def test_an_exact_title_or_handle_comes_first_in_what_elasticsearch_ranked(settings, owner, monkeypatch):
    """Elasticsearch's answer, at its boundary (no server runs here), in its order: the exact
    title is moved first, the others keep theirs."""
    made = [
        services.channel_create(owner=owner, handle=handle, title=title)
        for handle, title in [
            ("club_one", "The x gardens club"),
            ("more_two", "X gardens and more"),
            ("small_three", "X Gardens"),
        ]
    ]

    class Answer:
        def execute(self):
            return [SimpleNamespace(meta=SimpleNamespace(id=str(channel.pk))) for channel in made]

    monkeypatch.setattr(search, "elasticsearch_query", lambda q, limit: Answer())
    settings.CHANNEL_SEARCH_BACKEND = "elasticsearch"

    found = search.channel_search(q="X gardens", limit=5)

    assert [channel.handle for channel in found] == ["small_three", "club_one", "more_two"]


def test_an_unreachable_elasticsearch_falls_back_to_the_database(settings, owner):
    services.channel_create(owner=owner, handle="kitten_news", title="Kitten news")
    settings.CHANNEL_SEARCH_BACKEND = "elasticsearch"
    connections.configure(default={"hosts": "http://127.0.0.1:9", "request_timeout": 0.5})
    try:
        found = search.channel_search(q="kitten", limit=5)
    finally:
        connections.configure(**settings.ELASTICSEARCH_DSL)

    assert [c.handle for c in found] == ["kitten_news"]


@pytest.mark.skipif(
    not os.environ.get("ELASTICSEARCH_URL"), reason="needs a real Elasticsearch: set ELASTICSEARCH_URL"
)
def test_real_elasticsearch_indexes_through_the_task_and_finds_with_typos(settings, owner):
    from apps.broadcasts.documents import ChannelDocument

    settings.CHANNEL_SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_CHANNEL_INDEX = "channels-test"
    connections.configure(default={"hosts": os.environ["ELASTICSEARCH_URL"]})
    ChannelDocument._index.delete(ignore=[404])
    ChannelDocument.init()
    channel = services.channel_create(owner=owner, handle="kitten_news", title="Kitten news")
    from apps.broadcasts.tasks import channel_search_index

    channel_search_index(channel.id)
    ChannelDocument._index.refresh()

    assert [c.handle for c in search.channel_search(q="kiten", limit=5)] == ["kitten_news"]
