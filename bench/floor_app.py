"""The hot path with none of the application: what daphne, Channels and the Redis Pub/Sub
channel layer (sealed frames, as in production) cost a message on their own, and what daphne
and Django cost a request. Served by `bench/floor.py`; never part of the product.

Speaks just enough of docs/websocket.md for `bench/chat_ws.py`'s generator: the bearer
subprotocol's token is the person's id, chat `c` is between people `2c` and `2c+1`, and a
`message.send` is acknowledged to its socket and delivered to both members' groups as a
`message.new`, in one pipelined publish, the sending socket excluded, as the real server
does. No authentication, rate limit, database, cache or update log.

HTTP: `POST /api/v1/chats/<id>/messages/` answers 201 with a JSON body from a plain Django view,
with no middleware, authentication or database.
"""

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telegram.settings.bench")
django.setup(set_prefix=False)

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

from apps.core.realtime import send_frames_async, user_group  # noqa: E402


class FloorConsumer(AsyncWebsocketConsumer):
    async def dispatch(self, message):  # as ChatConsumer: no per-event connection check
        await getattr(self, message["type"].replace(".", "_"))(message)

    async def connect(self):
        offered = self.scope.get("subprotocols") or []
        self.user_id = int(offered[1])
        await self.channel_layer.group_add(user_group(self.user_id), self.channel_name)
        await self.accept("bearer")

    async def disconnect(self, code):
        await self.channel_layer.group_discard(user_group(self.user_id), self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        frame = json.loads(text_data)
        chat = frame["chat_id"]
        message = {"chat_id": chat, "text": frame["text"], "client_msg_id": frame["client_msg_id"]}
        await self.send(text_data=json.dumps({"type": "message.ack", "ref": frame["client_msg_id"]}))
        new = {"type": "message.new", "message": message}
        await send_frames_async({2 * chat: new, 2 * chat + 1: new}, exclude_channel=self.channel_name)

    async def deliver(self, event):
        if event.get("exclude") != self.channel_name:
            await self.send(text_data=event["text"])


@csrf_exempt
def message_send(request, chat_id):
    body = json.loads(request.body)
    return JsonResponse({"chat_id": chat_id, "text": body.get("text", "")}, status=201)


urlpatterns = [path("api/v1/chats/<int:chat_id>/messages/", message_send)]
settings.ROOT_URLCONF = __name__
settings.MIDDLEWARE = []

from django.core.asgi import get_asgi_application  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": get_asgi_application(),
        "websocket": URLRouter([path("ws/", FloorConsumer.as_asgi())]),
    }
)
