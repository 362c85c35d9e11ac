"""WebSocket routes of every app, gathered for telegram.asgi."""

websocket_urlpatterns: list = []
