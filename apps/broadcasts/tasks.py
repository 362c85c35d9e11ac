from celery import shared_task


@shared_task(ignore_result=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def channel_search_index(channel_id: int) -> None:
    """Bring one channel's Elasticsearch document in step: index it, or drop it if it is gone,
    private or taken down."""
    from .documents import ChannelDocument
    from .models import Channel

    channel = Channel.objects.filter(pk=channel_id, taken_down_at__isnull=True).first()
    if channel is None:
        ChannelDocument.get_index_client().delete(
            index=ChannelDocument.Index.name, id=channel_id, ignore=[404]
        )
        return
    ChannelDocument().update(channel)
