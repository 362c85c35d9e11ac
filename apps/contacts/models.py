from django.conf import settings
from django.db import models
from django.db.models import Q


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        ACCEPTED = "accepted"
        DENIED = "denied"
        CANCELLED = "cancelled"

    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # "<lower id>:<higher id>": one pending invitation per pair, whoever sent it.
    pair = models.CharField(max_length=41)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pair"],
                condition=Q(status="pending"),
                name="contacts_one_pending_invitation_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(from_user=models.F("to_user")), name="contacts_no_self_invitation"
            ),
        ]
        indexes = [
            models.Index(fields=["to_user", "status", "-id"]),
            models.Index(fields=["from_user", "status", "-id"]),
        ]

    def __str__(self):
        return f"{self.from_user_id} -> {self.to_user_id} ({self.status})"


class Contact(models.Model):
    """One direction of an accepted invitation: `owner` has `contact` in their list."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "contact"], name="contacts_unique_contact")]

    def __str__(self):
        return f"{self.owner_id} has {self.contact_id}"


class Block(models.Model):
    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="contacts_unique_block")]

    def __str__(self):
        return f"{self.blocker_id} blocks {self.blocked_id}"


class ContactListVersion(models.Model):
    """Bumped with every change to a user's contact list; orders writes of its cache entry."""

    user_id = models.BigIntegerField(primary_key=True)
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"contacts of {self.user_id}: version {self.version}"


class PrivacySettings(models.Model):
    """Who may reach a user in ways they did not ask for. No row: the defaults."""

    class Audience(models.TextChoices):
        EVERYBODY = "everybody"
        CONTACTS = "contacts"
        NOBODY = "nobody"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # Who may add this user to a group (someone they blocked, or who blocked them, never may).
    groups = models.CharField(max_length=16, choices=Audience.choices, default=Audience.EVERYBODY)

    def __str__(self):
        return f"privacy of {self.user_id}: groups {self.groups}"
