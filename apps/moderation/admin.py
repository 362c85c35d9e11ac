"""The moderators' admin: the report queue (most reported first) with the content in place, a
decision form on each report, the audit log (read-only for everyone), and the content itself:
messages, posts and comments (each view of their text audited, a take-down action on each),
channels' take-down, and people's ban and unban. The content admins share one audited view and
one take-down action, driven by the kinds of content (apps/moderation/kinds.py)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from apps.accounts.admin import UserAdmin
from apps.accounts.models import User
from apps.broadcasts.admin import ChannelModelAdmin
from apps.broadcasts.models import Channel, Comment, Post
from apps.chats.models import Message

from . import services
from .kinds import KINDS
from .models import AuditLog, Report, ReportEntry, Target


class ReportEntryInline(admin.TabularInline):
    model = ReportEntry
    extra = 0
    fields = ("reporter", "reason", "comment", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(choices=services.Decision.CHOICES, required=False)
    note = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why: kept in the audit log.",
    )

    class Meta:
        model = Report
        fields = ("decision", "note")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") and not cleaned.get("note"):
            self.add_error("note", "Say why: the audit log keeps it.")
        if self.instance.status != Report.Status.OPEN and cleaned.get("decision"):
            raise forms.ValidationError("This report is closed already.")
        return cleaned


def _content(report: Report) -> str | None:
    """The reported thing as a moderator needs to judge it (decrypted text included)."""
    kind = KINDS[report.kind]
    try:
        return kind.describe(kind.parse_id(report.target_id))
    except ValueError:
        return None


class StatusFilter(admin.SimpleListFilter):
    """The queue shows open reports unless another status (or all) is chosen."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*Report.Status.choices, ("all", "All")]

    def choices(self, changelist):
        current = self.value() or Report.Status.OPEN
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or Report.Status.OPEN
        return queryset if value == "all" else queryset.filter(status=value)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    form = DecisionForm
    list_display = ("__str__", "kind", "target_id", "reports_count", "reasons", "last_reported_at", "status")
    list_display_links = ("__str__",)
    list_filter = (StatusFilter, "kind")
    ordering = ("-reports_count", "-last_reported_at")
    readonly_fields = (
        "kind",
        "target_id",
        "reported_content",
        "author_id",
        "reports_count",
        "status",
        "first_reported_at",
        "last_reported_at",
        "closed_by",
        "closed_at",
    )
    fieldsets = (
        ("Reported", {"fields": ("kind", "target_id", "reported_content", "author_id", "reports_count")}),
        ("Decision", {"fields": ("decision", "note")}),
        ("State", {"fields": ("status", "first_reported_at", "last_reported_at", "closed_by", "closed_at")}),
    )
    inlines = [ReportEntryInline]
    actions = ["dismiss"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("entries")

    @admin.display(description="reasons")
    def reasons(self, report: Report) -> str:
        counts: dict[str, int] = {}
        for entry in report.entries.all():
            counts[entry.reason] = counts.get(entry.reason, 0) + 1
        return ", ".join(f"{reason}: {n}" for reason, n in sorted(counts.items(), key=lambda kv: -kv[1]))

    @admin.display(description="content")
    def reported_content(self, report: Report) -> str:
        return format_html("<div style='white-space: pre-wrap'>{}</div>", _content(report) or "(gone)")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and (report := Report.objects.filter(pk=object_id).first()):
            services.audit(
                actor=request.user,
                action="view_content",
                target_kind=report.kind,
                target_id=report.target_id,
                reason=f"report {report.pk}",
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        decision, note = form.cleaned_data.get("decision"), form.cleaned_data.get("note", "")
        if decision:
            services.report_decide(moderator=request.user, report=obj, decision=decision, note=note)
            self.message_user(request, f"Report {obj.pk}: {dict(services.Decision.CHOICES)[decision]}.")

    @admin.action(description="Dismiss the selected reports", permissions=["change"])
    def dismiss(self, request, queryset):
        reports = list(queryset.filter(status=Report.Status.OPEN))
        for report in reports:
            services.report_decide(
                moderator=request.user,
                report=report,
                decision=services.Decision.DISMISS,
                note="dismissed from the queue",
            )
        self.message_user(request, f"Dismissed {len(reports)} report(s).", messages.SUCCESS)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_username", "action", "target_kind", "target_id", "reason")
    list_filter = ("action", "target_kind")
    search_fields = ("actor_username", "=target_id")
    readonly_fields = (
        "created_at",
        "actor_id",
        "actor_username",
        "action",
        "target_kind",
        "target_id",
        "reason",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- The content -------------------------------------------------------------------------


class AuditedPages:
    """Every view of a page that shows private data (decrypted text, an e-mail) is audited."""

    kind: str  # apps.moderation.kinds.KINDS
    view_action: str  # what the audit log calls a view of the page

    def shows_private(self, request) -> bool:
        """Whether the page shows this user the object's private data."""
        return True

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and object_id and self.shows_private(request):
            try:
                target_id = KINDS[self.kind].parse_id(object_id)
            except ValueError:
                target_id = None  # no such object: the admin answers that
            if target_id is not None:
                services.audit(
                    actor=request.user, action=self.view_action, target_kind=self.kind, target_id=target_id
                )
        return super().change_view(request, object_id, form_url, extra_context)


class ContentAdmin(AuditedPages, admin.ModelAdmin):
    """A kind of content as moderators see it: its pages audited, and the take-down action
    removes it for everyone (audited too)."""

    actions = ["take_down"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Take down (remove for everyone)", permissions=["change"])
    def take_down(self, request, queryset):
        count = sum(
            services.content_remove(
                moderator=request.user, kind=self.kind, target_id=pk, reason="taken down from the admin"
            )
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, f"Took down {count} {self.kind}(s).", messages.SUCCESS)


@admin.register(Message)
class MessageAdmin(ContentAdmin):
    """Message text is shown, decrypted, on a message's own page only, to those with
    `chats.view_message_text` (the moderators); lists show no text."""

    kind, view_action = Target.MESSAGE, "view_message"
    list_display = ("id", "chat_id", "seq", "sender_id", "created_at", "edited_at", "deleted")
    list_filter = ("deleted",)
    search_fields = ("=chat_id", "=sender_id", "=id")
    ordering = ("-id",)
    fields = (
        "chat_id",
        "seq",
        "sender_id",
        "message_text",
        "attachments",
        "reply_to",
        "forwarded_from",
        "client_msg_id",
        "created_at",
        "edited_at",
        "deleted",
        "version",
    )
    readonly_fields = fields

    @admin.display(description="text")
    def message_text(self, message: Message) -> str:
        return message.text

    @admin.display(description="text")
    def text_hidden(self, message: Message) -> str:
        return "(hidden: needs the permission to read private messages)"

    def shows_private(self, request) -> bool:
        return request.user.has_perm("chats.view_message_text")

    def get_fields(self, request, obj=None):
        # Private text is shown only to those allowed to read it (per request: the admin is shared).
        if self.shows_private(request):
            return self.fields
        return tuple("text_hidden" if name == "message_text" else name for name in self.fields)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # erase through the action, which keeps the seq and tells the members

    actions = ["delete_for_everyone"]

    @admin.action(
        description="Delete for everyone (erase text and files, tell the members)", permissions=["change"]
    )
    def delete_for_everyone(self, request, queryset):
        self.take_down(request, queryset)


@admin.register(Post)
class PostAdmin(ContentAdmin):
    kind, view_action = Target.POST, "view_post"
    list_display = ("id", "channel_id", "seq", "author_id", "created_at", "edited_at", "deleted")
    list_filter = ("deleted",)
    search_fields = ("=channel_id", "=id")
    ordering = ("-id",)
    fields = (
        "channel_id",
        "seq",
        "author_id",
        "text",
        "attachments",
        "views",
        "created_at",
        "edited_at",
        "deleted",
    )
    readonly_fields = fields


@admin.register(Comment)
class CommentAdmin(ContentAdmin):
    kind, view_action = Target.COMMENT, "view_comment"
    list_display = ("id", "post_id", "channel_id", "author_id", "created_at", "deleted")
    list_filter = ("deleted",)
    search_fields = ("=post_id", "=author_id")
    ordering = ("-id",)
    fields = ("post_id", "channel_id", "author_id", "text", "created_at", "deleted")
    readonly_fields = fields


admin.site.unregister(Channel)


@admin.register(Channel)
class ModeratedChannelAdmin(ChannelModelAdmin):
    """The broadcasts app's channel admin, with the take-down (a channel's page shows nothing
    private: its views are not audited)."""

    actions = ["take_down"]
    take_down = ContentAdmin.take_down
    kind = Target.CHANNEL


admin.site.unregister(User)


@admin.register(User)
class ModeratedUserAdmin(AuditedPages, UserAdmin):
    """The accounts app's user admin, with ban and unban, and every view of a person's page
    (it shows the decrypted e-mail and phone) audited."""

    kind, view_action = Target.USER, "view_personal_data"
    actions = ["ban", "unban"]

    def has_ban_permission(self, request):
        return request.user.has_perm("accounts.ban_user")

    @admin.action(description="Ban (tokens stop working, sockets close)", permissions=["ban"])
    def ban(self, request, queryset):
        for user_id in queryset.filter(banned_at__isnull=True).values_list("pk", flat=True):
            services.user_ban(moderator=request.user, user_id=user_id, reason="banned from the user list")
        self.message_user(request, "Banned.", messages.SUCCESS)

    @admin.action(description="Unban", permissions=["ban"])
    def unban(self, request, queryset):
        for user_id in queryset.filter(banned_at__isnull=False).values_list("pk", flat=True):
            services.user_unban(moderator=request.user, user_id=user_id, reason="unbanned from the user list")
        self.message_user(request, "Unbanned.", messages.SUCCESS)
