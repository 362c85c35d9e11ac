from enum import StrEnum


class NotificationError(StrEnum):
    DEVICE_NOT_FOUND = "device_not_found"
    MUTE_NOT_FOUND = "mute_not_found"
    TARGET_NOT_FOUND = "target_not_found"
    UNTIL_IN_THE_PAST = "until_in_the_past"
    TOKEN_IN_USE = "token_in_use"  # noqa: S105 (an error code, not a secret)
