from django.conf import settings
from django.core.validators import RegexValidator
from rest_framework import serializers

from apps.broadcasts.errors import BroadcastError
from apps.core.api import DocumentIdField, SchemaRule, TextField
from apps.files.api.serializers import AttachmentOutput

# A handle as a person may write it; broadcasts.services keeps it in lower case, without the @.
HANDLE_VALIDATOR = RegexValidator(
    r"^@*[A-Za-z][A-Za-z0-9_]{4,31}$",
    "Use 5-32 letters, digits or _, starting with a letter.",
    BroadcastError.HANDLE_INVALID,
)


class ChannelCreateInput(serializers.Serializer):
    handle = serializers.CharField(
        validators=[HANDLE_VALIDATOR],
        help_text="5-32 letters, digits or _, starting with a letter (kept in lower case; a leading "
        "@ is dropped).",
    )
    title = serializers.CharField(max_length=128)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    is_public = serializers.BooleanField(required=False, default=True)


class ChannelUpdateInput(serializers.Serializer):
    handle = serializers.CharField(required=False, validators=[HANDLE_VALIDATOR])
    title = serializers.CharField(max_length=128, required=False)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    is_public = serializers.BooleanField(required=False)
    avatar_file_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    renew_invite = serializers.BooleanField(required=False, help_text="Issue a new invite link.")


class ChannelListQuery(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=100, help_text="Search public channels.")
    before = serializers.IntegerField(
        required=False, min_value=1, help_text="Subscriptions older than this id."
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)


class SubscribeInput(serializers.Serializer):
    invite = serializers.CharField(
        required=False, max_length=64, help_text="A private channel's invite token."
    )


class JoinInput(serializers.Serializer):
    invite = serializers.CharField(max_length=64)


class PostsQuery(serializers.Serializer):
    before = serializers.IntegerField(required=False, min_value=1, help_text="Posts older than this seq.")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=10)


class PostInput(serializers.Serializer):
    schema_rule = SchemaRule.text_or_attachments()

    text = TextField(limit=settings.POST_MAX_LENGTH, required=False, default="")
    attachments = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list
    )


class PostEditInput(serializers.Serializer):
    # Blank only for a post with files (its caption removed), which the schema cannot tell.
    text = TextField(limit=settings.POST_MAX_LENGTH, may_be_blank=False)


class CommentsQuery(serializers.Serializer):
    after = DocumentIdField(required=False, help_text="Comments newer than this comment id.")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=50)


class CommentInput(serializers.Serializer):
    text = TextField(limit=settings.COMMENT_MAX_LENGTH, may_be_blank=False)


class ChannelOutput(serializers.Serializer):
    id = serializers.IntegerField()
    handle = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    avatar_url = serializers.CharField(allow_null=True)
    is_public = serializers.BooleanField()
    subscriber_count = serializers.IntegerField()
    last_post_seq = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    subscribed = serializers.BooleanField()
    role = serializers.CharField(allow_null=True)
    allowed_reactions = serializers.ListField(
        child=serializers.CharField(), help_text="The reactions subscribers may give to posts."
    )
    invite_token = serializers.CharField(required=False, help_text="Admins only.")


class ChannelPageOutput(serializers.Serializer):
    results = ChannelOutput(many=True)
    has_more = serializers.BooleanField()


class PostReactionOutput(serializers.Serializer):
    emoji = serializers.CharField()
    count = serializers.IntegerField()


class PostOutput(serializers.Serializer):
    id = DocumentIdField()
    channel_id = serializers.IntegerField()
    seq = serializers.IntegerField()
    author_id = serializers.IntegerField(allow_null=True)
    text = serializers.CharField()
    attachments = AttachmentOutput(many=True)
    views = serializers.IntegerField()
    reactions = PostReactionOutput(many=True, help_text="Counts only, the most given first.")
    my_reactions = serializers.ListField(child=serializers.CharField(), help_text="The ones you gave.")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)


class PostPageOutput(serializers.Serializer):
    results = PostOutput(many=True)
    has_more = serializers.BooleanField()


class PostReactionInput(serializers.Serializer):
    emoji = serializers.ChoiceField(
        choices=settings.REACTIONS, help_text="One of the configured reactions (`REACTIONS`)."
    )


class CommentOutput(serializers.Serializer):
    id = DocumentIdField()
    post_id = DocumentIdField()
    author_id = serializers.IntegerField(allow_null=True)
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class CommentPageOutput(serializers.Serializer):
    results = CommentOutput(many=True)
    has_more = serializers.BooleanField()
