"""Moderation of channels, posts and comments, with take-down actions."""

from django.contrib import admin, messages

from apps.moderation.services import audit, content_remove

from .models import Channel, ChannelAdmin, Comment, Post, Subscription


class ChannelAdminInline(admin.TabularInline):
    model = ChannelAdmin
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Channel)
class ChannelModelAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "handle",
        "title",
        "is_public",
        "subscriber_count",
        "last_post_seq",
        "taken_down_at",
    )
    list_filter = ("is_public", ("taken_down_at", admin.EmptyFieldListFilter))
    search_fields = ("handle", "title", "=id")
    readonly_fields = ("subscriber_count", "last_post_seq", "created_at", "taken_down_at", "invite_token")
    exclude = ("search_vector",)
    raw_id_fields = ("owner",)
    inlines = [ChannelAdminInline]
    actions = ["take_down"]

    @admin.action(description="Take down (hide from everyone)", permissions=["change"])
    def take_down(self, request, queryset):
        count = sum(
            content_remove(
                moderator=request.user, kind="channel", target_id=pk, reason="taken down from the admin"
            )
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, f"Took down {count} channel(s).", messages.SUCCESS)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
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
    actions = ["take_down"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":  # the page shows the decrypted text: log who read it
            audit(actor=request.user, action="view_post", target_kind="post", target_id=int(object_id))
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    @admin.action(description="Take down (erase for everyone)", permissions=["change"])
    def take_down(self, request, queryset):
        count = sum(
            content_remove(
                moderator=request.user, kind="post", target_id=pk, reason="taken down from the admin"
            )
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, f"Took down {count} post(s).", messages.SUCCESS)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("id", "post_id", "channel_id", "author_id", "created_at", "deleted")
    list_filter = ("deleted",)
    search_fields = ("=post_id", "=author_id")
    ordering = ("-id",)
    fields = ("post_id", "channel_id", "author_id", "text", "created_at", "deleted")
    readonly_fields = fields
    actions = ["take_down"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":  # the page shows the decrypted text: log who read it
            audit(actor=request.user, action="view_comment", target_kind="comment", target_id=int(object_id))
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    @admin.action(description="Take down (erase)", permissions=["change"])
    def take_down(self, request, queryset):
        count = sum(
            content_remove(
                moderator=request.user, kind="comment", target_id=pk, reason="taken down from the admin"
            )
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, f"Took down {count} comment(s).", messages.SUCCESS)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "user", "created_at")
    raw_id_fields = ("channel", "user")
