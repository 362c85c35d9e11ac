from django.apps import AppConfig


class BroadcastsConfig(AppConfig):
    """Telegram's broadcast channels. (Not `channels`: that name belongs to Django Channels.)"""

    name = "apps.broadcasts"
    label = "broadcasts"
    verbose_name = "Broadcast channels"

    def ready(self):
        from apps.core.forwarding import register_source
        from apps.core.frames import Frame, register_frame

        from . import events  # noqa: F401 (declares the app's events in the catalogue)
        from .frames import PostReactFrame, post_react
        from .selectors import post_forwardable

        register_source("post", post_forwardable)
        register_frame("post.react", Frame(reader=PostReactFrame, answer=post_react, scopes=("reaction",)))
