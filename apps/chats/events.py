"""The chats app's events: declared in the catalogue (apps.core.catalogue, docs/events.md) with
the functions that build their payloads, and how its message events are kept in the update log
(apps.updates).

A message event is kept in the log as a reference (`chat_id`, `message_id`), never as the
message: it is rendered at read time from the message as it is now, so an edit, a delete for
everyone or a moderator's takedown leaves no old text in the log, and a message the reader
deleted for themselves reads as deleted. Registered in ChatsConfig.ready()."""

from __future__ import annotations

from apps.core import documents
from apps.core.catalogue import Channel, declare
from apps.updates.kinds import Kind

from .history import message_public, message_stored
from .models import HiddenMessage, Message, ScheduledMessage

_MESSAGE = "The message, as `GET chats/{id}/messages/` shows it now."
_CHAT = "The chat: `{id, kind, title, created_by, allowed_reactions, members_can_pin}`."

MESSAGE_NEW = declare(
    "message.new",
    Channel.UPDATE,
    app="chats",
    summary="A message in one of your chats (the sender's other sockets too; the sending socket "
    "gets its `message.ack` instead).",
    fields={"message": _MESSAGE},
)
MESSAGE_EDITED = declare(
    "message.edited",
    Channel.UPDATE,
    app="chats",
    summary="A message was edited.",
    fields={"message": _MESSAGE},
)
MESSAGE_DELETED = declare(
    "message.deleted",
    Channel.UPDATE,
    app="chats",
    summary="A message was deleted: for everyone (to every member; also a moderator's takedown), "
    "or for you (to you only).",
    fields={
        "chat_id": "The chat.",
        "message_id": "The message (a string id).",
        "seq": "Its place in the chat.",
        "for_everyone": "False: deleted for you only.",
    },
)
MESSAGE_REACTIONS = declare(
    "message.reactions",
    Channel.UPDATE,
    app="chats",
    summary="Someone added or took back a reaction to a message (to every member).",
    fields={
        "chat_id": "The chat.",
        "message_id": "The message (a string id).",
        "seq": "Its place in the chat.",
        "reactions": "The message's reactions now: `[{emoji, count, user_ids}]`, the most given first.",
        "user_id": "Who reacted.",
        "emoji": "With what.",
        "added": "True: added; false: taken back.",
    },
)
CHAT_PINS = declare(
    "chat.pins",
    Channel.UPDATE,
    app="chats",
    summary="A message was pinned or unpinned (to every member).",
    fields={
        "chat_id": "The chat.",
        "message_id": "The message pinned or unpinned (a string id).",
        "pinned": "True: pinned; false: unpinned.",
        "by": "Who did it.",
        "pins": "The chat's pins now, newest first: `[{message_id, seq, pinned_by, pinned_at}]`.",
    },
)
SCHEDULED_UPDATED = declare(
    "scheduled.updated",
    Channel.UPDATE,
    app="chats",
    summary="One of your scheduled messages was made, changed, cancelled, sent or refused (to "
    "you only: your other devices see the schedule).",
    fields={
        "scheduled": "The scheduled message as `GET scheduled/` shows it now (a cancelled one "
        "has no text any more).",
        "change": "`created`, `edited`, `cancelled`, `sent` or `failed`.",
    },
)
READ = declare(
    "read",
    Channel.UPDATE,
    app="chats",
    summary="A member's read position moved forward.",
    fields={"chat_id": "The chat.", "user_id": "Who read.", "seq": "Read up to this seq."},
)
_MEMBERSHIP = {"chat": _CHAT, "user_ids": "The members concerned.", "by": "Who did it."}
MEMBER_ADDED = declare(
    "chat.member.added",
    Channel.UPDATE,
    app="chats",
    summary="People joined a group (also its creation, for everyone in it).",
    fields=_MEMBERSHIP,
)
MEMBER_REMOVED = declare(
    "chat.member.removed",
    Channel.UPDATE,
    app="chats",
    summary="A member left or was removed (they are told too).",
    fields=_MEMBERSHIP,
)
MEMBER_ROLE = declare(
    "chat.member.role",
    Channel.UPDATE,
    app="chats",
    summary="A member's role changed (admin or member).",
    fields=_MEMBERSHIP,
)
CHAT_UPDATED = declare(
    "chat.updated",
    Channel.UPDATE,
    app="chats",
    summary="A group's title, its allowed reactions or who may pin changed.",
    fields={"chat": _CHAT, "by": "Who changed it."},
)
TYPING = declare(
    "typing",
    Channel.FRAME,
    app="chats",
    summary="Someone is typing in a chat (to its other members).",
    fields={"chat_id": "The chat.", "user_id": "Who types."},
)
PRESENCE = declare(
    "presence",
    Channel.FRAME,
    app="chats",
    summary="A direct-chat peer's first socket opened, or their last one closed.",
    fields={
        "user_id": "The peer.",
        "status": "`online` or `offline`.",
        "last_seen": "When they went offline (ISO 8601; null when online).",
    },
)
MESSAGE_CREATED = declare(
    "chats.message.created",
    Channel.DOMAIN,
    app="chats",
    summary="A message was sent to members with no socket open (only then: their push notifications).",
    fields={
        "chat_id": "The chat.",
        "message_id": "The message (a string id).",
        "seq": "Its place in the chat.",
        "sender_id": "Who sent it.",
        "offline_member_ids": "The members with no socket open when it was sent.",
    },
)

# Events whose payload is a message: as clients see it in the frame, a reference in the log.
MESSAGE_EVENTS = frozenset({MESSAGE_NEW.name, MESSAGE_EDITED.name})


def message_deleted(message: Message, *, for_everyone: bool) -> dict:
    return MESSAGE_DELETED.payload(
        chat_id=message.chat_id,
        message_id=documents.dump_id(message.pk),
        seq=message.seq,
        for_everyone=for_everyone,
    )


def typing(*, chat_id: int, user_id: int) -> dict:
    return {"type": TYPING.name, **TYPING.payload(chat_id=chat_id, user_id=user_id)}


def presence(*, user_id: int, online: bool, last_seen) -> dict:
    status = "online" if online else "offline"
    return {"type": PRESENCE.name, **PRESENCE.payload(user_id=user_id, status=status, last_seen=last_seen)}


def message_created(message: Message, *, offline_member_ids: list[int]) -> dict:
    return MESSAGE_CREATED.payload(
        chat_id=message.chat_id,
        message_id=documents.dump_id(message.pk),
        seq=message.seq,
        sender_id=message.sender_id,
        offline_member_ids=offline_member_ids,
    )


def message_reference(*, chat_id: int, message_id) -> dict:
    """What the log keeps of a message event."""
    return {"chat_id": chat_id, "message_id": documents.dump_id(message_id)}


def _reference(payload: dict) -> dict:
    message = payload["message"]
    return message_reference(chat_id=message["chat_id"], message_id=message["id"])


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


MESSAGE_KIND = Kind(reference=_reference, render=_render)


def scheduled_public(scheduled: ScheduledMessage) -> dict:
    return {
        "id": documents.dump_id(scheduled.pk),
        "chat_id": scheduled.chat_id,
        "text": "" if scheduled.status == ScheduledMessage.Status.CANCELLED else scheduled.text,
        "attachment_ids": scheduled.attachment_ids,
        "reply_to": documents.dump_id(scheduled.reply_to),
        "send_at": scheduled.send_at.isoformat(),
        "status": scheduled.status,
        "message_id": documents.dump_id(scheduled.message_id),
        "failure": scheduled.failure or None,
        "created_at": scheduled.created_at.isoformat(),
    }


def _scheduled_reference(payload: dict) -> dict:
    return {"scheduled_id": payload["scheduled"]["id"], "change": payload["change"]}


def _scheduled_render(user_id: int, references: list[dict]) -> list[dict]:
    """The scheduled messages as they are now (its text gone once cancelled), one query."""
    keys = [documents.parse_id(reference["scheduled_id"]) for reference in references]
    rows = {documents.dump_id(row.pk): row for row in ScheduledMessage.objects.filter(pk__in=keys)}
    return [
        SCHEDULED_UPDATED.payload(
            scheduled=scheduled_public(rows[reference["scheduled_id"]]), change=reference["change"]
        )
        for reference in references
    ]


# Kept in the log as a reference: the text is read from the row when the log is read.
SCHEDULED_KIND = Kind(reference=_scheduled_reference, render=_scheduled_render)
