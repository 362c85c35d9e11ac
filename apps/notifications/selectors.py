from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from fcm_django.models import FCMDevice

from apps.broadcasts.selectors import subscriber_ids

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


def _muted_user_ids(*, kind: str, target_id: int):
    return Mute.objects.filter(
        Q(until__isnull=True) | Q(until__gt=timezone.now()), kind=kind, target_id=target_id
    ).values("user_id")


def _switched_off_user_ids():
    return NotificationSettings.objects.filter(enabled=False).values("user_id")


def channel_push_device_ids(
    *, channel_id: int, exclude_user_id: int | None, after_id: int, limit: int
) -> list[int]:
    """One page (by device id, after `after_id`) of the active devices of the channel's
    subscribers who want its pushes. A page is one indexed query: a channel of any size is
    walked page by page, never loaded whole."""
    devices = (
        FCMDevice.objects.filter(
            active=True, id__gt=after_id, user_id__in=subscriber_ids(channel_id=channel_id)
        )
        .exclude(user_id__in=_muted_user_ids(kind=Mute.Kind.CHANNEL, target_id=channel_id))
        .exclude(user_id__in=_switched_off_user_ids())
    )
    if exclude_user_id is not None:
        devices = devices.exclude(user_id=exclude_user_id)
    return list(devices.order_by("id").values_list("id", flat=True)[:limit])


def chat_push_device_ids(*, chat_id: int, user_ids, after_id: int, limit: int) -> list[int]:
    """One page of the active devices of these members who want the chat's pushes."""
    return list(
        FCMDevice.objects.filter(active=True, id__gt=after_id, user_id__in=list(user_ids))
        .exclude(user_id__in=_muted_user_ids(kind=Mute.Kind.CHAT, target_id=chat_id))
        .exclude(user_id__in=_switched_off_user_ids())
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


def push_devices(*, device_ids) -> list[tuple[int, str]]:
    """(id, token) of those still active."""
    return list(
        FCMDevice.objects.filter(pk__in=list(device_ids), active=True)
        .order_by("id")
        .values_list("id", "registration_id")
    )


def devices_export(*, user_id: int) -> list[dict]:
    """A person's push devices, for export (manage.py export_user_data)."""
    return list(FCMDevice.objects.filter(user_id=user_id).values("type", "name", "active", "date_created"))
