"""The per-user update log (Telegram's `pts`): every durable event for a user is appended to
their log in the transaction that makes the change, then delivered live after commit. A client
that was away asks `updates/?since=<pts>` and gets exactly what it missed, oldest first.

A message event is stored as a reference (`chat_id`, `message_id`), never as the message: the
log is rendered at read time from the message as it is now, so an edit, a delete for everyone
or a moderator's takedown leaves no old text in the log, and a message the reader deleted for
themselves reads as deleted."""

from __future__ import annotations

from django.conf import settings

from apps.core import documents
from apps.core.realtime import send_frames

from .history import message_public, message_stored
from .models import HiddenMessage, Message, Update, UpdateState

# Events whose payload is a message ({"message": ...} live, a reference in the log).
MESSAGE_EVENTS = frozenset({"message.new", "message.edited"})


def message_reference(*, chat_id: int, message_id) -> dict:
    """What the log keeps of a message event."""
    return {"chat_id": chat_id, "message_id": documents.dump_id(message_id)}


def _stored_payload(kind: str, payload: dict) -> dict:
    if kind in MESSAGE_EVENTS:
        message = payload["message"]
        return message_reference(chat_id=message["chat_id"], message_id=message["id"])
    return payload


def updates_append(
    *, user_ids, kind: str, payload: dict, exclude_channel: str | None = None
) -> dict[int, int]:
    """Append one event to each user's log; {user_id: its pts}. Must run in a transaction.
    `payload` is what the live frame carries; the log keeps a reference for message events."""
    from .counters import next_pts

    if not documents.in_transaction():
        # Outside the writer's transaction the rows would outlive a rollback of the change.
        raise RuntimeError("updates_append must run inside documents.transactional")
    pts = next_pts(user_ids=user_ids)
    stored = _stored_payload(kind, payload)
    Update.objects.bulk_create(
        [
            Update(user_id=user_id, pts=user_pts, kind=kind, payload=stored)
            for user_id, user_pts in pts.items()
        ]
    )
    updates_deliver(pts, kind=kind, payload=payload, exclude_channel=exclude_channel)
    return pts


def updates_deliver(pts: dict[int, int], *, kind: str, payload: dict, exclude_channel: str | None) -> None:
    """After commit, each user's frame for the event their log got at `pts[user]`."""

    def deliver():
        public = (
            {**payload, "message": message_public(payload["message"])} if "message" in payload else payload
        )
        frames = {user_id: {"type": kind, "pts": user_pts, **public} for user_id, user_pts in pts.items()}
        send_frames(frames, exclude_channel=exclude_channel)

    documents.on_commit(deliver)


def _messages_now(*, user_id: int, rows: list[Update]) -> dict[str, dict]:
    """{message id: the message as `user_id` may see it now} for the message events among
    `rows`: one query for the messages, one for those the user deleted for themselves."""
    ids = {row.payload["message_id"] for row in rows if row.kind in MESSAGE_EVENTS}
    if not ids:
        return {}
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
    return {message_id: message_public(message_stored(m)) for message_id, m in messages.items()}


def _render(row: Update, messages: dict[str, dict]) -> dict:
    if row.kind not in MESSAGE_EVENTS:
        return {"pts": row.pts, "type": row.kind, **row.payload}
    # Messages are never removed, only erased (their place stays): every reference resolves.
    return {"pts": row.pts, "type": row.kind, "message": messages[row.payload["message_id"]]}


def updates_state(*, user_id: int) -> int:
    return UpdateState.objects.filter(user_id=user_id).values_list("pts", flat=True).first() or 0


def updates_since(*, user_id: int, since: int, limit: int | None = None) -> dict:
    """What the user missed after `since`, oldest first, a page at a time; `too_long` when the
    gap is beyond UPDATES_MAX_GAP or older than what the log still keeps."""
    limit = min(limit or settings.UPDATES_PAGE_SIZE, settings.UPDATES_PAGE_SIZE)
    newest = updates_state(user_id=user_id)
    if since >= newest:
        return {"updates": [], "pts": newest, "has_more": False}
    if newest - since > settings.UPDATES_MAX_GAP:
        return {"too_long": True, "pts": newest}
    rows = list(Update.objects.filter(user_id=user_id, pts__gt=since).order_by("pts")[:limit])
    if not rows or rows[0].pts != since + 1:  # trimmed away: the client must refetch its state
        return {"too_long": True, "pts": newest}
    messages = _messages_now(user_id=user_id, rows=rows)
    updates = [_render(row, messages) for row in rows]
    return {"updates": updates, "pts": rows[-1].pts, "has_more": rows[-1].pts < newest}
