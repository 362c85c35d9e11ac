"""The kinds of content moderation acts on, one entry each: how a target's id is read, whose it
is and whether a reporter can see it, what a moderator is shown of it, and how it is removed.
Each entry calls its owning app's selectors and services; adding a kind of content is one
entry here (and its admin, apps/moderation/admin.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apps.accounts.models import User
from apps.accounts.selectors import user_active_exists
from apps.broadcasts import services as broadcasts
from apps.broadcasts.models import Channel, Comment, Post
from apps.broadcasts.selectors import channel_access, comment_brief, post_for_reader
from apps.chats import services as chats
from apps.chats.models import Message
from apps.chats.selectors import chat_role, message_brief
from apps.core import documents
from apps.core.errors import NotFound

from .models import Target


@dataclass(frozen=True)
class ContentKind:
    name: str
    # A target's id as its store keeps it, from text (a URL, a report); ValueError if it is none.
    parse_id: Callable[[str], object]
    # (target id, reporter id) -> the author's user id; NotFound unless the reporter can see it.
    author: Callable[[object, int], int | None]
    # target id -> what a moderator is shown to judge it (decrypted), or None if it is gone.
    describe: Callable[[object], str | None]
    # target id -> True if removed now (deleted for everyone, taken down); None: not removable.
    remove: Callable[[object], bool] | None = None


def _gone(kind: str) -> NotFound:
    return NotFound(f"There is no such {kind} that you can see.")


def _message_author(message_id, reporter_id: int) -> int:
    message = message_brief(message_id=message_id)
    if message is None:
        raise _gone("message")
    chat_role(chat_id=message["chat_id"], user_id=reporter_id)
    return message["sender_id"]


def _message_text(message_id) -> str | None:
    item = Message.objects.filter(pk=message_id).first()
    return item and (
        f"message in chat {item.chat_id} from user {item.sender_id}: {item.text or '(no text)'}"
        + (" [deleted]" if item.deleted else "")
    )


def _post_author(post_id, reporter_id: int) -> int:
    post, _channel, _role, _ = post_for_reader(post_id=post_id, user_id=reporter_id)
    return post.author_id


def _post_text(post_id) -> str | None:
    item = Post.objects.filter(pk=post_id).first()
    return item and f"post in channel {item.channel_id}: {item.text or '(no text)'}" + (
        " [deleted]" if item.deleted else ""
    )


def _comment_author(comment_id, reporter_id: int) -> int:
    comment = comment_brief(comment_id=comment_id)
    if comment is None:
        raise _gone("comment")
    post_for_reader(post_id=comment["post_id"], user_id=reporter_id)
    return comment["author_id"]


def _comment_text(comment_id) -> str | None:
    item = Comment.objects.filter(pk=comment_id).first()
    return item and f"comment on post {item.post_id} by user {item.author_id}: {item.text}" + (
        " [deleted]" if item.deleted else ""
    )


def _channel_author(channel_id, reporter_id: int) -> int:
    channel, _role, _ = channel_access(channel_id=channel_id, user_id=reporter_id)
    return channel.owner_id


def _channel_text(channel_id) -> str | None:
    item = Channel.objects.filter(pk=channel_id).first()
    return item and f"@{item.handle} “{item.title}”: {item.description}" + (
        " [taken down]" if item.taken_down_at else ""
    )


def _user_author(user_id, reporter_id: int) -> int:
    if not user_active_exists(user_id=user_id):
        raise _gone("user")
    return user_id


def _user_text(user_id) -> str | None:
    item = User.objects.filter(pk=user_id).first()
    return item and f"user @{item.username}" + (" [banned]" if item.banned_at else "")


KINDS: dict[str, ContentKind] = {
    kind.name: kind
    for kind in (
        ContentKind(
            name=Target.MESSAGE,
            parse_id=documents.parse_id,
            author=_message_author,
            describe=_message_text,
            remove=lambda message_id: chats.message_takedown(message_id=message_id),
        ),
        ContentKind(
            name=Target.POST,
            parse_id=documents.parse_id,
            author=lambda post_id, reporter_id: post_for_reader(post_id=post_id, user_id=reporter_id)[
                0
            ].author_id,
            describe=_post_text,
            remove=lambda post_id: broadcasts.post_takedown(post_id=post_id),
        ),
        ContentKind(
            name=Target.COMMENT,
            parse_id=documents.parse_id,
            author=_comment_author,
            describe=_comment_text,
            remove=lambda comment_id: broadcasts.comment_takedown(comment_id=comment_id),
        ),
        ContentKind(
            name=Target.CHANNEL,
            parse_id=documents.parse_int_id,
            author=_channel_author,
            describe=_channel_text,
            remove=lambda channel_id: broadcasts.channel_takedown(channel_id=channel_id),
        ),
        ContentKind(
            name=Target.USER,
            parse_id=documents.parse_int_id,
            author=_user_author,
            describe=_user_text,
        ),
    )
}
