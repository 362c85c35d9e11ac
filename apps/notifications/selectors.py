from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from fcm_django.models import FCMDevice

from .models import Mute, NotificationSettings


def device_public(device: FCMDevice) -> dict:
    return {
        "id": device.pk,
        "type": device.type,
        "name": device.name,
        "device_id": device.device_id,
        "active": device.active,
        "created_at": device.date_created,
    }


def devices_of(*, user_id: int) -> list[dict]:
    return [device_public(d) for d in FCMDevice.objects.filter(user_id=user_id).order_by("-id")]


def mute_public(mute: Mute) -> dict:
    return {"kind": mute.kind, "target_id": mute.target_id, "until": mute.until}


def settings_of(*, user_id: int) -> dict:
    """The global switch and the mutes still in force."""
    enabled = NotificationSettings.objects.filter(user_id=user_id).values_list("enabled", flat=True).first()
    mutes = Mute.objects.filter(
        Q(until__isnull=True) | Q(until__gt=timezone.now()), user_id=user_id
    ).order_by("kind", "target_id")
    return {"enabled": True if enabled is None else enabled, "mutes": [mute_public(m) for m in mutes]}
