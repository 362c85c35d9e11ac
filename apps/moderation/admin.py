"""The moderators' admin: the report queue (most reported first) with the content in place, a
decision form on each report, and the audit log (read-only for everyone)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from . import services
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


def _content(report: Report) -> str:
    """The reported thing as a moderator needs to judge it (decrypted text included)."""
    from apps.accounts.models import User
    from apps.broadcasts.models import Channel, Comment, Post
    from apps.chats.models import Message

    if report.kind == Target.MESSAGE:
        item = Message.objects.filter(pk=report.target_id).first()
        return item and (
            f"message in chat {item.chat_id} from user {item.sender_id}: {item.text or '(no text)'}"
            + (" [deleted]" if item.deleted else "")
        )
    if report.kind == Target.POST:
        item = Post.objects.filter(pk=report.target_id).first()
        return item and f"post in channel {item.channel_id}: {item.text or '(no text)'}" + (
            " [deleted]" if item.deleted else ""
        )
    if report.kind == Target.COMMENT:
        item = Comment.objects.filter(pk=report.target_id).first()
        return item and f"comment on post {item.post_id} by user {item.author_id}: {item.text}" + (
            " [deleted]" if item.deleted else ""
        )
    if report.kind == Target.CHANNEL:
        item = Channel.objects.filter(pk=report.target_id).first()
        return item and f"@{item.handle} “{item.title}”: {item.description}" + (
            " [taken down]" if item.taken_down_at else ""
        )
    item = User.objects.filter(pk=report.target_id).first()
    return item and f"user @{item.username}" + (" [banned]" if item.banned_at else "")


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
