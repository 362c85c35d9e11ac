from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.api.serializers import USERNAME_PATTERN
from apps.profiles.services import MAX_SECTION_BYTES, MAX_SECTIONS


class SectionSerializer(serializers.Serializer):
    title = serializers.CharField()
    body = serializers.CharField(allow_blank=True)


class ProfileOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="The user's id.")
    username = serializers.CharField(allow_null=True, help_text="Null where the person blocked you.")
    display_name = serializers.CharField(allow_blank=True)
    bio = serializers.CharField()
    avatar_url = serializers.CharField(allow_null=True)
    sections = SectionSerializer(many=True)
    discoverable = serializers.BooleanField(help_text="Others may find this person by exact e-mail or phone.")


@extend_schema_field(
    {
        "type": "array",
        "maxItems": MAX_SECTIONS,
        "items": {
            "type": "object",
            "properties": {
                "title": {"type": "string", "pattern": r"\S", "description": "Not empty."},
                "body": {"type": "string"},
            },
            "required": ["title", "body"],
            "additionalProperties": False,
        },
        "description": f"At most {MAX_SECTIONS} sections, each (title and body) at most "
        f"{MAX_SECTION_BYTES} bytes of UTF-8.",
    }
)
class SectionsField(serializers.JSONField):
    """The profile's sections, checked whole by profiles.services (the byte limit spans the
    title and the body, which a schema cannot state)."""


class ProfileUpdateInput(serializers.Serializer):
    username = serializers.RegexField(USERNAME_PATTERN, required=False)
    display_name = serializers.CharField(max_length=64, required=False)
    bio = serializers.CharField(max_length=140, required=False, allow_blank=True)
    avatar_file_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    discoverable = serializers.BooleanField(required=False)
    sections = SectionsField(required=False)
