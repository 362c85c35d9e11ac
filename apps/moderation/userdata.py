"""One person's data, section by section, for `manage.py export_user_data`."""

from __future__ import annotations

from collections.abc import Callable

from django.core.management.base import CommandError

from apps.accounts import selectors as accounts
from apps.accounts.models import User
from apps.broadcasts import selectors as broadcasts
from apps.chats import selectors as chats
from apps.contacts import selectors as contacts
from apps.notifications import selectors as notifications
from apps.profiles import selectors as profiles

from .models import ReportEntry


def find_user(ref: str):
    """The user a command names by username or id; CommandError (exit code 2) if none."""
    people = User.objects.filter(pk=int(ref)) if ref.isdigit() else User.objects.filter(username__iexact=ref)
    found = people.first()
    if found is None:
        raise CommandError(f"No user {ref!r}: give a username or a numeric id.", returncode=2)
    return found


def user_data_sections(user) -> list[tuple[str, Callable[[], object]]]:
    """(section, how to read it), each through the app that keeps that data."""
    uid = user.pk
    return [
        ("account", lambda: accounts.account_export(user)),
        ("profile", lambda: profiles.profile_export(user_id=uid)),
        ("contacts", lambda: contacts.contacts_export(user_id=uid)),
        ("invitations", lambda: contacts.invitations_export(user_id=uid)),
        ("blocked", lambda: contacts.blocks_export(user_id=uid)),
        ("devices", lambda: notifications.devices_export(user_id=uid)),
        ("notification_settings", lambda: notifications.settings_of(user_id=uid)),
        ("chats", lambda: chats.memberships_export(user_id=uid)),
        ("messages_sent", lambda: chats.messages_export(user_id=uid)),
        ("channels_administered", lambda: broadcasts.channels_administered_export(user_id=uid)),
        ("subscriptions", lambda: broadcasts.subscriptions_export(user_id=uid)),
        ("posts", lambda: broadcasts.posts_export(user_id=uid)),
        ("comments", lambda: broadcasts.comments_export(user_id=uid)),
        ("reports_made", lambda: _reports_made(uid)),
    ]


def _reports_made(user_id: int) -> list[dict]:
    return [
        {
            "kind": e.report.kind,
            "target_id": e.report.target_id,
            "reason": e.reason,
            "created_at": e.created_at,
        }
        for e in ReportEntry.objects.filter(reporter_id=user_id).select_related("report")
    ]
