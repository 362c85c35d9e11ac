from enum import StrEnum


class FileError(StrEnum):
    FILE_MISSING = "file_missing"
    FILE_TOO_LARGE = "file_too_large"
    FILE_TYPE_NOT_ALLOWED = "file_type_not_allowed"
    IMAGE_INVALID = "image_invalid"
    FILE_NOT_FOUND = "file_not_found"
    FILE_NOT_YOURS = "file_not_yours"
    NOT_AN_IMAGE = "not_an_image"
    STORAGE_UNAVAILABLE = "storage_unavailable"
    QUOTA_EXCEEDED = "quota_exceeded"
    LINK_EXPIRED = "link_expired"
