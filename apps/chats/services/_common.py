"""Helpers shared by the chat services."""

from __future__ import annotations

from django.conf import settings
from django.db.models import F

from apps.core import documents
from apps.core.errors import ApplicationError, NotFound
from apps.core.validation import checked_text

from ..errors import ChatError
from ..history import message_public, message_stored
from ..models import Chat, ChatMember, Message
from ..selectors import allowed_reactions, members_refill
from ..store import Sending

Role = ChatMember.Role


def chat_not_found() -> NotFound:
    return NotFound("There is no such chat among yours.", code=ChatError.CHAT_NOT_FOUND)


def member_rows(chat_id: int) -> dict[int, ChatMember]:
    return {m.user_id: m for m in ChatMember.objects.filter(chat_id=chat_id).select_related("chat")}


def require_member(members: dict[int, ChatMember], user_id: int) -> ChatMember:
    membership = members.get(user_id)
    if membership is None:
        raise chat_not_found()
    return membership


def message_text_checked(text, *, allow_empty: bool) -> str:
    return checked_text(
        text, limit=settings.MESSAGE_MAX_LENGTH, allow_empty=allow_empty, empty_detail="A message needs text."
    )


def check_can_write(members: dict[int, Sending], sender_id: int) -> None:
    if any(member.blocks_sender for user_id, member in members.items() if user_id != sender_id):
        raise ApplicationError(ChatError.BLOCKED, "You cannot write to this user.", status=403)


def rendered(message: Message) -> tuple[dict, dict]:
    """The message as caches keep it, and as clients see it: each made once per change (the
    frames, the log's reference and the answer share the client's copy)."""
    stored = message_stored(message)
    return stored, message_public(stored)


def locked_message(chat_id: int, message_id: int) -> Message:
    """The chat's message, locked for the rest of the transaction; else message_not_found."""
    message = documents.locked(Message.objects).filter(pk=message_id, chat_id=chat_id).first()
    if message is None:
        raise NotFound("There is no such message in this chat.", code=ChatError.MESSAGE_NOT_FOUND)
    return message


def members_changed(chat_id: int) -> None:
    Chat.objects.filter(pk=chat_id).update(members_version=F("members_version") + 1)
    documents.on_commit(lambda: members_refill(chat_id=chat_id))


def chat_public(chat: Chat) -> dict:
    return {
        "id": chat.pk,
        "kind": chat.kind,
        "title": chat.title,
        "created_by": chat.created_by_id,
        "allowed_reactions": allowed_reactions(chat),
        "members_can_pin": chat.kind == Chat.Kind.DIRECT or chat.members_can_pin,
    }
