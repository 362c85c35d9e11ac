from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from django.conf import settings
        from fcm_django.models import FCMDevice

        from apps.core.maintenance import register_purge

        from . import handlers  # noqa: F401 (registers the event handlers)

        # Devices FCM reported as unregistered (deactivated) and never registered again.
        register_purge(
            "deactivated push devices",
            lambda now: FCMDevice.objects.filter(
                active=False, date_created__lte=now - settings.STALE_DEVICE_AGE
            ),
        )
