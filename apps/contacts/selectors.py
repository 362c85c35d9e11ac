from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.models import Q

from apps.accounts.selectors import user_find_by_contact_point, user_find_by_username
from apps.core.cache import versioned_get, versioned_set
from apps.profiles.selectors import profiles_for, profiles_visible_to

from .models import Block, Contact, ContactListVersion, Invitation, PrivacySettings

Audience = PrivacySettings.Audience


def is_blocked(*, blocker_id: int, blocked_id: int) -> bool:
    return Block.objects.filter(blocker_id=blocker_id, blocked_id=blocked_id).exists()


def blocked_either_way(*, user_id: int, other_id: int) -> bool:
    return Block.objects.filter(
        Q(blocker_id=user_id, blocked_id=other_id) | Q(blocker_id=other_id, blocked_id=user_id)
    ).exists()


def block_between_sql(user: str, other: str) -> str:
    """SQL for a raw query on the hot path (apps.chats.store): whether `user` and `other` (SQL
    expressions: placeholders or columns) blocked each other, either way."""
    table = connection.ops.quote_name(Block._meta.db_table)
    blocker, blocked = (
        connection.ops.quote_name(Block._meta.get_field(f).column) for f in ("blocker", "blocked")
    )
    return (
        f"EXISTS (SELECT 1 FROM {table} WHERE ({blocker} = {user} AND {blocked} = {other}) "  # noqa: S608
        f"OR ({blocker} = {other} AND {blocked} = {user}))"
    )


def blocked_among(*, blocker_id: int, among) -> set[int]:
    """Those of `among` whom `blocker_id` blocked (one query)."""
    return set(
        Block.objects.filter(blocker_id=blocker_id, blocked_id__in=list(among)).values_list(
            "blocked_id", flat=True
        )
    )


def blockers_among(*, blocked_id: int, among) -> set[int]:
    """Those of `among` who blocked `blocked_id` (one query)."""
    return set(
        Block.objects.filter(blocked_id=blocked_id, blocker_id__in=list(among)).values_list(
            "blocker_id", flat=True
        )
    )


# --- What others may see of a person, and how they may reach them -------------------------


def withholding_from(viewer_id: int, user_ids) -> set[int]:
    """Those of `user_ids` who withhold their profile from `viewer_id`: who blocked them
    (registered with apps.profiles.selectors in ContactsConfig.ready)."""
    return blockers_among(blocked_id=viewer_id, among=user_ids)


def privacy_of(*, user_id: int) -> dict:
    groups = PrivacySettings.objects.filter(user_id=user_id).values_list("groups", flat=True).first()
    return {"groups": groups or Audience.EVERYBODY}


def group_add_refused(*, adder_id: int, user_ids) -> list[int]:
    """Those of `user_ids` whom `adder_id` may not add to a group: anyone with a block between
    them either way, and anyone whose privacy settings leave `adder_id` out (three queries)."""
    ids = [uid for uid in dict.fromkeys(user_ids) if uid != adder_id]
    if not ids:
        return []
    blocked = set()
    for blocker_id, blocked_id in Block.objects.filter(
        Q(blocker_id=adder_id, blocked_id__in=ids) | Q(blocked_id=adder_id, blocker_id__in=ids)
    ).values_list("blocker_id", "blocked_id"):
        blocked.add(blocked_id if blocker_id == adder_id else blocker_id)
    rules = dict(
        PrivacySettings.objects.filter(user_id__in=ids)
        .exclude(groups=Audience.EVERYBODY)
        .values_list("user_id", "groups")
    )
    contacts_only = [uid for uid, rule in rules.items() if rule == Audience.CONTACTS]
    knows_adder = (
        set(
            Contact.objects.filter(owner_id__in=contacts_only, contact_id=adder_id).values_list(
                "owner_id", flat=True
            )
        )
        if contacts_only
        else set()
    )
    return [
        uid
        for uid in ids
        if uid in blocked
        or rules.get(uid) == Audience.NOBODY
        or (rules.get(uid) == Audience.CONTACTS and uid not in knows_adder)
    ]


def are_contacts(*, user_id: int, other_id: int) -> bool:
    return Contact.objects.filter(owner_id=user_id, contact_id=other_id).exists()


def _key(user_id: int) -> str:
    return f"contacts:{user_id}"


def contact_list_refill(*, user_id: int) -> list[dict]:
    """Load the list from the database and offer it to the cache under its version. The version
    is read first: rows newer than it are harmless, the writer's own refill overwrites them."""
    version = (
        ContactListVersion.objects.filter(user_id=user_id).values_list("version", flat=True).first() or 0
    )
    rows = [
        {"user_id": contact_id, "since": created_at.isoformat()}
        for contact_id, created_at in Contact.objects.filter(owner_id=user_id)
        .order_by("-created_at", "-id")
        .values_list("contact_id", "created_at")
    ]
    versioned_set(_key(user_id), version, rows, ttl=settings.CONTACTS_CACHE_TTL)
    return rows


def contact_list(*, user_id: int) -> list[dict]:
    """[{"user": public profile, "since": iso time}] newest first: one cache read (three queries
    when cold), whatever the length."""
    rows = versioned_get(_key(user_id))
    if rows is None:
        rows = contact_list_refill(user_id=user_id)
    profiles = profiles_visible_to(viewer_id=user_id, user_ids=[row["user_id"] for row in rows])
    return [
        {"user": profiles[row["user_id"]], "since": row["since"]}
        for row in rows
        if row["user_id"] in profiles
    ]


def invitations_for(*, user_id: int, direction: str, status: str | None, before_id: int | None, limit: int):
    queryset = Invitation.objects.filter(
        **{"to_user_id" if direction == "incoming" else "from_user_id": user_id}
    )
    if status:
        queryset = queryset.filter(status=status)
    if before_id:
        queryset = queryset.filter(id__lt=before_id)
    rows = list(queryset.order_by("-id")[: limit + 1])
    return rows[:limit], len(rows) > limit


def blocked_list(*, user_id: int) -> list[dict]:
    rows = list(
        Block.objects.filter(blocker_id=user_id).order_by("-id").values_list("blocked_id", "created_at")
    )
    profiles = profiles_visible_to(viewer_id=user_id, user_ids=[blocked_id for blocked_id, _ in rows])
    return [
        {"user": profiles[blocked_id], "since": since} for blocked_id, since in rows if blocked_id in profiles
    ]


def person_lookup(
    *, viewer_id: int, username: str | None = None, email: str | None = None, phone: str | None = None
) -> dict | None:
    """The public profile of the person with this username, or with exactly this e-mail or
    phone if they allow being found that way, who has not blocked the viewer; else None, so the
    answer never tells who exists. A username is a handle its owner chose to be found by (as on
    Telegram); an e-mail or a phone is not, unless they say so (`discoverable`)."""
    if username:
        user_id = user_find_by_username(username=username)
    else:
        user_id = user_find_by_contact_point(email=email, phone=phone)
    if user_id is None or is_blocked(blocker_id=user_id, blocked_id=viewer_id):
        return None
    profile = profiles_for(user_ids=[user_id]).get(user_id)
    if profile is None or not (username or profile.get("discoverable")):
        return None
    return profile


# --- A person's own data, for export (manage.py export_user_data) ---------------------------


def contacts_export(*, user_id: int) -> list[dict]:
    return list(Contact.objects.filter(owner_id=user_id).values("contact_id", "created_at"))


def invitations_export(*, user_id: int) -> list[dict]:
    return list(
        Invitation.objects.filter(Q(from_user_id=user_id) | Q(to_user_id=user_id)).values(
            "from_user_id", "to_user_id", "status", "created_at"
        )
    )


def blocks_export(*, user_id: int) -> list[dict]:
    return list(Block.objects.filter(blocker_id=user_id).values("blocked_id", "created_at"))
