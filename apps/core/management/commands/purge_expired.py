"""Delete what has outlived its use, in batches: what each app registered with
apps.core.maintenance.register_purge (expired refresh tokens, published outbox events, old
update-log entries)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.core.maintenance import PURGES


class Command(BaseCommand):
    help = (
        "Delete expired refresh tokens, outbox events published more than OUTBOX_RETENTION_DAYS ago "
        "and update-log entries older than UPDATES_RETENTION_DAYS (clients further behind get "
        "`too_long` and refetch)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted, delete nothing"
        )

    def handle(self, *args, batch_size, dry_run, **options):
        now = timezone.now()
        targets = [(label, expired(now)) for label, expired in PURGES.items()]
        for label, queryset in targets:
            total = queryset.count()
            if dry_run:
                self.stdout.write(f"{label}: would delete {total}")
                continue
            deleted = 0
            while ids := list(queryset.order_by("pk").values_list("pk", flat=True)[:batch_size]):
                queryset.model.objects.filter(pk__in=ids).delete()
                deleted += len(ids)
                self.stdout.write(f"\r{label}: deleted {deleted}/{total}", ending="")
                self.stdout.flush()
            self.stdout.write(f"\r{label}: deleted {deleted}/{total}")
