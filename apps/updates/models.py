"""The per-user update log. The tables keep the names they were made with in the chats app,
and their rows stay sealed under the chats app's labels (`sealed_label`): the models moved,
the data did not."""

from django.db import models

from apps.core.fields import EncryptedJSONField, RowSealedModel
from apps.core.models import DocumentModel


class UpdateState(DocumentModel):
    """The newest `pts` of a user's update log."""

    id = None  # keyed by the user
    user_id = models.BigIntegerField(primary_key=True)
    pts = models.BigIntegerField(default=0)

    class Meta:
        db_table = "chats_updatestate"


class Update(RowSealedModel, DocumentModel):
    """One durable event in one user's log (Telegram's pts): what a client that was away asks for."""

    sealed_by = ("user_id", "pts")
    sealed_label = "chats.update"

    user_id = models.BigIntegerField()
    pts = models.BigIntegerField()
    kind = models.CharField(max_length=32)
    payload = EncryptedJSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "chats_update"
        constraints = [models.UniqueConstraint(fields=["user_id", "pts"], name="chats_update_unique_pts")]
        indexes = [models.Index(fields=["created_at"], name="chats_updat_created_301415_idx")]
