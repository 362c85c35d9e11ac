from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

        from apps.core.maintenance import register_purge

        # Deleting one also deletes its blacklist entry.
        register_purge(
            "expired refresh tokens", lambda now: OutstandingToken.objects.filter(expires_at__lte=now)
        )
