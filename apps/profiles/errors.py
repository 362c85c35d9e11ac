from enum import StrEnum


class ProfileError(StrEnum):
    NOT_FOUND = "profile_not_found"
    SECTIONS_INVALID = "sections_invalid"
