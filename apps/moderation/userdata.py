"""One person's data, section by section, for `manage.py export_user_data`."""

from __future__ import annotations

from collections.abc import Callable

from apps.core import documents


def find_user(ref: str):
    """The user a command names by username or id; CommandError (exit code 2) if none."""
    from django.core.management.base import CommandError

    from apps.accounts.models import User

    people = User.objects.filter(pk=int(ref)) if ref.isdigit() else User.objects.filter(username__iexact=ref)
    found = people.first()
    if found is None:
        raise CommandError(f"No user {ref!r}: give a username or a numeric id.", returncode=2)
    return found


def user_data_sections(user) -> list[tuple[str, Callable[[], object]]]:
    from django.db.models import Q
    from fcm_django.models import FCMDevice

    from apps.broadcasts.models import ChannelAdmin, Comment, Post, Subscription
    from apps.chats.models import ChatMember, Message
    from apps.contacts.models import Block, Contact, Invitation
    from apps.moderation.models import ReportEntry
    from apps.notifications.selectors import settings_of
    from apps.profiles.models import Profile

    uid = user.pk

    def account():
        return {
            "id": uid,
            "username": user.username,
            "email": user.email,
            "phone": user.phone,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "is_active": user.is_active,
            "banned_at": user.banned_at,
        }

    def profile():
        found = Profile.objects.filter(user_id=uid).first()
        return found and {
            "username": found.username,
            "display_name": found.display_name,
            "bio": found.bio,
            "sections": found.sections,
            "discoverable": found.discoverable,
            "has_avatar": bool(found.avatar_path),
        }

    def messages():
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
            for m in Message.objects.filter(sender_id=uid).order_by("id").iterator(chunk_size=2000)
        ]

    return [
        ("account", account),
        ("profile", profile),
        ("contacts", lambda: list(Contact.objects.filter(owner_id=uid).values("contact_id", "created_at"))),
        (
            "invitations",
            lambda: list(
                Invitation.objects.filter(Q(from_user_id=uid) | Q(to_user_id=uid)).values(
                    "from_user_id", "to_user_id", "status", "created_at"
                )
            ),
        ),
        ("blocked", lambda: list(Block.objects.filter(blocker_id=uid).values("blocked_id", "created_at"))),
        (
            "devices",
            lambda: list(
                FCMDevice.objects.filter(user_id=uid).values("type", "name", "active", "date_created")
            ),
        ),
        ("notification_settings", lambda: settings_of(user_id=uid)),
        (
            "chats",
            lambda: list(ChatMember.objects.filter(user_id=uid).values("chat_id", "role", "joined_at")),
        ),
        ("messages_sent", messages),
        (
            "channels_administered",
            lambda: list(ChannelAdmin.objects.filter(user_id=uid).values("channel_id", "role")),
        ),
        (
            "subscriptions",
            lambda: list(Subscription.objects.filter(user_id=uid).values("channel_id", "created_at")),
        ),
        (
            "posts",
            lambda: [
                {"channel_id": p.channel_id, "seq": p.seq, "text": p.text, "created_at": p.created_at}
                for p in Post.objects.filter(author_id=uid, deleted=False).order_by("id")
            ],
        ),
        (
            "comments",
            lambda: [
                {"post_id": documents.dump_id(c.post_id), "text": c.text, "created_at": c.created_at}
                for c in Comment.objects.filter(author_id=uid, deleted=False).order_by("id")
            ],
        ),
        (
            "reports_made",
            lambda: [
                {
                    "kind": e.report.kind,
                    "target_id": e.report.target_id,
                    "reason": e.reason,
                    "created_at": e.created_at,
                }
                for e in ReportEntry.objects.filter(reporter_id=uid).select_related("report")
            ],
        ),
    ]
