"""Chats and memberships live in Postgres; messages and the per-user update log in the document
store (see telegram.routers), holding plain ids."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core import documents
from apps.core.fields import EncryptedJSONField, EncryptedTextField, RowSealedModel, seal_field
from apps.core.models import DocumentModel


class Chat(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct"
        GROUP = "group"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    title = models.CharField(max_length=128, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The seq of the newest message; taken with UPDATE ... RETURNING, so concurrent senders queue.
    last_seq = models.BigIntegerField(default=0)
    last_activity_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # "<lower user id>:<higher user id>" for direct chats: one direct chat per pair.
    direct_key = models.CharField(max_length=41, null=True, blank=True, unique=True)
    # Bumped with every membership change; orders writes of the membership cache.
    members_version = models.PositiveBigIntegerField(default=1)
    # The reactions a group's admins allow (a subset of settings.REACTIONS, in its order; empty:
    # none); null: every one of settings.REACTIONS.
    allowed_reactions = models.JSONField(null=True, blank=True)
    # In a group, whether members who are not admins may pin messages (a direct chat: both may).
    members_can_pin = models.BooleanField(default=False)

    def __str__(self):
        return self.title or f"{self.kind} chat {self.pk}"


class ChatMember(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner"
        ADMIN = "admin"
        MEMBER = "member"

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)
    last_read_seq = models.BigIntegerField(default=0)
    # Bumped when the member deletes messages for themselves; orders writes of that cache.
    hidden_version = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chat", "user"], name="chats_unique_member")]
        indexes = [models.Index(fields=["user", "chat"])]

    def __str__(self):
        return f"{self.user_id} in {self.chat_id} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.ADMIN)


class Message(RowSealedModel, DocumentModel):
    sealed_by = ("chat_id", "seq")

    chat_id = models.BigIntegerField()
    seq = models.BigIntegerField()
    sender_id = models.BigIntegerField(null=True)
    text = EncryptedTextField(blank=True, default="")
    # Snapshots of the attached files (apps.files.selectors.attachment_snapshot), encrypted.
    attachments = EncryptedJSONField(default=list)
    reply_to = documents.ref_field(null=True, blank=True)
    forwarded_from = EncryptedJSONField(null=True, blank=True)
    client_msg_id = models.UUIDField(null=True, blank=True)
    # {emoji: [user ids, in the order they reacted]}, encrypted: who reacted to what is theirs.
    # Null until the first reaction (and in rows older than reactions).
    reactions = EncryptedJSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted = models.BooleanField(default=False)
    # Bumped on every edit, delete and reaction; caches keep the newest version of each message.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chat_id", "seq"], name="chats_message_unique_seq"),
            models.UniqueConstraint(
                fields=["sender_id", "client_msg_id"],
                condition=documents.partial(Q(client_msg_id__isnull=False)),
                name="chats_message_unique_client_id",
            ),
        ]
        permissions = [("view_message_text", "Can read the text of private messages")]

    def __str__(self):
        return f"message {self.chat_id}#{self.seq}"


class ScheduledMessage(RowSealedModel, DocumentModel):
    """A message to be sent at `send_at` (apps.chats.services.scheduled). `seal` is its row
    identity for the encrypted fields, and the `client_msg_id` of the message it becomes: a
    delivery tried twice (a worker that died, a sweep and a timer at once) sends it once."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"  # claimed by a delivery; back to the sweep if it is not done soon
        SENT = "sent"
        CANCELLED = "cancelled"
        FAILED = "failed"  # the chat refused it when its time came (left, blocked...)

    seal = seal_field()
    chat_id = models.BigIntegerField()
    sender_id = models.BigIntegerField()
    text = EncryptedTextField(blank=True, default="")
    attachment_ids = models.JSONField(default=list)
    reply_to = documents.ref_field(null=True, blank=True)
    send_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)  # a delivery took it
    armed_at = models.DateTimeField(null=True, blank=True)  # a timer waits for its second
    message_id = documents.ref_field(null=True, blank=True)  # what it became
    failure = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "send_at"]),
            models.Index(fields=["sender_id", "status", "send_at"]),
        ]


class MessageTerm(DocumentModel):
    """The blind index of messages' words (apps.chats.search): one row per distinct term of a
    message, as a keyed hash, never the word."""

    chat_id = models.BigIntegerField()
    message_id = documents.ref_field()
    token = models.CharField(max_length=48)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message_id", "token"], name="chats_unique_term")]
        indexes = [models.Index(fields=["token", "chat_id", "message_id"], name="chats_term_lookup")]


class PinnedMessage(DocumentModel):
    """A message pinned in its chat; a chat's pins are listed newest first."""

    chat_id = models.BigIntegerField()
    message_id = documents.ref_field()
    pinned_by = models.BigIntegerField(null=True)
    pinned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chat_id", "message_id"], name="chats_unique_pin")]


class HiddenMessage(DocumentModel):
    """A message a member deleted for themselves only."""

    user_id = models.BigIntegerField()
    chat_id = models.BigIntegerField()
    message_id = documents.ref_field()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user_id", "message_id"], name="chats_unique_hidden")]
        indexes = [models.Index(fields=["user_id", "chat_id"])]
