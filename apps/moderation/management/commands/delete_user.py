from django.core.management.base import BaseCommand, CommandError

from apps.moderation.erasure import person_erase
from apps.moderation.services import audit
from apps.moderation.userdata import find_user


class Command(BaseCommand):
    help = (
        "Erase a user's personal data: e-mail, phone, password, profile, contacts, devices, "
        "subscriptions; their tokens stop working and their sockets close. Their messages in "
        "others' chats stay, from a deleted account. Asks for --yes; --dry-run tells what it would do."
    )

    def add_arguments(self, parser):
        parser.add_argument("user", help="username or numeric id")
        parser.add_argument("--dry-run", action="store_true", help="say what would be erased, change nothing")
        parser.add_argument("--yes", action="store_true", help="erase without asking (it cannot be undone)")
        parser.add_argument("--reason", default="manage.py delete_user", help="kept in the audit log")

    def handle(self, *args, user, dry_run, yes, reason, **options):
        person = find_user(user)
        if not person.is_active and person.username == f"deleted{person.pk}":
            self.stdout.write(f"user {person.pk} was erased already: nothing to do")
            return
        self.stdout.write(f"user {person.pk} (@{person.username}): e-mail, phone, password, profile,")
        self.stdout.write("contacts, invitations, blocks, devices, notification settings, subscriptions")
        if dry_run:
            self.stdout.write("dry run: nothing changed")
            return
        if not yes:
            raise CommandError(
                "This cannot be undone: run again with --yes (or --dry-run first).", returncode=2
            )
        removed = person_erase(user=person)
        for kind, count in removed.items():
            self.stdout.write(f"  {kind}: {count} removed")
        audit(actor=None, action="delete_user", target_kind="user", target_id=person.pk, reason=reason)
        self.stdout.write(self.style.SUCCESS(f"erased user {person.pk}; now @deleted{person.pk}"))
