"""Index messages for search (apps.chats.search): those not indexed yet (written before search
existed) and those indexed under an older key (after a key rotation)."""

from django.core.management.base import BaseCommand

from apps.chats import search
from apps.chats.models import Message, MessageTerm
from apps.core import crypto, documents


class Command(BaseCommand):
    help = (
        "Index for search the messages not indexed yet, and those indexed under a key other than "
        "the newest of FIELD_ENCRYPTION_KEYS (run it after rotate_encryption_key). In batches, "
        "under live traffic (each batch locks its messages while it indexes them); safe to stop "
        "and run again. --all indexes every message again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--all", action="store_true", help="index every message again")

    def handle(self, *args, batch_size, all, **options):
        current = crypto.keyring().current_key_id + "."
        total = Message.objects.filter(deleted=False).count()
        seen = indexed = 0
        last = None
        while True:
            batch = Message.objects.filter(deleted=False).order_by("pk")
            if last is not None:
                batch = batch.filter(pk__gt=last)
            ids = list(batch.values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            last = ids[-1]
            indexed += self._batch(ids, current=current, everything=all)
            seen += len(ids)
            self.stdout.write(f"\rmessages: {seen:,}/{total:,}, indexed: {indexed:,}", ending="")
            self.stdout.flush()
        self.stdout.write(f"\nindexed {indexed:,} of {seen:,} messages under key {current[:-1]}")

    @documents.transactional
    def _batch(self, ids, *, current: str, everything: bool) -> int:
        terms = MessageTerm.objects.filter(message_id__in=ids)
        if everything:
            wanted = set(ids)
        else:
            stale = set(terms.exclude(token__startswith=current).values_list("message_id", flat=True))
            indexed = set(terms.values_list("message_id", flat=True))
            wanted = stale | (set(ids) - indexed)
        messages = [
            m for m in documents.locked(Message.objects).filter(pk__in=wanted, deleted=False) if m.text
        ]
        for message in messages:
            search.reindex(message)
        return len(messages)
