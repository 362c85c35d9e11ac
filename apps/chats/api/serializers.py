"""Input serializers parse requests; output serializers describe responses for the schema
(the selectors already return plain data, which the views send as it is)."""

from rest_framework import serializers

from apps.core.api import DocumentIdField
from apps.files.api.serializers import AttachmentOutput
from apps.profiles.api.serializers import ProfileOutput

# --- Input ----------------------------------------------------------------------------------


class ChatCreateInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["direct", "group"])
    user_id = serializers.IntegerField(required=False, min_value=1, help_text="direct: the other person.")
    title = serializers.CharField(required=False, max_length=128, help_text="group: its title.")
    member_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=500
    )

    def validate(self, attrs):
        if attrs["kind"] == "direct" and not attrs.get("user_id"):
            raise serializers.ValidationError({"user_id": "A direct chat needs the other person's user_id."})
        if attrs["kind"] == "group" and not attrs.get("title", "").strip():
            raise serializers.ValidationError({"title": "A group needs a title."})
        return attrs


class ChatListQuery(serializers.Serializer):
    before = serializers.CharField(required=False, help_text="The `next` cursor of the previous page.")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=50)


class ChatUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=128)


class MembersAddInput(serializers.Serializer):
    user_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=200
    )


class MemberRoleInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=["admin", "member"])


class HistoryQuery(serializers.Serializer):
    before_seq = serializers.IntegerField(
        required=False, min_value=1, help_text="Older than this seq, newest first."
    )
    after_seq = serializers.IntegerField(
        required=False, min_value=0, help_text="Newer than this seq, oldest first."
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=40)

    def validate(self, attrs):
        if "before_seq" in attrs and "after_seq" in attrs:
            raise serializers.ValidationError("Give before_seq or after_seq, not both.")
        return attrs


class MessageSendInput(serializers.Serializer):
    text = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, default="", max_length=100_000
    )
    client_msg_id = serializers.UUIDField(required=False, allow_null=True)
    reply_to = DocumentIdField(required=False, allow_null=True)
    attachments = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list
    )


class MessageEditInput(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=100_000)


class MessageDeleteQuery(serializers.Serializer):
    for_everyone = serializers.BooleanField(required=False, default=False)


class ReadInput(serializers.Serializer):
    seq = serializers.IntegerField(min_value=0)


class UpdatesQuery(serializers.Serializer):
    since = serializers.IntegerField(min_value=0)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100)


# --- Output ---------------------------------------------------------------------------------


class MessageOutput(serializers.Serializer):
    id = DocumentIdField()
    chat_id = serializers.IntegerField()
    seq = serializers.IntegerField()
    sender_id = serializers.IntegerField(allow_null=True)
    text = serializers.CharField()
    reply_to = DocumentIdField(allow_null=True)
    attachments = AttachmentOutput(many=True)
    forwarded_from = serializers.JSONField(allow_null=True)
    client_msg_id = serializers.UUIDField(allow_null=True)
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    deleted = serializers.BooleanField()


class MessagePageOutput(serializers.Serializer):
    results = MessageOutput(many=True)
    has_more = serializers.BooleanField()


class PeerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField(allow_null=True)
    display_name = serializers.CharField()
    avatar_url = serializers.CharField(allow_null=True)


class ChatOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["direct", "group"])
    title = serializers.CharField()
    last_seq = serializers.IntegerField()
    unread_count = serializers.IntegerField()
    last_read_seq = serializers.IntegerField()
    last_message = MessageOutput(allow_null=True)
    peer = PeerOutput(allow_null=True)
    role = serializers.CharField()
    muted_until = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    last_activity_at = serializers.DateTimeField()


class ChatDetailOutput(ChatOutput):
    member_count = serializers.IntegerField()


class ChatPageOutput(serializers.Serializer):
    results = ChatOutput(many=True)
    has_more = serializers.BooleanField()
    next = serializers.CharField(allow_null=True)


class MemberOutput(serializers.Serializer):
    user = ProfileOutput(allow_null=True)
    role = serializers.CharField()
    joined_at = serializers.DateTimeField()


class MemberListOutput(serializers.Serializer):
    results = MemberOutput(many=True)


class ReadOutput(serializers.Serializer):
    last_read_seq = serializers.IntegerField()


class UpdateOutput(serializers.Serializer):
    pts = serializers.IntegerField()
    type = serializers.CharField()


class UpdatesOutput(serializers.Serializer):
    updates = UpdateOutput(many=True, required=False, help_text="Each also carries its payload fields.")
    pts = serializers.IntegerField()
    has_more = serializers.BooleanField(required=False)
    too_long = serializers.BooleanField(required=False)


class StateOutput(serializers.Serializer):
    pts = serializers.IntegerField()
