from enum import StrEnum


class ModerationError(StrEnum):
    TARGET_NOT_FOUND = "target_not_found"
    CANNOT_REPORT_SELF = "cannot_report_self"
    BAD_TARGET_ID = "bad_target_id"
