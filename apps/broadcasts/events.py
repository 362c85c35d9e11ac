"""The broadcasts app's events (the catalogue: apps.core.catalogue, docs/events.md)."""

from __future__ import annotations

from apps.core import documents
from apps.core.catalogue import Channel, declare

POST_CREATED = declare(
    "channels.post.created",
    Channel.DOMAIN,
    app="broadcasts",
    summary="A channel published a post (its subscribers' push notifications).",
    fields={
        "channel_id": "The channel.",
        "post_id": "The post (a string id).",
        "seq": "Its place in the channel.",
        "author_id": "The admin who posted it.",
    },
)


def post_created(post) -> dict:
    return POST_CREATED.payload(
        channel_id=post.channel_id, post_id=documents.dump_id(post.pk), seq=post.seq, author_id=post.author_id
    )
