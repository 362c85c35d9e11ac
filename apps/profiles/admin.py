from django.contrib import admin

from .models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user_id", "username", "display_name", "discoverable", "updated_at")
    # Display names are encrypted at rest: found by username or id only.
    search_fields = ("username", "=user_id")
    list_filter = ("discoverable",)
    readonly_fields = ("user_id", "username", "sections", "version", "updated_at", "avatar_path")
    fields = (
        "user_id",
        "username",
        "display_name",
        "bio",
        "sections",
        "discoverable",
        "avatar_file_id",
        "avatar_path",
        "version",
        "updated_at",
    )
