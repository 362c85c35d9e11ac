"""The chats app's events in the update log (apps.updates).

A message event is kept in the log as a reference (`chat_id`, `message_id`), never as the
message: it is rendered at read time from the message as it is now, so an edit, a delete for
everyone or a moderator's takedown leaves no old text in the log, and a message the reader
deleted for themselves reads as deleted. Registered in ChatsConfig.ready()."""

from __future__ import annotations

from apps.core import documents
from apps.updates.kinds import Kind

from .history import message_public, message_stored
from .models import HiddenMessage, Message

# Events whose payload is a message ({"message": ...} live, a reference in the log).
MESSAGE_EVENTS = frozenset({"message.new", "message.edited"})


def message_reference(*, chat_id: int, message_id) -> dict:
    """What the log keeps of a message event."""
    return {"chat_id": chat_id, "message_id": documents.dump_id(message_id)}


def _reference(payload: dict) -> dict:
    message = payload["message"]
    return message_reference(chat_id=message["chat_id"], message_id=message["id"])


def _public(payload: dict) -> dict:
    return {**payload, "message": message_public(payload["message"])}


def _render(user_id: int, references: list[dict]) -> list[dict]:
    """Each referenced message as `user_id` may see it now: one query for the messages, one for
    those the user deleted for themselves. Messages are never removed, only erased (their
    place stays), so every reference resolves."""
    ids = {reference["message_id"] for reference in references}
    keys = [documents.parse_id(message_id) for message_id in ids]
    messages = {documents.dump_id(m.pk): m for m in Message.objects.filter(pk__in=keys)}
    hidden = {
        documents.dump_id(message_id)
        for message_id in HiddenMessage.objects.filter(user_id=user_id, message_id__in=keys).values_list(
            "message_id", flat=True
        )
    }
    for message_id in hidden & messages.keys():
        messages[message_id].deleted = True  # as this reader sees it: never saved
    public = {message_id: message_public(message_stored(m)) for message_id, m in messages.items()}
    return [{"message": public[reference["message_id"]]} for reference in references]


MESSAGE_KIND = Kind(reference=_reference, public=_public, render=_render)
