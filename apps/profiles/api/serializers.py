from rest_framework import serializers

from apps.accounts.api.serializers import USERNAME_PATTERN


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


class ProfileUpdateInput(serializers.Serializer):
    username = serializers.RegexField(USERNAME_PATTERN, required=False)
    display_name = serializers.CharField(max_length=64, required=False)
    bio = serializers.CharField(max_length=140, required=False, allow_blank=True)
    avatar_file_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    discoverable = serializers.BooleanField(required=False)
    sections = serializers.JSONField(required=False, help_text="At most 20 {title, body}, each at most 2 KB.")
