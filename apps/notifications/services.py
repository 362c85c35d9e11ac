"""Device registration and notification preferences."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from fcm_django.models import FCMDevice

from apps.broadcasts.selectors import channel_access
from apps.chats.selectors import chat_role
from apps.core.errors import ApplicationError, NotFound

from .errors import NotificationError
from .models import Mute, NotificationSettings


@transaction.atomic
def device_register(
    *, user, registration_id: str, type: str, name: str = "", device_id: str = ""
) -> tuple[FCMDevice, bool]:
    """Register (or refresh) a device token: (device, created). A token still active for
    another account is refused: it would silently take that person's notifications. A device
    that switches accounts unregisters first (as a log-out does); a token FCM reported dead
    may be registered anew."""
    device = FCMDevice.objects.select_for_update().filter(registration_id=registration_id).first()
    if device is not None and device.user_id != user.pk and device.active:
        raise ApplicationError(
            NotificationError.TOKEN_IN_USE,
            "This push token is registered to another account; unregister it there first.",
            status=409,
        )
    created = device is None
    if created:
        device = FCMDevice(registration_id=registration_id)
    device.user_id = user.pk
    device.type = type
    device.name = name or None
    device.device_id = device_id or None
    device.active = True
    device.save()
    return device, created


@transaction.atomic
def device_unregister(*, user, device_pk: int) -> None:
    deleted, _ = FCMDevice.objects.filter(pk=device_pk, user_id=user.pk).delete()
    if not deleted:
        raise NotFound("No such device among yours.", code=NotificationError.DEVICE_NOT_FOUND)


def settings_update(*, user, enabled: bool) -> NotificationSettings:
    row, _ = NotificationSettings.objects.update_or_create(user_id=user.pk, defaults={"enabled": enabled})
    return row


def _check_target(*, user, kind: str, target_id: int) -> None:
    """Only what the user can see can be muted."""
    try:
        if kind == Mute.Kind.CHAT:
            chat_role(chat_id=target_id, user_id=user.pk)
        else:
            channel_access(channel_id=target_id, user_id=user.pk)
    except NotFound:
        raise NotFound(
            f"There is no such {kind} among yours.", code=NotificationError.TARGET_NOT_FOUND
        ) from None


@transaction.atomic
def mute_set(*, user, kind: str, target_id: int, until: datetime | None) -> Mute:
    """Mute a chat or a channel until a time, or for ever (`until` None)."""
    if until is not None and until <= timezone.now():
        raise ApplicationError.for_field(
            "until", NotificationError.UNTIL_IN_THE_PAST, "Give a time in the future."
        )
    _check_target(user=user, kind=kind, target_id=target_id)
    mute, _ = Mute.objects.update_or_create(
        user_id=user.pk, kind=kind, target_id=target_id, defaults={"until": until}
    )
    return mute


@transaction.atomic
def mute_clear(*, user, kind: str, target_id: int) -> None:
    deleted, _ = Mute.objects.filter(user_id=user.pk, kind=kind, target_id=target_id).delete()
    if not deleted:
        raise NotFound("This is not muted.", code=NotificationError.MUTE_NOT_FOUND)


@transaction.atomic
def notifications_erase(*, user_id: int) -> int:
    """The user's devices, settings and mutes; how many rows."""
    return sum(
        queryset.delete()[0]
        for queryset in (
            FCMDevice.objects.filter(user_id=user_id),
            NotificationSettings.objects.filter(user_id=user_id),
            Mute.objects.filter(user_id=user_id),
        )
    )
