"""The `moderators` group, with exactly what moderation needs (kept so after every migrate).

Staff outside it, unless superusers, cannot read private messages: the message admin shows text
only with `chats.view_message_text`."""

from __future__ import annotations

MODERATORS = "moderators"

PERMISSIONS = [
    # the report queue, and the log of what was done
    "moderation.view_report",
    "moderation.change_report",
    "moderation.view_reportentry",
    "moderation.view_auditlog",
    # people: look up, ban and unban
    "accounts.view_user",
    "accounts.ban_user",
    # chats and messages: read a reported message, delete it for everyone
    "chats.view_chat",
    "chats.view_message",
    "chats.change_message",
    "chats.view_message_text",
    # channels, posts, comments: read them, take them down
    "broadcasts.view_channel",
    "broadcasts.change_channel",
    "broadcasts.view_post",
    "broadcasts.change_post",
    "broadcasts.view_comment",
    "broadcasts.change_comment",
]


def moderators_group_ensure(**kwargs) -> None:
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    wanted = Q()
    for name in PERMISSIONS:
        app_label, codename = name.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    permissions = list(Permission.objects.filter(wanted))
    if len(permissions) != len(PERMISSIONS):
        return  # an app's permissions are not created yet: the next post_migrate completes it
    group, _ = Group.objects.get_or_create(name=MODERATORS)
    group.permissions.set(permissions)
