"""Forwarding: messages from a chat the sender is in, or a channel post they can read, copied
into a chat they may write in. Each copy is a new message there (sent as any other: the
destination's members, blocks and limits hold), keeps its origin in `forwarded_from`, and
shares the original's files (not copied). A forward of a forward keeps the first origin."""

from __future__ import annotations

from django.conf import settings

from apps.core import documents
from apps.core.errors import NotFound
from apps.core.forwarding import forwardable

from ..errors import ChatError
from ..models import Message
from ..selectors import chat_role, hidden_for
from .messages import _message_send


def _from_chat(*, user_id: int, chat_id: int, message_ids) -> list[tuple[str, list, dict]]:
    """(text, files, origin) of each message, in the chat's order; every one must be there for
    the sender (not deleted, not deleted for them)."""
    chat_role(chat_id=chat_id, user_id=user_id)  # a member, else chat_not_found
    wanted = set(message_ids)
    hidden = {documents.parse_id(message_id) for message_id in hidden_for(user_id=user_id, chat_id=chat_id)}
    found = [
        message
        for message in Message.objects.filter(chat_id=chat_id, pk__in=wanted, deleted=False).order_by("seq")
        if message.pk not in hidden
    ]
    if len(found) != len(wanted):
        raise NotFound("Some of these messages are not in that chat.", code=ChatError.MESSAGE_NOT_FOUND)
    return [
        (
            message.text,
            message.attachments,
            message.forwarded_from
            or {"kind": "user", "user_id": message.sender_id, "date": message.created_at.isoformat()},
        )
        for message in found
    ]


@documents.transactional
def messages_forward(
    *, sender, chat_id: int, from_chat_id: int | None = None, message_ids=(), post_id=None, origin=None
) -> list[dict]:
    """Forward `message_ids` of chat `from_chat_id` (at most FORWARD_MAX_MESSAGES), or the
    channel post `post_id`, into chat `chat_id`: the new messages, in order. All or nothing."""
    if post_id is not None:
        post = forwardable("post", user_id=sender.pk, content_id=post_id)
        copies = [(post.text, post.attachments, post.origin)]
    else:
        copies = _from_chat(user_id=sender.pk, chat_id=from_chat_id, message_ids=message_ids)
    sent = []
    for text, files, forwarded_from in copies[: settings.FORWARD_MAX_MESSAGES]:
        public, _pts, _created = _message_send(
            sender=sender,
            chat_id=chat_id,
            text=text,
            client_msg_id=None,
            reply_to=None,
            attachment_ids=(),
            origin=origin,
            shared=files,
            forwarded_from=forwarded_from,
        )
        sent.append(public)
    return sent
