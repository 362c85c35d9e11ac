from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ModerationConfig(AppConfig):
    name = "apps.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self):
        from .permissions import moderators_group_ensure

        post_migrate.connect(moderators_group_ensure, sender=self)
