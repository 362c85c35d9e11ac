"""Reports of content and people, merged per target, and the audit log of moderators' actions."""

from django.conf import settings
from django.db import models

from apps.core.fields import EncryptedTextField, RowSealedModel


class Target(models.TextChoices):
    MESSAGE = "message"
    POST = "post"
    COMMENT = "comment"
    CHANNEL = "channel"
    USER = "user"


# Targets' ids are kept as text: a message's, post's or comment's id is an opaque string (an
# ObjectId in MongoDB), a channel's or user's the decimal of an int (apps.moderation.services).
TARGET_ID_LENGTH = 24


class Report(models.Model):
    """Everything reported about one target while it is open: repeated reports merge here."""

    class Status(models.TextChoices):
        OPEN = "open"
        RESOLVED = "resolved"
        DISMISSED = "dismissed"

    kind = models.CharField(max_length=8, choices=Target.choices)
    target_id = models.CharField(max_length=TARGET_ID_LENGTH)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.OPEN)
    reports_count = models.PositiveIntegerField(default=0)
    first_reported_at = models.DateTimeField(auto_now_add=True)
    last_reported_at = models.DateTimeField(auto_now_add=True)
    # Whose content it is (the sender, author, owner or the user), for "ban the author".
    author_id = models.BigIntegerField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target_id"],
                condition=models.Q(status="open"),
                name="moderation_one_open_report_per_target",
            )
        ]
        indexes = [models.Index(fields=["status", "-reports_count", "-last_reported_at"])]

    def __str__(self):
        return f"{self.kind} {self.target_id} ({self.reports_count} reports, {self.status})"


class ReportEntry(RowSealedModel, models.Model):
    sealed_by = ("report_id", "reporter_id")

    class Reason(models.TextChoices):
        SPAM = "spam"
        ABUSE = "abuse"
        VIOLENCE = "violence"
        ILLEGAL = "illegal"
        OTHER = "other"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="entries")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=8, choices=Reason.choices)
    comment = EncryptedTextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "reporter"], name="moderation_one_entry_per_reporter")
        ]
        verbose_name_plural = "report entries"

    def __str__(self):
        return f"{self.reporter_id}: {self.reason}"


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log cannot be changed.")

    def delete(self):
        raise PermissionError("The audit log cannot be deleted from.")


class AuditLog(models.Model):
    """Who did what, to what, when and why. Append-only: the model refuses changes and
    deletions, and on PostgreSQL a trigger refuses them too."""

    actor_id = models.BigIntegerField(null=True)
    actor_username = models.CharField(max_length=32)
    action = models.CharField(max_length=32)
    target_kind = models.CharField(max_length=8)
    target_id = models.CharField(max_length=TARGET_ID_LENGTH)
    reason = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["target_kind", "target_id"])]

    def __str__(self):
        return f"{self.actor_username} {self.action} {self.target_kind} {self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log cannot be deleted from.")
