"""Messages: send, edit, delete (for me, for everyone, by a moderator), read, typing."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone

from apps.core import documents
from apps.core.errors import ApplicationError, PermissionDenied
from apps.core.events import event_emit
from apps.core.metrics import MESSAGES_SENT
from apps.core.realtime import send_frames
from apps.files.selectors import attachment_snapshot, files_for_attaching
from apps.files.services import content_erase, files_attach
from apps.updates.services import updates_append, updates_deliver

from .. import events, search
from ..counters import next_seq
from ..errors import ChatError
from ..history import HISTORY, message_public, message_stored
from ..models import Chat, ChatMember, HiddenMessage, Message, PinnedMessage
from ..presence import online_among
from ..selectors import hidden_refill, members_of
from ..store import Sending, message_write, sending_members, two_statement_writes
from ._common import (
    chat_not_found,
    check_can_write,
    locked_message,
    member_rows,
    message_text_checked,
    rendered,
    require_member,
)


def message_send(
    *,
    sender,
    chat_id: int,
    text: str = "",
    client_msg_id: UUID | None = None,
    reply_to: int | None = None,
    attachment_ids=(),
    origin: str | None = None,
) -> tuple[dict, int | None, bool]:
    """Send a message: (the message as clients see it, the sender's pts for it, created). Idempotent on
    `client_msg_id`: a retry returns the first message and creates nothing. `origin`: the
    socket that sent it, which its ack answers (message.new goes to the sender's other
    sockets only)."""
    try:
        return _message_send(
            sender=sender,
            chat_id=chat_id,
            text=text,
            client_msg_id=client_msg_id,
            reply_to=reply_to,
            attachment_ids=attachment_ids,
            origin=origin,
        )
    except IntegrityError:
        # A retry: this client_msg_id was sent before (or at this very moment, and the other
        # one won). Nothing is looked up before the insert (one query less on every send); the
        # unique constraint catches the retry, and this transaction rolled back whole.
        existing = (
            client_msg_id and Message.objects.filter(sender_id=sender.pk, client_msg_id=client_msg_id).first()
        )
        if not existing:
            raise
        if existing.chat_id != chat_id:
            raise ApplicationError(
                ChatError.CLIENT_MSG_ID_REUSED, "This client_msg_id was used for another chat.", status=409
            ) from None
        return message_public(message_stored(existing)), None, False


@documents.transactional
def _message_send(
    *,
    sender,
    chat_id,
    text,
    client_msg_id,
    reply_to,
    attachment_ids,
    origin,
    shared: list[dict] | None = None,
    forwarded_from: dict | None = None,
):
    """`shared`: file snapshots of a message or post being forwarded (the files are shared, not
    copied: who uploaded them does not matter), instead of `attachment_ids`."""
    members = sending_members(chat_id=chat_id, sender_id=sender.pk)
    sender_membership = require_member(members, sender.pk)
    attachment_ids = list(attachment_ids or [])
    text = message_text_checked(text, allow_empty=bool(attachment_ids or shared))
    if len(attachment_ids) > settings.MESSAGE_MAX_ATTACHMENTS:
        raise ApplicationError.for_field(
            "attachments",
            ChatError.TOO_MANY_ATTACHMENTS,
            f"At most {settings.MESSAGE_MAX_ATTACHMENTS} files.",
        )
    check_can_write(members, sender.pk)
    if (
        reply_to is not None
        and not Message.objects.filter(pk=reply_to, chat_id=chat_id, deleted=False).exists()
    ):
        raise ApplicationError.for_field(
            "reply_to", ChatError.REPLY_NOT_FOUND, "No such message in this chat.", status=404
        )
    if shared is None:
        snapshots = [
            attachment_snapshot(f) for f in files_for_attaching(file_ids=attachment_ids, user_id=sender.pk)
        ]
    else:
        snapshots = list(shared)
    files_attach(file_ids=[snapshot["file_id"] for snapshot in snapshots])
    fields = {
        "sender_id": sender.pk,
        "text": text,
        "attachments": snapshots,
        "reply_to": reply_to,
        "client_msg_id": client_msg_id,
        "forwarded_from": forwarded_from,
    }
    if two_statement_writes():  # the same rows as below, in two statements
        written = message_write(
            chat_id=chat_id,
            sender_member_id=sender_membership.pk,
            user_ids=list(members),
            search_tokens=search.tokens_now(text),
            **fields,
        )
        message, pts = written.message, written.pts
        stored, public = rendered(message)
        updates_deliver(
            pts,
            kind=events.MESSAGE_NEW.name,
            payload=events.MESSAGE_NEW.payload(message=public),
            exclude_channel=origin,
        )
    else:
        seq = next_seq(chat_id=chat_id, sender_member_id=sender_membership.pk)
        message = Message.objects.create(chat_id=chat_id, seq=seq, **fields)
        search.index(message)
        stored, public = rendered(message)
        pts = updates_append(
            user_ids=list(members),
            kind=events.MESSAGE_NEW.name,
            payload=events.MESSAGE_NEW.payload(message=public),
            exclude_channel=origin,
        )
    HISTORY.merge_after_commit(message.chat_id, stored)
    _emit_for_offline_members(message, members)
    documents.on_commit(lambda: MESSAGES_SENT.labels(via="websocket" if origin else "rest").inc())
    return public, pts[sender.pk], True


def _emit_for_offline_members(message: Message, members: dict[int, Sending]) -> None:
    """`chats.message.created`, for the push notifications of members with no socket open
    (only when there is such a member: most messages of a busy chat need no event)."""
    recipients = [user_id for user_id in members if user_id != message.sender_id]
    online = online_among(recipients)
    offline = [user_id for user_id in recipients if user_id not in online]
    if offline:
        event_emit(
            name=events.MESSAGE_CREATED.name,
            payload=events.message_created(message, offline_member_ids=offline),
        )


@documents.transactional
def message_edit(*, user, chat_id: int, message_id: int, text: str) -> tuple[dict, int]:
    members = member_rows(chat_id)
    require_member(members, user.pk)
    message = locked_message(chat_id, message_id)
    if message.deleted:
        raise ApplicationError(ChatError.MESSAGE_DELETED, "This message was deleted.", status=409)
    if message.sender_id != user.pk:
        raise PermissionDenied("You can edit only your own messages.", code=ChatError.NOT_SENDER)
    if message.forwarded_from:
        raise PermissionDenied("A forwarded message says what its origin said.", code=ChatError.FORWARDED)
    if timezone.now() - message.created_at > timedelta(seconds=settings.MESSAGE_EDIT_WINDOW_SECONDS):
        raise ApplicationError(
            ChatError.EDIT_WINDOW_PASSED, "Messages can be edited for 48 hours after sending.", status=403
        )
    message.text = message_text_checked(text, allow_empty=bool(message.attachments))
    message.edited_at = timezone.now()
    message.version += 1
    message.save(update_fields=["text", "edited_at", "version"])
    search.reindex(message)  # its old words are found no more
    stored, public = rendered(message)
    pts = updates_append(
        user_ids=list(members),
        kind=events.MESSAGE_EDITED.name,
        payload=events.MESSAGE_EDITED.payload(message=public),
    )
    HISTORY.merge_after_commit(message.chat_id, stored)
    return public, pts[user.pk]


@documents.transactional
def message_delete(*, user, chat_id: int, message_id: int, for_everyone: bool) -> int:
    """Delete for everyone (the sender, or a group admin): the text and files are erased and
    every member is told. Delete for me: hidden from this user's history only. The user's pts."""
    members = member_rows(chat_id)
    membership = require_member(members, user.pk)
    message = locked_message(chat_id, message_id)
    payload = events.message_deleted(message, for_everyone=for_everyone)
    if not for_everyone:
        HiddenMessage.objects.get_or_create(user_id=user.pk, chat_id=chat_id, message_id=message.pk)
        ChatMember.objects.filter(pk=membership.pk).update(hidden_version=F("hidden_version") + 1)
        documents.on_commit(lambda: hidden_refill(user_id=user.pk, chat_id=chat_id))
        return updates_append(user_ids=[user.pk], kind=events.MESSAGE_DELETED.name, payload=payload)[user.pk]
    if message.deleted:
        raise ApplicationError(ChatError.MESSAGE_DELETED, "This message was deleted already.", status=409)
    is_group_admin = membership.chat.kind == Chat.Kind.GROUP and membership.is_admin
    if message.sender_id != user.pk and not is_group_admin:
        raise PermissionDenied(
            "You can delete only your own messages for everyone.", code=ChatError.NOT_SENDER
        )
    message_erase(message)
    return updates_append(user_ids=list(members), kind=events.MESSAGE_DELETED.name, payload=payload)[user.pk]


def message_erase(message: Message) -> None:
    """Erase a message's content, keeping its place in the chat (for moderators too); files no
    other message or post carries are deleted. Its reactions and its pin go with it (members
    drop the pin on `message.deleted`)."""
    message.reactions = None
    PinnedMessage.objects.filter(chat_id=message.chat_id, message_id=message.pk).delete()
    content_erase(message, also=("reactions",))
    search.reindex(message)
    HISTORY.merge_after_commit(message.chat_id, message_stored(message))


@documents.transactional
def chat_read(*, user, chat_id: int, seq: int) -> int:
    """Mark the chat read up to `seq` (never backwards, never past the newest message). Every
    member learns the new read position. Returns it."""
    members = member_rows(chat_id)
    membership = require_member(members, user.pk)
    seq = min(max(seq, 0), membership.chat.last_seq)
    if not ChatMember.objects.filter(pk=membership.pk, last_read_seq__lt=seq).update(last_read_seq=seq):
        return max(membership.last_read_seq, seq)
    updates_append(
        user_ids=list(members),
        kind=events.READ.name,
        payload=events.READ.payload(chat_id=chat_id, user_id=user.pk, seq=seq),
    )
    return seq


def typing_send(*, user, chat_id: int) -> None:
    """Tell the other members that `user` is typing (ephemeral: not logged)."""
    members = members_of(chat_id=chat_id)
    if user.pk not in members:
        raise chat_not_found()
    frame = events.typing(chat_id=chat_id, user_id=user.pk)
    send_frames({uid: frame for uid in members if uid != user.pk})


@documents.transactional
def message_takedown(*, message_id: int) -> bool:
    """A moderator deletes a message for everyone: erased, and every member is told. False if
    it was gone already."""
    message = documents.locked(Message.objects).filter(pk=message_id).first()
    if message is None or message.deleted:
        return False
    message_erase(message)
    member_ids = list(ChatMember.objects.filter(chat_id=message.chat_id).values_list("user_id", flat=True))
    updates_append(
        user_ids=member_ids,
        kind=events.MESSAGE_DELETED.name,
        payload=events.message_deleted(message, for_everyone=True),
    )
    return True
