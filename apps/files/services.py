"""File uploads: judged from their bytes, stored under our own names, through django-storages."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from apps.core.breaker import storage_breaker
from apps.core.errors import ApplicationError

from .errors import FileError
from .models import File
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
