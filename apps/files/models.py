from django.conf import settings
from django.db import models

from apps.core.fields import EncryptedTextField, RowSealedModel


class File(RowSealedModel, models.Model):
    sealed_by = ("storage_name",)

    class Kind(models.TextChoices):
        IMAGE = "image"
        VIDEO = "video"
        AUDIO = "audio"
        DOCUMENT = "document"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Our own name for the object in storage (never the uploader's file name).
    storage_name = models.CharField(max_length=255, unique=True)
    content_type = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    size = models.PositiveBigIntegerField()
    original_name = EncryptedTextField(blank=True, default="")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # How many things carry the file (messages, posts, avatars). When the last of them lets go
    # (deleted for everyone, taken down, replaced), the file is deleted with it.
    refs = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["owner", "created_at"])]

    def __str__(self):
        return f"{self.kind} {self.pk} ({self.content_type}, {self.size} bytes)"
