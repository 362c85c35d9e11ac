"""Channel writes. Creating a post writes its `channels.post.created` event to the outbox in the
same transaction (apps.core.events), so subscribers hear of it even if NATS is down."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.core import documents
from apps.core.counters import counter_next
from apps.core.errors import ApplicationError, NotFound, PermissionDenied
from apps.core.events import event_emit
from apps.core.validation import checked_text
from apps.files.selectors import attachment_snapshot, files_for_attaching
from apps.files.services import avatar_replace, content_erase, files_attach

from . import events, search
from .errors import BroadcastError
from .models import Channel, ChannelAdmin, Comment, Post, PostReaction, Subscription, new_invite_token
from .selectors import POSTS, channel_access, channel_not_found, post_for_reader, post_stored, posts_public

HANDLE = re.compile(r"^[a-z][a-z0-9_]{4,31}$")
Role = ChannelAdmin.Role


def _check_handle(handle: str) -> str:
    handle = (handle or "").strip().lstrip("@").lower()
    if not HANDLE.match(handle):
        raise ApplicationError.for_field(
            "handle", BroadcastError.HANDLE_INVALID, "Use 5-32 letters, digits or _, starting with a letter."
        )
    return handle


def _handle_taken() -> ApplicationError:
    """A 409: the handle is well formed, and a channel has it."""
    return ApplicationError.for_field(
        "handle", BroadcastError.HANDLE_TAKEN, "This handle is taken.", status=409
    )


def _admin_channel(*, channel_id: int, user_id: int, owner_only: bool = False) -> Channel:
    channel, role, _ = channel_access(channel_id=channel_id, user_id=user_id)
    if role is None or (owner_only and role != Role.OWNER):
        if owner_only:
            raise PermissionDenied("Only the channel's owner can do this.", code=BroadcastError.NOT_OWNER)
        raise PermissionDenied("Only the channel's admins can do this.", code=BroadcastError.NOT_ADMIN)
    return channel


# --- Channels -------------------------------------------------------------------------------


@transaction.atomic
def channel_create(
    *, owner, handle: str, title: str, description: str = "", is_public: bool = True
) -> Channel:
    handle = _check_handle(handle)
    title = checked_text(title, limit=128, field="title")
    if Channel.objects.filter(handle=handle).exists():
        raise _handle_taken()
    try:
        with transaction.atomic():
            channel = Channel.objects.create(
                handle=handle,
                title=title.strip(),
                description=checked_text(description, limit=1000, allow_empty=True, field="description"),
                owner_id=owner.pk,
                is_public=is_public,
                subscriber_count=1,
            )
    except IntegrityError:
        raise _handle_taken() from None
    ChannelAdmin.objects.create(channel=channel, user_id=owner.pk, role=Role.OWNER)
    Subscription.objects.create(channel=channel, user_id=owner.pk)
    search.channel_indexed(channel)
    return channel


@transaction.atomic
def channel_update(*, user, channel_id: int, **changes) -> Channel:
    channel = _admin_channel(channel_id=channel_id, user_id=user.pk)
    if "handle" in changes:
        changes["handle"] = _check_handle(changes["handle"])
        if Channel.objects.filter(handle=changes["handle"]).exclude(pk=channel.pk).exists():
            raise _handle_taken()
    if "title" in changes:
        changes["title"] = checked_text(changes["title"], limit=128, field="title").strip()
    if "description" in changes:
        changes["description"] = checked_text(
            changes["description"], limit=1000, allow_empty=True, field="description"
        )
    if "avatar_file_id" in changes:
        changes["avatar_path"] = avatar_replace(
            user_id=user.pk, old_file_id=channel.avatar_file_id, new_file_id=changes["avatar_file_id"]
        )
    if changes.pop("renew_invite", False):
        changes["invite_token"] = new_invite_token()
    for field, value in changes.items():
        setattr(channel, field, value)
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError:
        raise _handle_taken() from None
    search.channel_indexed(channel)
    return channel


@documents.transactional
def channel_delete(*, user, channel_id: int) -> None:
    channel = _admin_channel(channel_id=channel_id, user_id=user.pk, owner_only=True)
    Post.objects.filter(channel_id=channel.pk).delete()
    Comment.objects.filter(channel_id=channel.pk).delete()
    PostReaction.objects.filter(channel_id=channel.pk).delete()
    channel_pk = channel.pk
    channel.delete()
    search.channel_removed(channel_pk)


@transaction.atomic
def channel_subscribe(
    *, user, channel_id: int | None = None, invite: str | None = None
) -> tuple[Channel, bool]:
    """Follow a channel (a private one with its invite token). Idempotent: (channel, created)."""
    if channel_id is not None:
        channel = (
            Channel.objects.select_for_update().filter(pk=channel_id, taken_down_at__isnull=True).first()
        )
    else:
        channel = (
            Channel.objects.select_for_update()
            .filter(invite_token=invite or "", taken_down_at__isnull=True)
            .first()
        )
    if channel is None:
        raise channel_not_found()
    if Subscription.objects.filter(channel=channel, user_id=user.pk).exists():
        return channel, False
    if not channel.is_public and invite != channel.invite_token:
        # As for no channel at all: without its invite, a private channel's existence is not told.
        raise channel_not_found()
    Subscription.objects.create(channel=channel, user_id=user.pk)
    Channel.objects.filter(pk=channel.pk).update(subscriber_count=F("subscriber_count") + 1)
    channel.refresh_from_db(fields=["subscriber_count"])
    return channel, True


@transaction.atomic
def channel_unsubscribe(*, user, channel_id: int) -> bool:
    channel = Channel.objects.select_for_update().filter(pk=channel_id).first()
    if channel is None:
        raise channel_not_found()
    if channel.owner_id == user.pk:
        raise ApplicationError(
            BroadcastError.OWNER_CANNOT_UNSUBSCRIBE,
            "The owner cannot leave; delete the channel instead.",
            status=409,
        )
    removed, _ = Subscription.objects.filter(channel=channel, user_id=user.pk).delete()
    if removed:
        Channel.objects.filter(pk=channel.pk).update(subscriber_count=F("subscriber_count") - 1)
        ChannelAdmin.objects.filter(channel=channel, user_id=user.pk).delete()
    return bool(removed)


@transaction.atomic
def channel_takedown(*, channel_id: int) -> bool:
    """A moderator takes a channel down: it disappears from search, lists and reads."""
    updated = Channel.objects.filter(pk=channel_id, taken_down_at__isnull=True).update(
        taken_down_at=timezone.now()
    )
    if updated:
        search.channel_removed(channel_id)
    return bool(updated)


# --- Posts ----------------------------------------------------------------------------------


@documents.transactional
def post_create(*, user, channel_id: int, text: str = "", attachment_ids=()) -> Post:
    channel = _admin_channel(channel_id=channel_id, user_id=user.pk)
    attachment_ids = list(attachment_ids or [])
    text = checked_text(text, limit=settings.POST_MAX_LENGTH, allow_empty=bool(attachment_ids))
    snapshots = [
        attachment_snapshot(f) for f in files_for_attaching(file_ids=attachment_ids, user_id=user.pk)
    ]
    files_attach(file_ids=[snapshot["file_id"] for snapshot in snapshots])
    post = Post.objects.create(
        channel_id=channel.pk,
        seq=counter_next(Channel, pk=channel.pk, field="last_post_seq"),
        author_id=user.pk,
        text=text,
        attachments=snapshots,
    )
    event_emit(name=events.POST_CREATED.name, payload=events.post_created(post))
    POSTS.merge_after_commit(post.channel_id, post_stored(post))
    return post


def _admin_post(*, post_id: int, user_id: int) -> Post:
    post, _channel, role, _ = post_for_reader(post_id=post_id, user_id=user_id)
    if role is None:
        raise PermissionDenied("Only the channel's admins can do this.", code=BroadcastError.NOT_ADMIN)
    locked = documents.locked(Post.objects).filter(pk=post.pk).first()
    if locked is None:  # its channel was deleted since it was read (found by schemathesis: a 500)
        raise NotFound("There is no such post.", code=BroadcastError.POST_NOT_FOUND)
    return locked


@documents.transactional
def post_edit(*, user, post_id: int, text: str) -> Post:
    post = _admin_post(post_id=post_id, user_id=user.pk)
    post.text = checked_text(text, limit=settings.POST_MAX_LENGTH, allow_empty=bool(post.attachments))
    post.edited_at = timezone.now()
    post.version += 1
    post.save(update_fields=["text", "edited_at", "version"])
    POSTS.merge_after_commit(post.channel_id, post_stored(post))
    return post


def post_erase(post: Post) -> None:
    """Its text, files and reactions."""
    PostReaction.objects.filter(post_id=post.pk).delete()
    post.reaction_counts = None
    content_erase(post, also=("reaction_counts",))
    POSTS.merge_after_commit(post.channel_id, post_stored(post))


@documents.transactional
def post_react(*, user, post_id: int, emoji: str, add: bool = True) -> dict:
    """A subscriber (or an admin) adds `emoji` to a post, or takes it back; the post as they see
    it after. Readers see the counts; who reacted stays with each person. Doing what is done
    already changes nothing."""
    post, _channel, role, subscribed = post_for_reader(post_id=post_id, user_id=user.pk)
    if not subscribed and role is None:
        raise PermissionDenied("Subscribe to the channel to react.", code=BroadcastError.NOT_SUBSCRIBED)
    post = documents.locked(Post.objects).filter(pk=post.pk, deleted=False).first()
    if post is None:
        raise NotFound("There is no such post.", code=BroadcastError.POST_NOT_FOUND)
    mine = PostReaction.objects.filter(user_id=user.pk, post_id=post.pk)
    given = set(mine.values_list("emoji", flat=True))
    if add != (emoji in given):
        counts = dict(post.reaction_counts or {})
        if add:
            if len(given) >= settings.REACTIONS_PER_PERSON:
                raise ApplicationError(
                    BroadcastError.TOO_MANY_REACTIONS,
                    f"You can give at most {settings.REACTIONS_PER_PERSON} reactions to a post: "
                    "take one back first.",
                    status=409,
                )
            PostReaction.objects.create(
                user_id=user.pk, post_id=post.pk, channel_id=post.channel_id, emoji=emoji
            )
            counts[emoji] = counts.get(emoji, 0) + 1
        else:
            mine.filter(emoji=emoji).delete()
            counts[emoji] -= 1
            if not counts[emoji]:
                del counts[emoji]
        post.reaction_counts = counts
        post.version += 1
        post.save(update_fields=["reaction_counts", "version"])
        POSTS.merge_after_commit(post.channel_id, post_stored(post))
    return posts_public([post_stored(post)], user_id=user.pk)[0]


@documents.transactional
def post_delete(*, user, post_id: int) -> None:
    post_erase(_admin_post(post_id=post_id, user_id=user.pk))


@documents.transactional
def post_takedown(*, post_id: int) -> bool:
    post = documents.locked(Post.objects).filter(pk=post_id, deleted=False).first()
    if post is None:
        return False
    post_erase(post)
    return True


# --- Comments -------------------------------------------------------------------------------


@documents.transactional
def comment_create(*, user, post_id: int, text: str) -> Comment:
    post, channel, role, subscribed = post_for_reader(post_id=post_id, user_id=user.pk)
    if not subscribed and role is None:
        raise PermissionDenied("Subscribe to the channel to comment.", code=BroadcastError.NOT_SUBSCRIBED)
    text = checked_text(text, limit=settings.COMMENT_MAX_LENGTH)
    return Comment.objects.create(post_id=post.pk, channel_id=channel.pk, author_id=user.pk, text=text)


@documents.transactional
def comment_takedown(*, comment_id: int) -> bool:
    """A moderator erases a comment. False if it was gone already."""
    return bool(Comment.objects.filter(pk=comment_id, deleted=False).update(deleted=True, text=""))


@documents.transactional
def comment_delete(*, user, post_id: int, comment_id: int) -> None:
    post, _channel, role, _ = post_for_reader(post_id=post_id, user_id=user.pk)
    comment = documents.locked(Comment.objects).filter(pk=comment_id, post_id=post.pk, deleted=False).first()
    if comment is None:
        raise NotFound("There is no such comment.", code=BroadcastError.COMMENT_NOT_FOUND)
    if comment.author_id != user.pk and role is None:
        raise PermissionDenied(
            "Only its author or the channel's admins can delete a comment.",
            code=BroadcastError.NOT_COMMENT_AUTHOR,
        )
    comment.deleted = True
    comment.text = ""
    comment.save(update_fields=["deleted", "text"])


@documents.transactional
def post_reactions_erase(*, user_id: int) -> int:
    """Take back every reaction the person gave to posts (the counts follow); how many."""
    rows = list(PostReaction.objects.filter(user_id=user_id).values_list("post_id", "emoji"))
    for post_id in sorted({post_id for post_id, _ in rows}, key=str):  # one lock at a time, in order
        post = documents.locked(Post.objects).filter(pk=post_id).first()
        if post is None:
            continue
        counts = dict(post.reaction_counts or {})
        for emoji in (emoji for reacted_to, emoji in rows if reacted_to == post_id):
            counts[emoji] = counts.get(emoji, 1) - 1
            if counts[emoji] <= 0:
                del counts[emoji]
        post.reaction_counts = counts
        post.version += 1
        post.save(update_fields=["reaction_counts", "version"])
        POSTS.merge_after_commit(post.channel_id, post_stored(post))
    PostReaction.objects.filter(user_id=user_id).delete()
    return len(rows)


def subscriptions_erase(*, user) -> int:
    """Unfollow every channel (the counts follow); how many."""
    channel_ids = list(Subscription.objects.filter(user_id=user.pk).values_list("channel_id", flat=True))
    return sum(channel_unsubscribe(user=user, channel_id=channel_id) for channel_id in channel_ids)
