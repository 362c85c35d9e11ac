"""Chat writes. The REST views and the WebSocket consumer call these same functions, so every
rule, every log entry and every live frame comes from one place.

Each write runs in one transaction: the change, the `seq`/`pts` it takes and the update-log
entries commit together; live frames and cache updates go out after commit."""

from .chats import (
    chat_direct_open,
    chat_group_create,
    chat_member_remove,
    chat_member_set_role,
    chat_members_add,
    chat_update,
)
from .forwarding import messages_forward
from .messages import (
    chat_read,
    message_delete,
    message_edit,
    message_erase,
    message_send,
    message_takedown,
    typing_send,
)
from .pins import message_pin
from .reactions import message_react
from .scheduled import (
    scheduled_cancel,
    scheduled_create,
    scheduled_edit,
    scheduled_erase,
    scheduled_list,
    scheduled_send_now,
)

__all__ = [
    "chat_direct_open",
    "chat_group_create",
    "chat_member_remove",
    "chat_member_set_role",
    "chat_members_add",
    "chat_read",
    "chat_update",
    "message_delete",
    "message_edit",
    "message_erase",
    "message_pin",
    "message_react",
    "message_send",
    "message_takedown",
    "messages_forward",
    "scheduled_cancel",
    "scheduled_create",
    "scheduled_edit",
    "scheduled_erase",
    "scheduled_list",
    "scheduled_send_now",
    "typing_send",
]
