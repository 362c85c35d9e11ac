from django.apps import AppConfig


class BroadcastsConfig(AppConfig):
    """Telegram's broadcast channels. (Not `channels`: that name belongs to Django Channels.)"""

    name = "apps.broadcasts"
    label = "broadcasts"
    verbose_name = "Broadcast channels"

    def ready(self):
        from . import events  # noqa: F401 (declares the app's events in the catalogue)
