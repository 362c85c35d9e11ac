from django.contrib import admin

from .models import File


@admin.register(File)
class FileAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "kind", "content_type", "size", "created_at")
    list_filter = ("kind", "content_type")
    search_fields = ("owner__username", "=id")
    raw_id_fields = ("owner",)
    readonly_fields = ("storage_name", "content_type", "kind", "size", "width", "height", "created_at")
