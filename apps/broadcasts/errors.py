from enum import StrEnum


class BroadcastError(StrEnum):
    CHANNEL_NOT_FOUND = "channel_not_found"
    HANDLE_INVALID = "handle_invalid"
    HANDLE_TAKEN = "handle_taken"
    NOT_ADMIN = "not_channel_admin"
    NOT_OWNER = "not_channel_owner"
    POST_NOT_FOUND = "post_not_found"
    POST_DELETED = "post_deleted"
    NOT_SUBSCRIBED = "not_subscribed"
    COMMENT_NOT_FOUND = "comment_not_found"
    NOT_COMMENT_AUTHOR = "not_comment_author"
    OWNER_CANNOT_UNSUBSCRIBE = "owner_cannot_unsubscribe"
    TOO_MANY_REACTIONS = "too_many_reactions"
