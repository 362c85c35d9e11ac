"""Moderation views of chats and messages. Message text is shown, decrypted, on a message's own
page only, to those with `chats.view_message_text` (the moderators), and each view is audited;
lists show no text."""

from django.contrib import admin, messages

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

    def get_fields(self, request, obj=None):
        # Private text is shown only to those allowed to read it (per request: the admin is shared).
        if request.user.has_perm("chats.view_message_text"):
            return self.fields
        return tuple("text_hidden" if name == "message_text" else name for name in self.fields)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Every view of the text is logged.
        if request.method == "GET" and request.user.has_perm("chats.view_message_text"):
            from apps.moderation.services import audit

            audit(actor=request.user, action="view_message", target_kind="message", target_id=int(object_id))
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # erase through the action, which keeps the seq and tells the members

    @admin.action(
        description="Delete for everyone (erase text and files, tell the members)", permissions=["change"]
    )
    def delete_for_everyone(self, request, queryset):
        from apps.moderation.services import content_remove

        erased = sum(
            content_remove(
                moderator=request.user, kind="message", target_id=pk, reason="deleted from the admin"
            )
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, f"Deleted {erased} message(s) for everyone.", messages.SUCCESS)
