"""Chat reads. Lists make a fixed number of queries whatever their length; the first page of a
chat's history, its membership and a member's hidden messages come from caches."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from apps.core import documents
from apps.core.cache import Prefetched, read_together, versioned_get, versioned_set
from apps.core.errors import ApplicationError, NotFound
from apps.profiles.selectors import profiles_visible_to

from . import search
from .errors import ChatError
from .history import HISTORY, history_newest, message_public, message_stored
from .models import Chat, ChatMember, HiddenMessage, Message, PinnedMessage

# --- Membership (cached per chat) -----------------------------------------------------------


def _members_key(chat_id: int) -> str:
    return f"chat:{chat_id}:members"


def members_refill(*, chat_id: int) -> dict[int, str]:
    rows = list(
        ChatMember.objects.filter(chat_id=chat_id).values_list("user_id", "role", "chat__members_version")
    )
    members = {user_id: role for user_id, role, _ in rows}
    if rows:
        versioned_set(_members_key(chat_id), rows[0][2], members, ttl=settings.MEMBERS_CACHE_TTL)
    return members


def _cached(key: str, prefetched: Prefetched | None):
    return prefetched.values.get(key) if prefetched is not None else versioned_get(key)


def members_of(*, chat_id: int, prefetched: Prefetched | None = None) -> dict[int, str]:
    """{user_id: role} of the chat's members ({} for no chat)."""
    cached = _cached(_members_key(chat_id), prefetched)
    if cached is not None:
        return {int(user_id): role for user_id, role in cached.items()}
    return members_refill(chat_id=chat_id)


def chat_role(*, chat_id: int, user_id: int, prefetched: Prefetched | None = None) -> str:
    """The user's role in the chat; NotFound when they are not a member (or no such chat): a
    non-member learns nothing of a chat, not even that it exists."""
    role = members_of(chat_id=chat_id, prefetched=prefetched).get(user_id)
    if role is None:
        raise NotFound("There is no such chat among yours.", code=ChatError.CHAT_NOT_FOUND)
    return role


# --- Messages a member deleted for themselves (cached per member and chat) ------------------


def _hidden_key(user_id: int, chat_id: int) -> str:
    return f"chat:{chat_id}:hidden:{user_id}"


def hidden_refill(*, user_id: int, chat_id: int) -> set[str]:
    """The ids (as clients see them) of the messages this member deleted for themselves."""
    version = (
        ChatMember.objects.filter(chat_id=chat_id, user_id=user_id)
        .values_list("hidden_version", flat=True)
        .first()
    )
    ids = {
        documents.dump_id(message_id)
        for message_id in HiddenMessage.objects.filter(user_id=user_id, chat_id=chat_id).values_list(
            "message_id", flat=True
        )
    }
    if version is not None:
        versioned_set(_hidden_key(user_id, chat_id), version, sorted(ids), ttl=settings.MEMBERS_CACHE_TTL)
    return ids


def hidden_for(*, user_id: int, chat_id: int, prefetched: Prefetched | None = None) -> set[str]:
    cached = _cached(_hidden_key(user_id, chat_id), prefetched)
    if cached is None:
        return hidden_refill(user_id=user_id, chat_id=chat_id)
    return {documents.dump_id(message_id) for message_id in cached}


# --- History --------------------------------------------------------------------------------


def _visible(stored: dict, hidden: set[str]) -> bool:
    return not stored["deleted"] and documents.dump_id(stored["id"]) not in hidden


def history_page(
    *,
    user_id: int,
    chat_id: int,
    before_seq: int | None = None,
    after_seq: int | None = None,
    limit: int = 50,
) -> dict:
    """A page of the chat's messages the user can see: newest first (no cursor, or
    `before_seq`), or oldest first after `after_seq` (catch-up; with `before_seq` too, only
    the messages between the two). The membership, the hidden set and (for the newest page)
    the window are read from Redis in one round trip."""
    newest = before_seq is None and after_seq is None and limit <= HISTORY.size
    prefetched = read_together(
        versioned=[_members_key(chat_id), _hidden_key(user_id, chat_id)],
        windows=[HISTORY.key(chat_id)] if newest else [],
    )
    chat_role(chat_id=chat_id, user_id=user_id, prefetched=prefetched)
    hidden = hidden_for(user_id=user_id, chat_id=chat_id, prefetched=prefetched)
    if newest:
        cached = HISTORY.newest_page(
            chat_id,
            limit=limit,
            load_newest=lambda count: history_newest(chat_id, count),
            visible=lambda stored: _visible(stored, hidden),
            prefetched=prefetched,
        )
        if cached is not None:
            page, has_more = cached
            return {"results": [message_public(stored) for stored in page], "has_more": has_more}
    queryset = Message.objects.filter(chat_id=chat_id, deleted=False).exclude(id__in=hidden)
    if before_seq is not None:
        queryset = queryset.filter(seq__lt=before_seq)
    if after_seq is not None:
        rows = list(queryset.filter(seq__gt=after_seq).order_by("seq")[: limit + 1])
    else:
        rows = list(queryset.order_by("-seq")[: limit + 1])
    return {
        "results": [message_public(message_stored(m)) for m in rows[:limit]],
        "has_more": len(rows) > limit,
    }


def _pin_rows(chat_id: int) -> list[PinnedMessage]:
    return list(PinnedMessage.objects.filter(chat_id=chat_id).order_by("-pinned_at", "-id"))


def pins_of(*, chat_id: int) -> list[dict]:
    """The chat's pins, newest first: [{message_id, seq, pinned_by, pinned_at}] (two queries)."""
    rows = _pin_rows(chat_id)
    seqs = dict(Message.objects.filter(pk__in=[row.message_id for row in rows]).values_list("pk", "seq"))
    return [
        {
            "message_id": documents.dump_id(row.message_id),
            "seq": seqs[row.message_id],
            "pinned_by": row.pinned_by,
            "pinned_at": row.pinned_at.isoformat(),
        }
        for row in rows
        if row.message_id in seqs
    ]


def pinned_messages(*, user_id: int, chat_id: int) -> list[dict]:
    """The chat's pinned messages as the member sees them, newest pin first (the pins and their
    messages: two queries)."""
    chat_role(chat_id=chat_id, user_id=user_id)
    rows = _pin_rows(chat_id)
    messages = {m.pk: m for m in Message.objects.filter(pk__in=[row.message_id for row in rows])}
    hidden = hidden_for(user_id=user_id, chat_id=chat_id)
    shown = []
    for row in rows:
        if row.message_id not in messages:
            continue
        stored = message_stored(messages[row.message_id])
        if not _visible(stored, hidden):
            continue  # deleted for this member only: not shown to them
        shown.append(
            {"message": message_public(stored), "pinned_by": row.pinned_by, "pinned_at": row.pinned_at}
        )
    return shown


def messages_search(
    *, user_id: int, q: str, chat_id: int | None = None, before=None, before_seq=None, limit: int = 20
) -> dict:
    """Messages with every word of `q` (words of 3 letters or more, each also as a prefix) in
    one of the user's chats, or in `chat_id`, newest first: `{results, has_more, next}`; `next`
    (a message id) asks for the page after, as `before`. Messages deleted, or deleted for the
    user, are not found."""
    wanted = search.query_terms(q)
    if not wanted:
        raise ApplicationError.for_field(
            "q", ChatError.QUERY_TOO_SHORT, f"Give a word of at least {search.MIN_TERM} letters."
        )
    if chat_id is not None:
        chat_role(chat_id=chat_id, user_id=user_id)  # a member, else chat_not_found
        chat_ids = [chat_id]
        if before_seq is not None:
            before = (
                Message.objects.filter(chat_id=chat_id, seq=before_seq).values_list("pk", flat=True).first()
            )
    else:
        chat_ids = list(ChatMember.objects.filter(user_id=user_id).values_list("chat_id", flat=True))
    found: list[Message] = []
    more = True
    while more and len(found) <= limit:  # pages short of the messages deleted for this user only
        ids = search.matching_ids(chat_ids=chat_ids, q_terms=wanted, before_id=before, limit=limit + 1)
        more = len(ids) > limit
        if not ids:
            break
        before = ids[-1]
        rows = Message.objects.filter(pk__in=ids, deleted=False).order_by("-pk")
        hidden = set(
            HiddenMessage.objects.filter(user_id=user_id, message_id__in=ids).values_list(
                "message_id", flat=True
            )
        )
        found += [message for message in rows if message.pk not in hidden]
    page = found[:limit]
    has_more = len(found) > limit or more
    return {
        "results": [message_public(message_stored(message)) for message in page],
        "has_more": has_more,
        "next": documents.dump_id(page[-1].pk) if page and has_more else None,
    }


# --- Chats ----------------------------------------------------------------------------------


def _last_messages(chats: list[Chat]) -> dict[int, dict]:
    """{chat_id: newest message} for the chats, in one query."""
    wanted = [chat for chat in chats if chat.last_seq]
    if not wanted:
        return {}
    condition = Q()
    for chat in wanted:
        condition |= Q(chat_id=chat.pk, seq=chat.last_seq)
    return {
        message.chat_id: message_public(message_stored(message))
        for message in Message.objects.filter(condition)
    }


def _peers(chats: list[Chat], user_id: int) -> dict[int, dict]:
    """{chat_id: the other member's public profile} for the direct chats, in two look-ups."""
    direct_ids = [chat.pk for chat in chats if chat.kind == Chat.Kind.DIRECT]
    if not direct_ids:
        return {}
    pairs = dict(
        ChatMember.objects.filter(chat_id__in=direct_ids)
        .exclude(user_id=user_id)
        .values_list("chat_id", "user_id")
    )
    profiles = profiles_visible_to(viewer_id=user_id, user_ids=pairs.values())
    peers = {}
    for chat_id, peer_id in pairs.items():
        profile = profiles.get(peer_id)
        peers[chat_id] = {
            "id": peer_id,
            "username": profile["username"] if profile else None,
            "display_name": profile["display_name"] if profile else "Deleted account",
            "avatar_url": profile["avatar_url"] if profile else None,
        }
    return peers


def allowed_reactions(chat: Chat) -> list[str]:
    """The reactions members may give in this chat: the group's choice, else all of them."""
    if chat.allowed_reactions is None:
        return list(settings.REACTIONS)
    return [emoji for emoji in settings.REACTIONS if emoji in chat.allowed_reactions]


def _chat_rows(memberships: list[ChatMember], user_id: int) -> list[dict]:
    chats = [membership.chat for membership in memberships]
    last = _last_messages(chats)
    peers = _peers(chats, user_id)
    return [
        {
            "id": m.chat.pk,
            "kind": m.chat.kind,
            "title": m.chat.title
            if m.chat.kind == Chat.Kind.GROUP
            else (peers.get(m.chat.pk) or {}).get("display_name", ""),
            "last_seq": m.chat.last_seq,
            "unread_count": max(0, m.chat.last_seq - m.last_read_seq),
            "last_read_seq": m.last_read_seq,
            "last_message": last.get(m.chat.pk),
            "peer": peers.get(m.chat.pk),
            "role": m.role,
            "allowed_reactions": allowed_reactions(m.chat),
            "members_can_pin": m.chat.kind == Chat.Kind.DIRECT or m.chat.members_can_pin,
            "created_at": m.chat.created_at,
            "last_activity_at": m.chat.last_activity_at,
        }
        for m in memberships
    ]


def chat_list(*, user_id: int, before: tuple | None = None, limit: int = 50) -> dict:
    """The user's chats, most recently active first, with last message, unread count and, for
    direct chats, the peer: four queries whatever the number of chats."""
    queryset = ChatMember.objects.filter(user_id=user_id).select_related("chat")
    if before is not None:
        activity, chat_id = before
        queryset = queryset.filter(
            Q(chat__last_activity_at__lt=activity) | Q(chat__last_activity_at=activity, chat_id__lt=chat_id)
        )
    memberships = list(queryset.order_by("-chat__last_activity_at", "-chat_id")[: limit + 1])
    rows = _chat_rows(memberships[:limit], user_id)
    return {"results": rows, "has_more": len(memberships) > limit}


def chat_detail(*, user_id: int, chat_id: int) -> dict:
    membership = ChatMember.objects.filter(user_id=user_id, chat_id=chat_id).select_related("chat").first()
    if membership is None:
        raise NotFound("There is no such chat among yours.", code=ChatError.CHAT_NOT_FOUND)
    row = _chat_rows([membership], user_id)[0]
    row["member_count"] = len(members_of(chat_id=chat_id))
    return row


def chat_members(*, user_id: int, chat_id: int) -> list[dict]:
    chat_role(chat_id=chat_id, user_id=user_id)
    rows = list(
        ChatMember.objects.filter(chat_id=chat_id)
        .order_by("joined_at", "id")
        .values("user_id", "role", "joined_at")
    )
    profiles = profiles_visible_to(viewer_id=user_id, user_ids=[row["user_id"] for row in rows])
    return [
        {"user": profiles.get(row["user_id"]), "role": row["role"], "joined_at": row["joined_at"]}
        for row in rows
    ]


def direct_peer_ids(*, user_id: int) -> list[int]:
    """The other members of the user's direct chats (presence goes to them)."""
    chat_ids = ChatMember.objects.filter(user_id=user_id, chat__kind=Chat.Kind.DIRECT).values("chat_id")
    return list(
        ChatMember.objects.filter(chat_id__in=chat_ids)
        .exclude(user_id=user_id)
        .values_list("user_id", flat=True)
    )


def message_brief(*, message_id: int) -> dict | None:
    """Where a live message is and who sent it (no text); None if it is gone."""
    return Message.objects.filter(pk=message_id, deleted=False).values("chat_id", "sender_id", "seq").first()


def chat_kind_title(*, chat_id: int) -> tuple[str, str] | None:
    return Chat.objects.filter(pk=chat_id).values_list("kind", "title").first()


# --- A person's own data, for export (manage.py export_user_data) ---------------------------


def memberships_export(*, user_id: int) -> list[dict]:
    return list(ChatMember.objects.filter(user_id=user_id).values("chat_id", "role", "joined_at"))


def messages_export(*, user_id: int) -> list[dict]:
    """Every message the person sent, as stored now (in chunks: there may be many)."""
    return [
        {
            "chat_id": m.chat_id,
            "seq": m.seq,
            "text": m.text,
            "attachments": m.attachments,
            "created_at": m.created_at,
            "edited_at": m.edited_at,
            "deleted": m.deleted,
        }
        for m in Message.objects.filter(sender_id=user_id).order_by("id").iterator(chunk_size=2000)
    ]
