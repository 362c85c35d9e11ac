"""File uploads: judged from their bytes, stored under our own names, through django-storages."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.core.breaker import storage_breaker
from apps.core.errors import ApplicationError

from .errors import FileError
from .models import File
from .selectors import file_for_attaching, storage_used
from .sniff import sniff

logger = logging.getLogger(__name__)


def file_upload(*, owner, upload) -> File:
    if upload is None:
        raise ApplicationError.for_field(
            "file", FileError.FILE_MISSING, "Send the file as multipart field `file`."
        )
    if upload.size > settings.FILES_MAX_UPLOAD_BYTES:
        raise ApplicationError(
            FileError.FILE_TOO_LARGE,
            f"Files may be at most {settings.FILES_MAX_UPLOAD_BYTES} bytes; this one has {upload.size}.",
            status=413,
        )
    used = storage_used(user_id=owner.pk)
    if used + upload.size > settings.FILES_USER_QUOTA_BYTES:
        raise ApplicationError(
            FileError.QUOTA_EXCEEDED,
            f"Your files may take at most {settings.FILES_USER_QUOTA_BYTES} bytes; {used} are used. "
            "Delete messages with files to make room.",
            status=413,
        )
    kind = sniff(upload)
    name = f"files/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{kind.extension}"
    unavailable = ApplicationError(
        FileError.STORAGE_UNAVAILABLE, "File storage is unavailable; try again shortly.", status=503
    )
    if not storage_breaker.allow():
        raise unavailable
    try:
        stored_name = default_storage.save(name, upload)
    except Exception as exc:  # the storage backend's own errors vary (OSError, botocore, ...)
        storage_breaker.failure()
        logger.warning("file storage failed", extra={"error": type(exc).__name__})
        raise unavailable from exc
    storage_breaker.success()
    try:
        with transaction.atomic():
            return File.objects.create(
                owner_id=owner.pk,
                storage_name=stored_name,
                content_type=kind.content_type,
                kind=kind.kind,
                size=upload.size,
                original_name=(upload.name or "")[:255],
                width=kind.width,
                height=kind.height,
            )
    except Exception:
        default_storage.delete(stored_name)  # no orphan object without its row
        raise


def upload_size_check(*, declared: str | None) -> None:
    """Refuse an upload by its Content-Length, before a byte of it is read."""
    limit = settings.FILES_MAX_UPLOAD_BYTES + settings.FILES_MULTIPART_OVERHEAD
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large()


def _too_large() -> ApplicationError:
    return ApplicationError(
        FileError.FILE_TOO_LARGE, f"Files may be at most {settings.FILES_MAX_UPLOAD_BYTES} bytes.", status=413
    )


class SizeLimitedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: stops reading a file as soon as it passes the limit (for
    bodies that declared no length, or lied about it)."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.FILES_MAX_UPLOAD_BYTES:
            raise _too_large()
        return raw_data

    def file_complete(self, file_size):
        return None


def files_attach(*, file_ids) -> None:
    """Something now carries these files (a message, a post, an avatar). In its transaction."""
    if file_ids:
        File.objects.filter(pk__in=list(file_ids)).update(refs=F("refs") + 1)


def files_release(*, file_ids) -> None:
    """Something that carried these files is gone (deleted for everyone, taken down, replaced):
    a file nothing carries any more is deleted, its bytes after the commit. In its transaction."""
    if not file_ids:
        return
    File.objects.filter(pk__in=list(file_ids), refs__gt=0).update(refs=F("refs") - 1)
    _delete(File.objects.filter(pk__in=list(file_ids), refs=0))


def avatar_replace(*, user_id: int, old_file_id: int | None, new_file_id: int | None) -> str:
    """A profile's or channel's avatar becomes `new_file_id` (an image `user_id` uploaded; None:
    no avatar): the old file is released, the new one attached. Its storage path ("" for none).
    In its transaction."""
    path = (
        file_for_attaching(file_id=new_file_id, user_id=user_id, images_only=True).storage_name
        if new_file_id
        else ""
    )
    if new_file_id != old_file_id:
        files_release(file_ids=[old_file_id] if old_file_id else [])
        files_attach(file_ids=[new_file_id] if new_file_id else [])
    return path


def content_erase(item, *, also: tuple[str, ...] = ()) -> None:
    """Erase a message's or post's content, keeping its place (its seq): its text, and its
    files where nothing else carries them. `item` is a model with `text`, `attachments` (file
    snapshots), `deleted` and `version`; the version moves on, so caches take the erased copy.
    `also`: the owner's other fields it emptied itself, saved with these. In its transaction."""
    files_release(file_ids=[snapshot["file_id"] for snapshot in item.attachments])
    item.deleted = True
    item.text = ""
    item.attachments = []
    item.version += 1
    item.save(update_fields=["deleted", "text", "attachments", "version", *also])


def files_erase(*, owner_id: int) -> int:
    """Every file a person uploaded, rows and bytes (their account is being erased)."""
    return _delete(File.objects.filter(owner_id=owner_id))


def _delete(queryset) -> int:
    names = list(queryset.values_list("storage_name", flat=True))
    if not names:
        return 0
    queryset.delete()

    def remove_bytes():
        for name in names:
            try:
                default_storage.delete(name)
            except Exception as exc:  # the object store is down: an orphan object, logged
                logger.warning("file bytes not deleted", extra={"name": name, "error": type(exc).__name__})

    transaction.on_commit(remove_bytes, robust=True)
    return len(names)
