"""Messages as stored in caches and logs, as clients see them, and the history cache: the
newest HISTORY_CACHE_SIZE messages of each chat, merged on every send, edit and delete.

Cached messages are encrypted (the cache may be persisted by Redis); merging keeps the newest
version of each message, so concurrent writers and a reader's rebuild never lose one."""

from __future__ import annotations

from django.conf import settings

from apps.core import crypto
from apps.core.cache import window_merge, window_read
from apps.files.selectors import attachment_public

from .models import Message

_CONTEXT = "cache.chats.history"


def message_stored(message: Message) -> dict:
    """A message as kept in caches and update payloads (attachments keep their storage path)."""
    return {
        "id": message.pk,
        "chat_id": message.chat_id,
        "seq": message.seq,
        "sender_id": message.sender_id,
        "text": "" if message.deleted else message.text,
        "reply_to": message.reply_to,
        "attachments": [] if message.deleted else message.attachments,
        "forwarded_from": message.forwarded_from,
        "client_msg_id": str(message.client_msg_id) if message.client_msg_id else None,
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "deleted": message.deleted,
        "version": message.version,
    }


def message_public(stored: dict) -> dict:
    public = {key: value for key, value in stored.items() if key != "version"}
    public["attachments"] = [attachment_public(snapshot) for snapshot in stored["attachments"]]
    return public


def _key(chat_id: int) -> str:
    return f"chat:{chat_id}:history"


def history_cache_merge(messages: list[dict], *, chat_id: int, complete: bool = False) -> None:
    window_merge(
        _key(chat_id),
        [
            (stored["seq"], stored["version"], crypto.seal_json(stored, context=_CONTEXT))
            for stored in messages
        ],
        limit=settings.HISTORY_CACHE_SIZE,
        ttl=settings.HISTORY_CACHE_TTL,
        complete=complete,
    )


def history_cache_rebuild(*, chat_id: int) -> list[dict]:
    """Load the newest messages (deleted ones too: the window is shared by every member) and
    offer them to the cache as its complete window. Oldest first."""
    rows = list(Message.objects.filter(chat_id=chat_id).order_by("-seq")[: settings.HISTORY_CACHE_SIZE])
    stored = [message_stored(message) for message in reversed(rows)]
    history_cache_merge(stored, chat_id=chat_id, complete=True)
    return stored


def history_cache_read(*, chat_id: int) -> list[dict] | None:
    """The cached window oldest first, or None when there is no complete window."""
    window = window_read(_key(chat_id))
    if window is None:
        return None
    return [crypto.open_json(blob, context=_CONTEXT) for _seq, blob in window]
