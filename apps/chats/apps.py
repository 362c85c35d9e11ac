from django.apps import AppConfig


class ChatsConfig(AppConfig):
    name = "apps.chats"
    label = "chats"
    verbose_name = "Chats"

    def ready(self):
        from apps.updates.kinds import register

        from .events import MESSAGE_EVENTS, MESSAGE_KIND, SCHEDULED_KIND, SCHEDULED_UPDATED

        register(MESSAGE_EVENTS, MESSAGE_KIND)
        register([SCHEDULED_UPDATED.name], SCHEDULED_KIND)
