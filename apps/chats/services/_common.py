"""Helpers shared by the chat services."""

from __future__ import annotations

from django.db.models import F

from apps.core import documents
from apps.core.errors import NotFound

from ..errors import ChatError
from ..models import Chat, ChatMember
from ..selectors import allowed_reactions, members_refill

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
