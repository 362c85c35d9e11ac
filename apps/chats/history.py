"""Messages as stored in caches and logs, as clients see them, and the history cache: the
newest HISTORY_CACHE_SIZE messages of each chat, merged on every send, edit and delete.

Cached messages are encrypted (the cache may be persisted by Redis); merging keeps the newest
version of each message, so concurrent writers and a reader's rebuild never lose one
(apps.core.cache.SealedWindow)."""

from __future__ import annotations

from apps.core import documents
from apps.core.cache import SealedWindow
from apps.files.selectors import attachment_public

from .models import Message


def message_stored(message: Message) -> dict:
    """A message as kept in caches and update payloads (attachments keep their storage path)."""
    return {
        "id": documents.dump_id(message.pk),
        "chat_id": message.chat_id,
        "seq": message.seq,
        "sender_id": message.sender_id,
        "text": "" if message.deleted else message.text,
        "reply_to": documents.dump_id(message.reply_to),
        "attachments": [] if message.deleted else message.attachments,
        "forwarded_from": message.forwarded_from,
        "client_msg_id": str(message.client_msg_id) if message.client_msg_id else None,
        "reactions": {} if message.deleted else message.reactions or {},
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "deleted": message.deleted,
        "version": message.version,
    }


def reactions_public(reactions: dict[str, list[int]]) -> list[dict]:
    """[{emoji, count, user_ids}], the most given first (then the first given)."""
    listed = [{"emoji": emoji, "count": len(users), "user_ids": users} for emoji, users in reactions.items()]
    return sorted(listed, key=lambda reaction: -reaction["count"])


def message_public(stored: dict) -> dict:
    public = {key: value for key, value in stored.items() if key != "version"}
    # Kept before ids became strings: clients always get strings.
    public["id"] = documents.dump_id(stored["id"])
    public["reply_to"] = documents.dump_id(stored["reply_to"])
    public["attachments"] = [attachment_public(snapshot) for snapshot in stored["attachments"]]
    # Cached before messages had reactions: none.
    public["reactions"] = reactions_public(stored.get("reactions") or {})
    return public


HISTORY = SealedWindow("chat-history", size="HISTORY_CACHE_SIZE", ttl="HISTORY_CACHE_TTL")


def history_newest(chat_id: int, count: int) -> list[dict]:
    """The newest `count` messages of the chat, deleted ones too, oldest first."""
    rows = list(Message.objects.filter(chat_id=chat_id).order_by("-seq")[:count])
    return [message_stored(message) for message in reversed(rows)]
