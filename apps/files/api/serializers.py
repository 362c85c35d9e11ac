"""Wire shapes of the files app that other apps' answers embed."""

from rest_framework import serializers


class AttachmentOutput(serializers.Serializer):
    """A file attached to a message or a post (apps.files.selectors.attachment_public)."""

    file_id = serializers.IntegerField()
    kind = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    name = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    url = serializers.CharField()
