"""Erasing a person (`manage.py delete_user`): moderation asks each app that keeps their
personal data to erase its part, in one transaction. Accounts, below every app, only makes the
account anonymous; it knows none of the others."""

from django.db import transaction

from apps.accounts.services import account_erase
from apps.broadcasts.services import post_reactions_erase, subscriptions_erase
from apps.chats.services import scheduled_erase
from apps.contacts.services import contacts_erase
from apps.files.services import files_erase
from apps.notifications.services import notifications_erase
from apps.profiles.services import profile_erase


@transaction.atomic
def person_erase(*, user) -> dict[str, int]:
    """Erase a person's personal data; what was removed, by kind. The account stays, anonymous
    and unable to log in, so that their messages in others' chats keep their place and show as
    from a deleted account."""
    account = account_erase(user=user)
    profile_erase(user_id=account.pk, username=account.username)
    return {
        "contacts, invitations and blocks": contacts_erase(user_id=account.pk),
        "devices and notification settings": notifications_erase(user_id=account.pk),
        "reactions to posts": post_reactions_erase(user_id=account.pk),
        "scheduled messages": scheduled_erase(user_id=account.pk),
        "channel subscriptions": subscriptions_erase(user=account),
        "files": files_erase(owner_id=account.pk),
    }
