"""`manage.py migrate_all`: migrate every configured database, the document store included.

Plain `migrate` touches one database (`default` unless --database is given); with a separate
document store (MONGODB_URI or DOCUMENTS_DATABASE_URL) its collections or tables are created
by `migrate --database documents`. This runs both, in order, and stops at the first failure.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate every configured database (default, then the document store if separate)."

    def add_arguments(self, parser):
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, interactive: bool, verbosity: int, **options):
        aliases = list(dict.fromkeys(["default", *settings.DATABASES]))
        for position, alias in enumerate(aliases, start=1):
            engine = settings.DATABASES[alias]["ENGINE"].rsplit(".", 1)[-1]
            self.stdout.write(f"[{position}/{len(aliases)}] database {alias!r} ({engine})")
            call_command(
                "migrate",
                database=alias,
                interactive=interactive,
                verbosity=verbosity,
                stdout=self.stdout._out,
            )
