"""Live frames to many users at once: one pipelined round trip on the Redis Pub/Sub layer
(apps.core.realtime), each user's frame on that user's sockets only."""

import asyncio
import json

import pytest
from channels.layers import channel_layers, get_channel_layer

from apps.core.realtime import send_frames_async, user_group

pytestmark = pytest.mark.redis


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    channel_layers.backends.clear()  # a layer's connections belong to the loop that made them
    yield
    channel_layers.backends.clear()


async def test_each_of_many_users_gets_their_own_frame_and_the_origin_is_excluded():
    layer = get_channel_layer()
    sockets = {}
    for user_id in range(900001, 900006):
        channel = await layer.new_channel()
        await layer.group_add(user_group(user_id), channel)
        sockets[user_id] = channel
    await asyncio.sleep(0.1)  # the subscriptions reach Redis

    await send_frames_async(
        {user_id: {"type": "ping", "for": user_id} for user_id in sockets}, exclude_channel=sockets[900001]
    )

    for user_id, channel in sockets.items():
        event = await asyncio.wait_for(layer.receive(channel), timeout=3)
        assert json.loads(event["text"]) == {"type": "ping", "for": user_id}
        assert event["exclude"] == sockets[900001]  # the consumer drops it on the sender's own socket
    for user_id, channel in sockets.items():
        await layer.group_discard(user_group(user_id), channel)
