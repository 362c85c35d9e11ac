"""Pinned messages: members of a direct chat, and admins of a group (or every member, if the
group allows it), pin and unpin; every member is told (`chat.pins`, with the list as it is)."""

from __future__ import annotations

from django.conf import settings

from apps.core import documents
from apps.core.errors import ApplicationError, PermissionDenied
from apps.updates.services import updates_append

from .. import events
from ..errors import ChatError
from ..models import Chat, PinnedMessage
from ..selectors import pins_of
from ._common import locked_message, member_rows, require_member


@documents.transactional
def message_pin(*, user, chat_id: int, message_id: int, pinned: bool = True) -> list[dict]:
    """Pin the message (or unpin it, `pinned=False`); the chat's pins after, newest first.
    Pinning what is pinned, or unpinning what is not, changes nothing and tells nobody."""
    members = member_rows(chat_id)
    membership = require_member(members, user.pk)
    chat = membership.chat
    if chat.kind == Chat.Kind.GROUP and not (membership.is_admin or chat.members_can_pin):
        raise PermissionDenied("Only the group's admins can pin here.", code=ChatError.NOT_ALLOWED_TO_PIN)
    message = locked_message(chat_id, message_id)
    existing = PinnedMessage.objects.filter(chat_id=chat_id, message_id=message.pk)
    if pinned == existing.exists():
        return pins_of(chat_id=chat_id)
    if pinned:
        if message.deleted:
            raise ApplicationError(ChatError.MESSAGE_DELETED, "This message was deleted.", status=409)
        if PinnedMessage.objects.filter(chat_id=chat_id).count() >= settings.CHAT_MAX_PINS:
            raise ApplicationError(
                ChatError.TOO_MANY_PINS,
                f"A chat holds at most {settings.CHAT_MAX_PINS} pins: unpin one first.",
                status=409,
            )
        PinnedMessage.objects.create(chat_id=chat_id, message_id=message.pk, pinned_by=user.pk)
    else:
        existing.delete()
    pins = pins_of(chat_id=chat_id)
    updates_append(
        user_ids=list(members),
        kind=events.CHAT_PINS.name,
        payload=events.CHAT_PINS.payload(
            chat_id=chat_id, message_id=documents.dump_id(message.pk), pinned=pinned, by=user.pk, pins=pins
        ),
    )
    return pins
