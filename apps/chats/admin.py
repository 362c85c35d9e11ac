"""Chats and their members. Messages, which moderators read and delete, have their admin in
apps/moderation/admin.py."""

from django.contrib import admin

from .models import Chat, ChatMember


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
