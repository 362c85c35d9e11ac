"""Devices are fcm-django's FCMDevice; these are the user's notification preferences."""

from django.conf import settings
from django.db import models


class NotificationSettings(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # The global switch: no push at all while off.
    enabled = models.BooleanField(default=True)

    def __str__(self):
        return f"notifications of {self.user_id}: {'on' if self.enabled else 'off'}"


class Mute(models.Model):
    class Kind(models.TextChoices):
        CHAT = "chat"
        CHANNEL = "channel"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    target_id = models.BigIntegerField()
    # Null: muted for ever.
    until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "target_id"], name="notifications_unique_mute")
        ]
        indexes = [models.Index(fields=["kind", "target_id"])]

    def __str__(self):
        return f"{self.user_id} mutes {self.kind} {self.target_id} until {self.until or 'for ever'}"
