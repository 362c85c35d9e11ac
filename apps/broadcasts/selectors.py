"""Channel reads: details as the viewer may see them, the newest posts from the cache, older
posts and comments from the database."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Exists, OuterRef, Subquery

from apps.core import documents
from apps.core.cache import SealedWindow
from apps.core.errors import NotFound
from apps.core.forwarding import Forwardable
from apps.files.selectors import attachment_public, storage_url

from .errors import BroadcastError
from .models import Channel, ChannelAdmin, Comment, Post, PostReaction, Subscription


def channel_not_found() -> NotFound:
    return NotFound("There is no such channel, or it is private.", code=BroadcastError.CHANNEL_NOT_FOUND)


def channel_public(channel: Channel, *, role: str | None, subscribed: bool) -> dict:
    row = {
        "id": channel.pk,
        "handle": channel.handle,
        "title": channel.title,
        "description": channel.description,
        "avatar_url": storage_url(channel.avatar_path) if channel.avatar_path else None,
        "is_public": channel.is_public,
        "subscriber_count": channel.subscriber_count,
        "last_post_seq": channel.last_post_seq,
        "created_at": channel.created_at,
        "subscribed": subscribed,
        "role": role,
        "allowed_reactions": list(settings.REACTIONS),
    }
    if role is not None:  # admins see the invite link
        row["invite_token"] = channel.invite_token
    return row


def channel_access(*, channel_id: int, user_id: int) -> tuple[Channel, str | None, bool]:
    """(channel, the user's admin role or None, subscribed), in one query. NotFound for a
    missing or taken-down channel, and for a private one the user neither follows nor
    administers."""
    channel = (
        Channel.objects.filter(pk=channel_id, taken_down_at__isnull=True)
        .annotate(
            viewer_role=Subquery(
                ChannelAdmin.objects.filter(channel_id=OuterRef("pk"), user_id=user_id).values("role")[:1]
            ),
            viewer_subscribed=Exists(Subscription.objects.filter(channel_id=OuterRef("pk"), user_id=user_id)),
        )
        .first()
    )
    if channel is None or (
        not channel.is_public and channel.viewer_role is None and not channel.viewer_subscribed
    ):
        raise channel_not_found()
    return channel, channel.viewer_role, channel.viewer_subscribed


def channel_detail(*, channel_id: int, user_id: int) -> dict:
    channel, role, subscribed = channel_access(channel_id=channel_id, user_id=user_id)
    return channel_public(channel, role=role, subscribed=subscribed)


def channels_subscribed(*, user_id: int, before_id: int | None, limit: int) -> dict:
    """The user's subscriptions, newest first (three queries, whatever the count)."""
    queryset = Subscription.objects.filter(user_id=user_id, channel__taken_down_at__isnull=True)
    if before_id:
        queryset = queryset.filter(id__lt=before_id)
    rows = list(queryset.select_related("channel").order_by("-id")[: limit + 1])
    roles = dict(
        ChannelAdmin.objects.filter(user_id=user_id, channel_id__in=[r.channel_id for r in rows]).values_list(
            "channel_id", "role"
        )
    )
    results = [
        {**channel_public(r.channel, role=roles.get(r.channel_id), subscribed=True), "subscription_id": r.pk}
        for r in rows[:limit]
    ]
    return {"results": results, "has_more": len(rows) > limit}


# --- Posts ----------------------------------------------------------------------------------


def post_stored(post: Post) -> dict:
    return {
        "id": documents.dump_id(post.pk),
        "channel_id": post.channel_id,
        "seq": post.seq,
        "author_id": post.author_id,
        "text": "" if post.deleted else post.text,
        "attachments": [] if post.deleted else post.attachments,
        "views": post.views,
        "reactions": {} if post.deleted else post.reaction_counts or {},
        "created_at": post.created_at.isoformat(),
        "edited_at": post.edited_at.isoformat() if post.edited_at else None,
        "deleted": post.deleted,
        "version": post.version,
    }


def post_public(stored: dict, mine: list[str] = ()) -> dict:
    """A post as readers see it; `mine`: the reader's own reactions to it."""
    public = {key: value for key, value in stored.items() if key not in ("version", "deleted")}
    public["id"] = documents.dump_id(stored["id"])  # kept before ids became strings
    public["attachments"] = [attachment_public(snapshot) for snapshot in stored["attachments"]]
    counts = stored.get("reactions") or {}  # cached before posts had reactions: none
    public["reactions"] = sorted(
        ({"emoji": emoji, "count": count} for emoji, count in counts.items()), key=lambda r: -r["count"]
    )
    public["my_reactions"] = list(mine)
    return public


def posts_public(stored: list[dict], *, user_id: int) -> list[dict]:
    """Posts as `user_id` sees them, with their own reactions: one query, and only when a post
    has any."""
    reacted = [documents.parse_id(post["id"]) for post in stored if post.get("reactions")]
    mine: dict[str, list[str]] = {}
    if reacted:
        rows = PostReaction.objects.filter(user_id=user_id, post_id__in=reacted).order_by("created_at")
        for post_id, emoji in rows.values_list("post_id", "emoji"):
            mine.setdefault(documents.dump_id(post_id), []).append(emoji)
    return [post_public(post, mine.get(documents.dump_id(post["id"]), [])) for post in stored]


POSTS = SealedWindow("channel-posts", size="POSTS_CACHE_SIZE", ttl="POSTS_CACHE_TTL")


def _posts_newest(channel_id: int, count: int) -> list[dict]:
    rows = list(Post.objects.filter(channel_id=channel_id).order_by("-seq")[:count])
    return [post_stored(post) for post in reversed(rows)]


def posts_page(*, channel_id: int, user_id: int, before_seq: int | None = None, limit: int = 10) -> dict:
    """Newest first. The first page (no cursor) comes from the cache; older pages from the
    database (they are read rarely: not cached)."""
    channel_access(channel_id=channel_id, user_id=user_id)
    if before_seq is None and limit <= POSTS.size:
        cached = POSTS.newest_page(
            channel_id,
            limit=limit,
            load_newest=lambda count: _posts_newest(channel_id, count),
            visible=lambda post: not post["deleted"],
        )
        if cached is not None:
            page, has_more = cached
            return {"results": posts_public(page, user_id=user_id), "has_more": has_more}
    queryset = Post.objects.filter(channel_id=channel_id, deleted=False)
    if before_seq is not None:
        queryset = queryset.filter(seq__lt=before_seq)
    rows = list(queryset.order_by("-seq")[: limit + 1])
    return {
        "results": posts_public([post_stored(p) for p in rows[:limit]], user_id=user_id),
        "has_more": len(rows) > limit,
    }


def post_for_reader(*, post_id: int, user_id: int) -> tuple[Post, Channel, str | None, bool]:
    post = Post.objects.filter(pk=post_id, deleted=False).first()
    if post is None:
        raise NotFound("There is no such post.", code=BroadcastError.POST_NOT_FOUND)
    try:
        channel, role, subscribed = channel_access(channel_id=post.channel_id, user_id=user_id)
    except NotFound:
        raise NotFound("There is no such post.", code=BroadcastError.POST_NOT_FOUND) from None
    return post, channel, role, subscribed


def post_forwardable(user_id: int, post_id) -> Forwardable:
    """A post its reader forwards into a chat: its text and files, and its channel as origin."""
    post, channel, _role, _subscribed = post_for_reader(post_id=post_id, user_id=user_id)
    return Forwardable(
        text=post.text,
        attachments=post.attachments,
        origin={
            "kind": "channel",
            "channel_id": channel.pk,
            "handle": channel.handle,
            "title": channel.title,
            "post_id": documents.dump_id(post.pk),
            "date": post.created_at.isoformat(),
        },
    )


# --- Comments -------------------------------------------------------------------------------


def comment_public(comment: Comment) -> dict:
    return {
        "id": documents.dump_id(comment.pk),
        "post_id": documents.dump_id(comment.post_id),
        "author_id": comment.author_id,
        "text": comment.text,
        "created_at": comment.created_at,
    }


def comments_page(*, post_id, user_id: int, after_id=None, limit: int = 50) -> dict:
    """Oldest first; `after` is the id of the newest comment the client has (clients poll).
    Ids grow with time in both stores (a serial; an ObjectId starts with its second)."""
    post_for_reader(post_id=post_id, user_id=user_id)
    queryset = Comment.objects.filter(post_id=post_id, deleted=False)
    if after_id is not None:
        queryset = queryset.filter(id__gt=after_id)
    rows = list(queryset.order_by("id")[: limit + 1])
    return {"results": [comment_public(c) for c in rows[:limit]], "has_more": len(rows) > limit}


def subscribed_ids(*, user_id: int, channel_ids) -> set[int]:
    return set(
        Subscription.objects.filter(user_id=user_id, channel_id__in=list(channel_ids)).values_list(
            "channel_id", flat=True
        )
    )


def subscriber_ids(*, channel_id: int):
    """The channel's subscribers' user ids, as a lazy query (to filter other queries with)."""
    return Subscription.objects.filter(channel_id=channel_id).values("user_id")


def post_announcement(*, channel_id: int, post_id: int) -> dict | None:
    """What a push of a new post needs; None if the post or its channel is gone."""
    post = (
        Post.objects.filter(pk=post_id, channel_id=channel_id, deleted=False)
        .values("seq", "author_id")
        .first()
    )
    title = (
        Channel.objects.filter(pk=channel_id, taken_down_at__isnull=True)
        .values_list("title", flat=True)
        .first()
    )
    if post is None or title is None:
        return None
    return {"title": title, **post}


def comment_brief(*, comment_id: int) -> dict | None:
    return Comment.objects.filter(pk=comment_id, deleted=False).values("post_id", "author_id").first()


# --- A person's own data, for export (manage.py export_user_data) ---------------------------


def channels_administered_export(*, user_id: int) -> list[dict]:
    return list(ChannelAdmin.objects.filter(user_id=user_id).values("channel_id", "role"))


def subscriptions_export(*, user_id: int) -> list[dict]:
    return list(Subscription.objects.filter(user_id=user_id).values("channel_id", "created_at"))


def posts_export(*, user_id: int) -> list[dict]:
    return [
        {"channel_id": p.channel_id, "seq": p.seq, "text": p.text, "created_at": p.created_at}
        for p in Post.objects.filter(author_id=user_id, deleted=False).order_by("id")
    ]


def comments_export(*, user_id: int) -> list[dict]:
    return [
        {"post_id": documents.dump_id(c.post_id), "text": c.text, "created_at": c.created_at}
        for c in Comment.objects.filter(author_id=user_id, deleted=False).order_by("id")
    ]
