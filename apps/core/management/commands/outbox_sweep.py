from django.core.management.base import BaseCommand

from apps.core.events import outbox_sweep
from apps.core.models import OutboxEvent


class Command(BaseCommand):
    help = "Publish domain events that are still in the outbox (NATS was down, or a process died)."

    def handle(self, *args, **options):
        waiting = OutboxEvent.objects.filter(published_at__isnull=True).count()
        self.stdout.write(f"{waiting} event(s) waiting in the outbox")
        published = total = 0
        while published := outbox_sweep():
            total += published
            self.stdout.write(f"published {total} of {waiting}")
        left = OutboxEvent.objects.filter(published_at__isnull=True).count()
        if left:
            self.stderr.write(
                f"{left} event(s) still waiting: is NATS reachable at NATS_URL? Run again once it is."
            )
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(f"done: {total} published, none waiting"))
