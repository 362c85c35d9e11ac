"""Moderation views of chats and messages. Message text is shown, decrypted, on a message's own
page only; lists show no text."""

from django.contrib import admin, messages

from . import services
from .models import Chat, ChatMember, Message


class ChatMemberInline(admin.TabularInline):
    model = ChatMember
    extra = 0
    fields = ("user", "role", "joined_at", "last_read_seq")
    readonly_fields = ("joined_at", "last_read_seq")
    raw_id_fields = ("user",)


@admin.register(Chat)
class ChatAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "title", "last_seq", "last_activity_at", "created_at")
    list_filter = ("kind",)
    search_fields = ("title", "=id")
    readonly_fields = ("last_seq", "last_activity_at", "created_at", "direct_key", "members_version")
    raw_id_fields = ("created_by",)
    inlines = [ChatMemberInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "chat_id", "seq", "sender_id", "created_at", "edited_at", "deleted")
    list_filter = ("deleted",)
    search_fields = ("=chat_id", "=sender_id", "=id")
    ordering = ("-id",)
    actions = ["delete_for_everyone"]
    fields = (
        "chat_id",
        "seq",
        "sender_id",
        "text",
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

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # erase through the action, which keeps the seq and tells the members

    @admin.action(
        description="Delete for everyone (erase text and files, tell the members)", permissions=["change"]
    )
    def delete_for_everyone(self, request, queryset):
        erased = sum(services.message_takedown(message_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"Deleted {erased} message(s) for everyone.", messages.SUCCESS)
