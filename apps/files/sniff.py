"""What an upload really is, judged from its bytes, never from its name or declared type."""

from __future__ import annotations

from dataclasses import dataclass

import filetype
from django.conf import settings
from PIL import Image, UnidentifiedImageError

from apps.core.errors import ApplicationError

from .errors import FileError

HEAD_BYTES = 8192
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
KINDS = {"image": "image", "video": "video", "audio": "audio"}


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    kind: str
    extension: str
    width: int | None = None
    height: int | None = None


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(head) - 3
    return True


def _image_size(upload) -> tuple[int, int]:
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > settings.FILES_MAX_IMAGE_PIXELS:
                raise ApplicationError(
                    FileError.IMAGE_INVALID,
                    f"Images may have at most {settings.FILES_MAX_IMAGE_PIXELS} pixels.",
                )
        # The structure is checked (verify: chunks and checksums), the pixels are never decoded:
        # a small file can declare a picture that takes hundreds of MiB to decode.
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ApplicationError(FileError.IMAGE_INVALID, "The image is damaged or not an image.") from exc
    finally:
        upload.seek(0)
    return width, height


def sniff(upload) -> Sniffed:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    guess = filetype.guess(head)
    if guess is None:
        if not head or not _looks_like_text(head):
            raise _not_allowed("unknown")
        content_type, extension = "text/plain", "txt"
    else:
        content_type, extension = guess.mime, guess.extension
    if content_type not in settings.FILES_ALLOWED_TYPES:
        raise _not_allowed(content_type)
    kind = KINDS.get(content_type.split("/")[0], "document")
    if content_type in IMAGE_TYPES:
        width, height = _image_size(upload)
        return Sniffed(content_type, kind, extension, width, height)
    return Sniffed(content_type, kind, extension)


def _not_allowed(content_type: str) -> ApplicationError:
    return ApplicationError(
        FileError.FILE_TYPE_NOT_ALLOWED,
        f"Files of type {content_type} are not accepted. Allowed: "
        + ", ".join(sorted(settings.FILES_ALLOWED_TYPES))
        + ".",
        status=415,
    )
