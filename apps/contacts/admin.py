from django.contrib import admin

from .models import Block, Contact, Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("id", "from_user", "to_user", "status", "created_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("from_user__username", "to_user__username", "=id")
    raw_id_fields = ("from_user", "to_user")
    readonly_fields = ("pair", "created_at", "decided_at")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "contact", "created_at")
    search_fields = ("owner__username", "contact__username")
    raw_id_fields = ("owner", "contact")


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("id", "blocker", "blocked", "created_at")
    search_fields = ("blocker__username", "blocked__username")
    raw_id_fields = ("blocker", "blocked")
