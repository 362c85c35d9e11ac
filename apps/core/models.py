from django.db import models

from . import documents


class DocumentModel(models.Model):
    """Base of models kept in the document store (telegram.routers.DocumentRouter).

    They refer to relational rows by plain ids, never by foreign keys: the two stores may be
    different databases. Their own ids are ints in SQL and ObjectIds in MongoDB
    (apps.core.documents), and strings to clients.
    """

    document_store = True
    id = documents.id_field()

    class Meta:
        abstract = True


class OutboxEvent(DocumentModel):
    """A domain event written in the same transaction as the change it reports, then published
    to NATS JetStream (with its id as `Nats-Msg-Id`, so a republished event is stored once).
    Unpublished rows are retried by the sweep: if NATS is down, nothing is lost.

    It lives in the document store because every event so far reports a change there (a new
    message, a new post): the row must commit with that change, whichever store holds it."""

    subject = models.CharField(max_length=200)
    payload = models.JSONField()
    # The trace context of the change (W3C `traceparent`...), sent along as NATS headers.
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=documents.partial(models.Q(published_at__isnull=True)),
                name="outbox_unpublished",
            )
        ]

    def __str__(self):
        return f"{self.subject} #{self.pk}"
