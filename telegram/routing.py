"""WebSocket routes of every app, gathered for telegram.asgi."""

from apps.chats.routing import websocket_urlpatterns as chats_routes

websocket_urlpatterns = [*chats_routes]
