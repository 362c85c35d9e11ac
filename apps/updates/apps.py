from django.apps import AppConfig


class UpdatesConfig(AppConfig):
    name = "apps.updates"
    label = "updates"
    verbose_name = "Update log"

    def ready(self):
        from datetime import timedelta

        from django.conf import settings

        from apps.core.maintenance import register_purge

        from .models import Update

        # A client further behind than what is kept gets `too_long` and refetches its state.
        register_purge(
            "update-log entries",
            lambda now: Update.objects.filter(
                created_at__lte=now - timedelta(days=settings.UPDATES_RETENTION_DAYS)
            ),
        )
