import json
import sys

from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder

from apps.moderation.services import audit
from apps.moderation.userdata import find_user, user_data_sections


class Command(BaseCommand):
    help = (
        "Export one user's data as JSON (account, profile, contacts, devices, settings, chats, the "
        "messages they sent, channels, posts, comments, reports): a subject access request. "
        "Progress goes to stderr; the JSON to --output or stdout."
    )

    def add_arguments(self, parser):
        parser.add_argument("user", help="username or numeric id")
        parser.add_argument("--output", "-o", help="write the JSON to this file instead of stdout")

    def handle(self, *args, user, output, **options):
        person = find_user(user)
        data = {}
        for name, produce in user_data_sections(person):
            data[name] = produce()
            count = len(data[name]) if isinstance(data[name], list) else 1
            self.stderr.write(f"{name}: {count}")
        text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text)
            self.stderr.write(self.style.SUCCESS(f"wrote {output}"))
        else:
            sys.stdout.write(text + "\n")
        audit(
            actor=None, action="export_user_data", target_kind="user", target_id=person.pk, reason="manage.py"
        )
