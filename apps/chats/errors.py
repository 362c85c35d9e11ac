from enum import StrEnum


class ChatError(StrEnum):
    CHAT_NOT_FOUND = "chat_not_found"
    USER_NOT_FOUND = "user_not_found"
    CANNOT_CHAT_WITH_SELF = "cannot_chat_with_self"
    BLOCKED = "blocked"
    NOT_ADMIN = "not_admin"
    NOT_OWNER = "not_owner"
    NOT_A_GROUP = "not_a_group"
    GROUP_FULL = "group_full"
    ALREADY_MEMBER = "already_member"
    NOT_MEMBER = "not_member"
    MESSAGE_NOT_FOUND = "message_not_found"
    TEXT_EMPTY = "text_empty"
    TEXT_TOO_LONG = "text_too_long"
    REPLY_NOT_FOUND = "reply_not_found"
    TOO_MANY_ATTACHMENTS = "too_many_attachments"
    CLIENT_MSG_ID_REUSED = "client_msg_id_reused"
    NOT_SENDER = "not_sender"
    EDIT_WINDOW_PASSED = "edit_window_passed"
    MESSAGE_DELETED = "message_deleted"
    INVALID_CURSOR = "invalid_cursor"
