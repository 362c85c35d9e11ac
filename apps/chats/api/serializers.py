"""Input serializers parse requests and socket frames (apps.core.api.parse); output
serializers declare responses: the schema's, and what `render` lets through of the selectors'
plain data."""

from datetime import datetime

from django.conf import settings
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from apps.core.api import DocumentIdField, SchemaRule, TextField
from apps.core.pagination import Cursor, CursorField
from apps.files.api.serializers import AttachmentOutput
from apps.profiles.api.serializers import ProfileOutput

# --- Input ----------------------------------------------------------------------------------

# The chat list's order: last activity, then id, newest first.
CHAT_LIST_CURSOR = Cursor(datetime, int)


class DirectChatInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["direct"])
    user_id = serializers.IntegerField(min_value=1, help_text="The other person.")


class GroupChatInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["group"])
    title = serializers.CharField(max_length=128)
    member_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=500
    )


# One body per kind of chat, told apart by `kind` (oneOf in the schema).
CHAT_CREATE_INPUTS = {"direct": DirectChatInput, "group": GroupChatInput}
ChatCreateInput = PolymorphicProxySerializer(
    component_name="ChatCreateInput", serializers=CHAT_CREATE_INPUTS, resource_type_field_name="kind"
)


class ChatListQuery(serializers.Serializer):
    before = CursorField(CHAT_LIST_CURSOR, required=False, help_text="The `next` of the previous page.")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=50)


class ReactionField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "One of the configured reactions (`REACTIONS`).")
        super().__init__(choices=settings.REACTIONS, **kwargs)


class ChatUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=128, required=False)
    allowed_reactions = serializers.ListField(
        child=ReactionField(),
        required=False,
        allow_null=True,
        max_length=len(settings.REACTIONS),
        help_text="The reactions members may give (empty: none); null: all of them.",
    )
    members_can_pin = serializers.BooleanField(
        required=False, help_text="Whether members who are not admins may pin messages."
    )


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
        required=False,
        min_value=0,
        help_text="Newer than this seq, oldest first (with before_seq: only those between the two).",
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=40)
    q = serializers.CharField(
        required=False,
        max_length=200,
        help_text="Only messages with every word of this (3 letters or more, each also as a "
        "prefix), newest first; with `before_seq`, older than it. Without such a word, a 400 "
        "`query_too_short`.",
    )


class MessageSearchQuery(serializers.Serializer):
    q = serializers.CharField(
        max_length=200,
        help_text="Words of 3 letters or more (of any script), each also as a prefix; without such a "
        "word, a 400 `query_too_short`.",
    )
    before = DocumentIdField(required=False, help_text="The `next` of the previous page.")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=20)


class MessageSendInput(serializers.Serializer):
    schema_rule = SchemaRule.text_or_attachments()

    text = TextField(limit=settings.MESSAGE_MAX_LENGTH, required=False, default="")
    client_msg_id = serializers.UUIDField(required=False, allow_null=True)
    reply_to = DocumentIdField(required=False, allow_null=True)
    attachments = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=settings.MESSAGE_MAX_ATTACHMENTS,
    )


class MessageEditInput(serializers.Serializer):
    # Blank only for a message with files (its caption removed), which the schema cannot tell.
    text = TextField(limit=settings.MESSAGE_MAX_LENGTH, may_be_blank=False)


class MessageDeleteQuery(serializers.Serializer):
    for_everyone = serializers.BooleanField(required=False, default=False)


class ReactionInput(serializers.Serializer):
    emoji = ReactionField()


class ForwardMessagesInput(serializers.Serializer):
    source = serializers.ChoiceField(choices=["chat"])
    from_chat_id = serializers.IntegerField(
        min_value=1, max_value=10**18 - 1, help_text="The chat they are in."
    )
    message_ids = serializers.ListField(
        child=DocumentIdField(), min_length=1, max_length=settings.FORWARD_MAX_MESSAGES
    )


class ForwardPostInput(serializers.Serializer):
    source = serializers.ChoiceField(choices=["post"])
    post_id = DocumentIdField(help_text="A post of a channel you can read.")


# What to forward, told apart by `source` (oneOf in the schema).
FORWARD_INPUTS = {"chat": ForwardMessagesInput, "post": ForwardPostInput}
ForwardInput = PolymorphicProxySerializer(
    component_name="ForwardInput", serializers=FORWARD_INPUTS, resource_type_field_name="source"
)


class ScheduleInput(MessageSendInput):
    send_at = serializers.DateTimeField(help_text="When to send it: in the future, at most a year ahead.")
    client_msg_id = None  # the scheduled message's own id keeps its sending single


class ScheduleEditInput(serializers.Serializer):
    text = TextField(limit=settings.MESSAGE_MAX_LENGTH, may_be_blank=False, required=False)
    send_at = serializers.DateTimeField(required=False)


class ScheduledQuery(serializers.Serializer):
    chat_id = serializers.IntegerField(required=False, min_value=1, max_value=10**18 - 1)


class PinInput(serializers.Serializer):
    message_id = DocumentIdField()


class ReadInput(serializers.Serializer):
    seq = serializers.IntegerField(min_value=0, max_value=2**63 - 1)


class UpdatesQuery(serializers.Serializer):
    since = serializers.IntegerField(min_value=0, max_value=2**63 - 1)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=settings.UPDATES_PAGE_SIZE)


# --- Socket frames (apps.chats.consumers, docs/websocket.md) -----------------------------------
# The REST inputs, with what REST takes from the URL (the chat, the message) in the frame.


class ChatFrame(serializers.Serializer):
    chat_id = serializers.IntegerField(min_value=1, max_value=10**18 - 1)


class MessageSendFrame(ChatFrame, MessageSendInput):
    client_msg_id = serializers.UUIDField(help_text="Required on the socket: the ack's `ref`.")


class MessageEditFrame(ChatFrame, MessageEditInput):
    message_id = DocumentIdField()


class MessageDeleteFrame(ChatFrame, MessageDeleteQuery):
    message_id = DocumentIdField()


class MessageReactFrame(ChatFrame, ReactionInput):
    message_id = DocumentIdField()
    add = serializers.BooleanField(required=False, default=True, help_text="False: take it back.")


class MessagePinFrame(ChatFrame, PinInput):
    pinned = serializers.BooleanField(required=False, default=True, help_text="False: unpin it.")


class ForwardMessagesFrame(ChatFrame, ForwardMessagesInput):
    pass


class ForwardPostFrame(ChatFrame, ForwardPostInput):
    pass


FORWARD_FRAMES = {"chat": ForwardMessagesFrame, "post": ForwardPostFrame}


class MessageScheduleFrame(ChatFrame, ScheduleInput):
    pass


class SearchFrame(MessageSearchQuery):
    chat_id = serializers.IntegerField(
        required=False, min_value=1, max_value=10**18 - 1, help_text="Only this chat."
    )


class ReadFrame(ChatFrame, ReadInput):
    pass


class SyncFrame(UpdatesQuery):
    pass


# --- Output ---------------------------------------------------------------------------------


class ReactionOutput(serializers.Serializer):
    emoji = serializers.CharField()
    count = serializers.IntegerField()
    user_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="Who, in the order they reacted."
    )


class MessageOutput(serializers.Serializer):
    id = DocumentIdField()
    chat_id = serializers.IntegerField()
    seq = serializers.IntegerField()
    sender_id = serializers.IntegerField(allow_null=True)
    text = serializers.CharField()
    reply_to = DocumentIdField(allow_null=True)
    attachments = AttachmentOutput(many=True)
    forwarded_from = serializers.JSONField(
        allow_null=True,
        help_text='A forwarded message\'s origin: `{kind: "user", user_id, date}` (from a chat: its '
        'author, shown as the viewer may see their profile) or `{kind: "channel", channel_id, '
        "handle, title, post_id, date}`; null for a message written here.",
    )
    client_msg_id = serializers.UUIDField(allow_null=True)
    reactions = ReactionOutput(many=True, help_text="The most given first; yours have your id in `user_ids`.")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    deleted = serializers.BooleanField()


class ForwardedOutput(serializers.Serializer):
    results = MessageOutput(many=True, help_text="The new messages, in order.")


class ScheduledOutput(serializers.Serializer):
    id = DocumentIdField()
    chat_id = serializers.IntegerField()
    text = serializers.CharField()
    attachment_ids = serializers.ListField(child=serializers.IntegerField())
    reply_to = DocumentIdField(allow_null=True)
    send_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=["pending", "sending", "sent", "cancelled", "failed"])
    message_id = DocumentIdField(allow_null=True, help_text="The message it became, once sent.")
    failure = serializers.CharField(allow_null=True, help_text="Why the chat refused it, when it failed.")
    created_at = serializers.DateTimeField()


class ScheduledListOutput(serializers.Serializer):
    results = ScheduledOutput(many=True, help_text="Soonest first.")


class ConfigOutput(serializers.Serializer):
    reactions = serializers.ListField(child=serializers.CharField(), help_text="Every reaction there is.")
    reactions_per_person = serializers.IntegerField()
    message_max_length = serializers.IntegerField()
    message_max_attachments = serializers.IntegerField()
    forward_max_messages = serializers.IntegerField()
    chat_max_pins = serializers.IntegerField()
    scheduled_max_ahead_days = serializers.IntegerField()


class PinOutput(serializers.Serializer):
    message = MessageOutput()
    pinned_by = serializers.IntegerField(allow_null=True)
    pinned_at = serializers.DateTimeField()


class PinListOutput(serializers.Serializer):
    results = PinOutput(many=True, help_text="Newest pin first.")


class MessagePageOutput(serializers.Serializer):
    results = MessageOutput(many=True)
    has_more = serializers.BooleanField()


class MessageSearchOutput(serializers.Serializer):
    results = MessageOutput(many=True, help_text="Newest first, from any of your chats (`chat_id`).")
    has_more = serializers.BooleanField()
    next = DocumentIdField(allow_null=True, help_text="`before` for the next page.")


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
    allowed_reactions = serializers.ListField(
        child=serializers.CharField(), help_text="The reactions members may give here."
    )
    members_can_pin = serializers.BooleanField(
        help_text="In a group, whether members who are not admins may pin."
    )
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
    """An update: its `pts`, its `type`, and the fields of its type (docs/events.md)."""

    open_ended = True  # apps.core.api.render keeps each kind's own fields

    pts = serializers.IntegerField()
    type = serializers.CharField()


class UpdatesOutput(serializers.Serializer):
    updates = UpdateOutput(many=True, required=False, help_text="Each also carries its payload fields.")
    pts = serializers.IntegerField()
    has_more = serializers.BooleanField(required=False)
    too_long = serializers.BooleanField(required=False)


class StateOutput(serializers.Serializer):
    pts = serializers.IntegerField()
