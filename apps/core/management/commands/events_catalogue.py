"""`manage.py events_catalogue`: docs/events.md from the apps' events.py (apps.core.catalogue)."""

from django.core.management.base import BaseCommand

from apps.core.catalogue import catalogue_markdown


class Command(BaseCommand):
    help = "Print the catalogue of events (docs/events.md) as the apps declare them."

    def handle(self, *args, **options):
        self.stdout.write(catalogue_markdown(), ending="")
