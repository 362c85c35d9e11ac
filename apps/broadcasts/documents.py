"""The Elasticsearch index of channels (django-elasticsearch-dsl). Built with
`manage.py search_index --rebuild`; kept in step by the `channel_search_index` task."""

from django.conf import settings
from django_elasticsearch_dsl import Document
from django_elasticsearch_dsl.registries import registry

from .models import Channel


@registry.register_document
class ChannelDocument(Document):
    class Index:
        name = settings.ELASTICSEARCH_CHANNEL_INDEX
        settings = {"number_of_shards": 1, "number_of_replicas": 0}

    class Django:
        model = Channel
        fields = ["handle", "title", "description", "is_public", "subscriber_count"]
        queryset_pagination = 5000

    def get_queryset(self):
        return super().get_queryset().filter(taken_down_at__isnull=True)

    @classmethod
    def get_index_client(cls):
        return cls._get_connection()
