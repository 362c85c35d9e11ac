from django.apps import AppConfig


class WebConfig(AppConfig):
    """The web client at `/`: a page and its ES modules, speaking only the public API and the
    socket protocol (docs/api.md, docs/websocket.md)."""

    name = "apps.web"
    label = "web"
    verbose_name = "Web client"
