from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from datetime import timedelta

        from django.conf import settings
        from django.urls import register_converter

        from . import layer_sealing
        from .documents import IdConverter, RowIdConverter
        from .maintenance import register_purge
        from .models import OutboxEvent
        from .tracing import tracing_setup

        tracing_setup()
        layer_sealing.register()
        register_converter(IdConverter, "docid")
        register_converter(RowIdConverter, "id")
        register_purge(
            "published outbox events",
            lambda now: OutboxEvent.objects.filter(
                published_at__lte=now - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
            ),
        )
