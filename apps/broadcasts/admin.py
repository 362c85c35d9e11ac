"""Channels and subscriptions. Posts and comments, and the channels' take-down, are
moderation's (apps/moderation/admin.py)."""

from django.contrib import admin

from .models import Channel, ChannelAdmin, Subscription


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


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "user", "created_at")
    raw_id_fields = ("channel", "user")
