"""Chats and their members: open a direct chat, create a group, add, remove, leave, roles."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction

from apps.accounts.selectors import active_user_ids, user_active_exists
from apps.contacts.selectors import blocked_either_way, group_add_refused
from apps.core import documents
from apps.core.errors import ApplicationError, NotFound, PermissionDenied
from apps.updates.services import logs_start, updates_append

from .. import events
from ..errors import ChatError
from ..models import Chat, ChatMember
from ..selectors import members_refill
from ._common import Role, chat_public, member_rows, members_changed, require_member


@documents.transactional
def chat_direct_open(*, user, peer_id: int) -> tuple[Chat, bool]:
    """The one direct chat of `user` and `peer_id`: (chat, created)."""
    if peer_id == user.pk:
        raise ApplicationError(
            ChatError.CANNOT_CHAT_WITH_SELF, "You cannot open a chat with yourself.", status=403
        )
    if not user_active_exists(user_id=peer_id):
        raise NotFound("There is no such user.", code=ChatError.USER_NOT_FOUND)
    if blocked_either_way(user_id=user.pk, other_id=peer_id):
        raise ApplicationError(ChatError.BLOCKED, "You cannot write to this user.", status=403)
    low, high = sorted((user.pk, peer_id))
    key = f"{low}:{high}"
    if existing := Chat.objects.filter(direct_key=key).first():
        return existing, False
    try:
        with transaction.atomic():
            chat = Chat.objects.create(kind=Chat.Kind.DIRECT, created_by_id=user.pk, direct_key=key)
    except IntegrityError:  # opened concurrently by the peer
        return Chat.objects.get(direct_key=key), False
    ChatMember.objects.bulk_create([ChatMember(chat=chat, user_id=uid) for uid in (user.pk, peer_id)])
    logs_start([user.pk, peer_id])
    documents.on_commit(lambda: members_refill(chat_id=chat.pk))
    return chat, True


def _check_new_members(user_ids: list[int], *, existing: int, adder_id: int) -> list[int]:
    if existing + len(user_ids) > settings.CHAT_GROUP_MAX_MEMBERS:
        raise ApplicationError(
            ChatError.GROUP_FULL,
            f"A group has at most {settings.CHAT_GROUP_MAX_MEMBERS} members.",
            status=409,
        )
    found = active_user_ids(user_ids=user_ids)
    if unknown := [uid for uid in user_ids if uid not in found]:
        raise NotFound(f"There is no user {unknown[0]}.", code=ChatError.USER_NOT_FOUND)
    if refused := group_add_refused(adder_id=adder_id, user_ids=user_ids):
        # One answer for a block and for a privacy setting: neither is told apart.
        raise ApplicationError(
            ChatError.PRIVACY_RESTRICTED,
            f"Their privacy settings do not let you add {', '.join(map(str, refused))} to groups.",
            status=403,
        )
    return user_ids


def _membership_event(chat: Chat, *, user_ids, event, changed: list[int], actor_id: int) -> None:
    updates_append(
        user_ids=user_ids,
        kind=event.name,
        payload=event.payload(chat=chat_public(chat), user_ids=changed, by=actor_id),
    )


@documents.transactional
def chat_group_create(*, creator, title: str, member_ids) -> Chat:
    title = (title or "").strip()
    if not title:
        raise ApplicationError.for_field("title", ChatError.TEXT_EMPTY, "A group needs a title.")
    others = _check_new_members(
        [uid for uid in dict.fromkeys(member_ids) if uid != creator.pk], existing=1, adder_id=creator.pk
    )
    chat = Chat.objects.create(kind=Chat.Kind.GROUP, title=title[:128], created_by_id=creator.pk)
    ChatMember.objects.bulk_create(
        [ChatMember(chat=chat, user_id=creator.pk, role=Role.OWNER)]
        + [ChatMember(chat=chat, user_id=uid) for uid in others]
    )
    everyone = [creator.pk, *others]
    logs_start(everyone)
    _membership_event(
        chat, user_ids=everyone, event=events.MEMBER_ADDED, changed=everyone, actor_id=creator.pk
    )
    documents.on_commit(lambda: members_refill(chat_id=chat.pk))
    return chat


def _locked_group(chat_id: int, actor_id: int) -> tuple[Chat, dict[int, ChatMember]]:
    chat = Chat.objects.select_for_update().filter(pk=chat_id).first()
    members = member_rows(chat_id) if chat else {}
    require_member(members, actor_id)
    if chat.kind != Chat.Kind.GROUP:
        raise ApplicationError(ChatError.NOT_A_GROUP, "Only groups have members to change.", status=409)
    return chat, members


@documents.transactional
def chat_update(*, user, chat_id: int, **changes) -> Chat:
    """An admin changes the group's `title`, its `allowed_reactions` (a list of configured
    reactions, empty for none, or None for all) or whether `members_can_pin`; every member is
    told."""
    chat, members = _locked_group(chat_id, user.pk)
    if not members[user.pk].is_admin:
        raise PermissionDenied("Only the group's admins can change it.", code=ChatError.NOT_ADMIN)
    if "title" in changes:
        title = (changes["title"] or "").strip()
        if not title:
            raise ApplicationError.for_field("title", ChatError.TEXT_EMPTY, "A group needs a title.")
        chat.title = title[:128]
    if "allowed_reactions" in changes:
        allowed = changes["allowed_reactions"]
        chat.allowed_reactions = None if allowed is None else list(dict.fromkeys(allowed))
    if "members_can_pin" in changes:
        chat.members_can_pin = changes["members_can_pin"]
    fields = ("title", "allowed_reactions", "members_can_pin")
    chat.save(update_fields=[field for field in fields if field in changes])
    updates_append(
        user_ids=list(members),
        kind=events.CHAT_UPDATED.name,
        payload=events.CHAT_UPDATED.payload(chat=chat_public(chat), by=user.pk),
    )
    return chat


@documents.transactional
def chat_members_add(*, actor, chat_id: int, user_ids) -> list[int]:
    chat, members = _locked_group(chat_id, actor.pk)
    if not members[actor.pk].is_admin:
        raise PermissionDenied("Only the group's admins can add members.", code=ChatError.NOT_ADMIN)
    new = [uid for uid in dict.fromkeys(user_ids) if uid not in members]
    if not new:
        return []
    _check_new_members(new, existing=len(members), adder_id=actor.pk)
    ChatMember.objects.bulk_create([ChatMember(chat=chat, user_id=uid) for uid in new])
    logs_start(new)
    members_changed(chat.pk)
    _membership_event(
        chat, user_ids=[*members, *new], event=events.MEMBER_ADDED, changed=new, actor_id=actor.pk
    )
    return new


@documents.transactional
def chat_member_remove(*, actor, chat_id: int, user_id: int) -> None:
    """An admin removes a member, or a member (`user_id == actor`) leaves. An owner who leaves
    hands the group to its longest-standing admin, else its longest-standing member."""
    chat, members = _locked_group(chat_id, actor.pk)
    target = members.get(user_id)
    if target is None:
        raise NotFound("This user is not a member.", code=ChatError.NOT_MEMBER)
    if user_id != actor.pk:
        actor_role = members[actor.pk].role
        if (
            not members[actor.pk].is_admin
            or target.role == Role.OWNER
            or (target.role == Role.ADMIN and actor_role != Role.OWNER)
        ):
            raise PermissionDenied("You cannot remove this member.", code=ChatError.NOT_ADMIN)
    target.delete()
    remaining = [m for uid, m in members.items() if uid != user_id]
    if target.role == Role.OWNER and remaining:
        heir = min(remaining, key=lambda m: (m.role != Role.ADMIN, m.joined_at, m.pk))
        ChatMember.objects.filter(pk=heir.pk).update(role=Role.OWNER)
    members_changed(chat.pk)
    _membership_event(
        chat, user_ids=list(members), event=events.MEMBER_REMOVED, changed=[user_id], actor_id=actor.pk
    )


@documents.transactional
def chat_member_set_role(*, actor, chat_id: int, user_id: int, role: str) -> None:
    chat, members = _locked_group(chat_id, actor.pk)
    if members[actor.pk].role != Role.OWNER:
        raise PermissionDenied("Only the group's owner can change roles.", code=ChatError.NOT_OWNER)
    target = members.get(user_id)
    if target is None:
        raise NotFound("This user is not a member.", code=ChatError.NOT_MEMBER)
    if role not in (Role.ADMIN, Role.MEMBER):
        raise ApplicationError.for_field("role", "invalid", "Give another member the role admin or member.")
    if user_id == actor.pk:
        raise PermissionDenied("The owner stays the owner.", code=ChatError.OWNER_ROLE_FIXED)
    ChatMember.objects.filter(pk=target.pk).update(role=role)
    members_changed(chat.pk)
    _membership_event(
        chat, user_ids=list(members), event=events.MEMBER_ROLE, changed=[user_id], actor_id=actor.pk
    )
