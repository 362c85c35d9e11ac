"""Channels, their admins and subscriptions live in Postgres; posts and comments in the document
store, with plain ids."""

import secrets

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from apps.core import documents
from apps.core.fields import EncryptedJSONField, EncryptedTextField, RowSealedModel, seal_field
from apps.core.models import DocumentModel


def new_invite_token() -> str:
    return secrets.token_urlsafe(16)


class Channel(models.Model):
    # Lower case, 5-32 characters: the public @handle, unique.
    handle = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=128)
    description = models.CharField(max_length=1000, blank=True, default="")
    avatar_file_id = models.BigIntegerField(null=True, blank=True)
    avatar_path = models.CharField(max_length=255, blank=True, default="")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_public = models.BooleanField(default=True)
    # Private channels are joined with this token (the invite link); admins can renew it.
    invite_token = models.CharField(max_length=32, default=new_invite_token, unique=True)
    subscriber_count = models.PositiveIntegerField(default=0)
    last_post_seq = models.BigIntegerField(default=0)
    taken_down_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Postgres full-text search over handle, title and description (kept by the services).
    search_vector = SearchVectorField(null=True, editable=False)

    def __str__(self):
        return f"@{self.handle}"


class ChannelAdmin(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner"
        ADMIN = "admin"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="admins")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.ADMIN)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "user"], name="broadcasts_unique_admin")]

    def __str__(self):
        return f"{self.user_id} {self.role} of {self.channel_id}"


class Subscription(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="subscriptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "user"], name="broadcasts_unique_subscription")
        ]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.user_id} follows {self.channel_id}"


class Post(RowSealedModel, DocumentModel):
    sealed_by = ("channel_id", "seq")

    channel_id = models.BigIntegerField()
    seq = models.BigIntegerField()
    author_id = models.BigIntegerField(null=True)
    text = EncryptedTextField(blank=True, default="")
    attachments = EncryptedJSONField(default=list)
    views = models.PositiveBigIntegerField(default=0)
    # {emoji: how many}: the counts every reader sees (who reacted: PostReaction). Null: none yet.
    reaction_counts = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel_id", "seq"], name="broadcasts_post_unique_seq")
        ]

    def __str__(self):
        return f"post {self.channel_id}#{self.seq}"


class PostReaction(DocumentModel):
    """One subscriber's reaction to a post (a channel's readers are too many to keep in the post,
    as a message keeps its reactions). Like a subscription, a row of who and what, in clear."""

    user_id = models.BigIntegerField()
    post_id = documents.ref_field()
    channel_id = models.BigIntegerField()
    emoji = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "post_id", "emoji"], name="broadcasts_unique_reaction")
        ]


class Comment(RowSealedModel, DocumentModel):
    # The row identity its text is bound to (apps.core.fields): nothing else is fixed and unique.
    seal = seal_field()
    post_id = documents.ref_field()
    channel_id = models.BigIntegerField()
    author_id = models.BigIntegerField(null=True)
    text = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)
    deleted = models.BooleanField(default=False)

    class Meta:
        # Named, because a generated name hashes the columns, and the id's is `_id` in MongoDB.
        indexes = [models.Index(fields=["post_id", "id"], name="broadcasts__post_id_77850d_idx")]

    def __str__(self):
        return f"comment {self.pk} on post {self.post_id}"


class SearchTerm(models.Model):
    """Every distinct word of the channels' search vectors: the dictionary that typos are
    corrected against (a small table, so its trigram index answers in a few ms)."""

    word = models.CharField(max_length=100, primary_key=True)

    def __str__(self):
        return self.word
