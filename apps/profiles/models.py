from django.db import models

from apps.core.fields import EncryptedJSONField, EncryptedTextField, RowSealedModel
from apps.core.models import DocumentModel


class Profile(RowSealedModel, DocumentModel):
    """A user's public face. Lives in the document store: it holds the user's id, not a key."""

    sealed_by = ("user_id",)

    user_id = models.BigIntegerField(unique=True)
    # A copy of accounts.User.username, kept in step by profile_update, so that lists of people
    # need one look-up in one store.
    username = models.CharField(max_length=32)
    # Personal data, encrypted at rest; the username stays in clear: it is public and looked up.
    display_name = EncryptedTextField(max_length=64)
    bio = EncryptedTextField(max_length=140, blank=True, default="")
    avatar_file_id = models.BigIntegerField(null=True, blank=True)
    # The avatar's storage path, copied from the file, so rendering needs no look-up per profile.
    avatar_path = models.CharField(max_length=255, blank=True, default="")
    # Free-form "about me" sections: [{"title": ..., "body": ...}], validated by the service.
    sections = EncryptedJSONField(default=list, blank=True)
    # Whether others may find this person by exact e-mail or phone (off unless they opt in).
    discoverable = models.BooleanField(default=False)
    # Bumped on every change; orders cache writes (apps.core.cache.versioned_set).
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.display_name} (@{self.username})"
