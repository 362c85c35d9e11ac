"""Live delivery over the channel layer: each socket joins `user.<id>`, so a frame sent to that
group reaches every device of the user on every server instance.

Delivery is at most once and happens after commit; what a socket misses, its client gets from
the update log (`updates/?since=`)."""

from __future__ import annotations

import asyncio
import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


async def send_frames_async(frames: dict[int, dict], *, exclude_channel: str | None = None) -> None:
    layer = get_channel_layer()
    sends = [
        layer.group_send(
            user_group(user_id),
            {"type": "deliver", "text": json.dumps(frame, cls=DjangoJSONEncoder), "exclude": exclude_channel},
        )
        for user_id, frame in frames.items()
    ]
    results = await asyncio.gather(*sends, return_exceptions=True)
    failures = [result for result in results if isinstance(result, Exception)]
    if failures:
        # Committed already: the clients catch up from the update log.
        logger.warning(
            "live delivery failed", extra={"failed": len(failures), "error": type(failures[0]).__name__}
        )


def send_frames(frames: dict[int, dict], *, exclude_channel: str | None = None) -> None:
    """Send each user their frame (sync callers: services, after commit)."""
    if frames:
        async_to_sync(send_frames_async)(frames, exclude_channel=exclude_channel)


def send_control(user_id: int, message: dict) -> None:
    """A control message to every socket of a user (e.g. close after a ban)."""
    async_to_sync(get_channel_layer().group_send)(user_group(user_id), message)
