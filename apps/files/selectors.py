from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage, default_storage
from django.db.models import Sum
from django.urls import reverse

from apps.core.errors import ApplicationError, NotFound

from .errors import FileError
from .models import File

_URL_SALT = "files.download"


def storage_url(storage_name: str) -> str:
    """Where a client downloads the object, for FILES_URL_TTL seconds: a presigned URL on S3, a
    signed link to `files/download/` on the filesystem. Nothing is served without one."""
    if not isinstance(default_storage, FileSystemStorage):
        return default_storage.url(storage_name)
    token = signing.dumps(storage_name, salt=_URL_SALT, compress=True)
    return reverse("file-download", kwargs={"token": token})


def storage_name_from_url_token(token: str) -> str | None:
    """The object a download link names, if the link is genuine and not expired."""
    try:
        return signing.loads(token, salt=_URL_SALT, max_age=settings.FILES_URL_TTL)
    except signing.BadSignature:  # expired links too (SignatureExpired)
        return None


def storage_used(*, user_id: int) -> int:
    return File.objects.filter(owner_id=user_id).aggregate(total=Sum("size"))["total"] or 0


def files_for_attaching(*, file_ids, user_id: int, images_only: bool = False) -> list[File]:
    """The files, in the order given, if `user_id` uploaded every one of them; else a clear error."""
    ids = list(dict.fromkeys(file_ids))
    files = File.objects.in_bulk(ids)
    for file_id in ids:
        file = files.get(file_id)
        if file is None:
            raise NotFound(f"There is no file {file_id}.", code=FileError.FILE_NOT_FOUND)
        if file.owner_id != user_id:
            raise ApplicationError(
                FileError.FILE_NOT_YOURS, f"File {file_id} was uploaded by someone else.", status=403
            )
        if images_only and file.kind != File.Kind.IMAGE:
            raise ApplicationError(FileError.NOT_AN_IMAGE, f"File {file_id} is not an image.", status=409)
    return [files[file_id] for file_id in ids]


def file_for_attaching(*, file_id: int, user_id: int, images_only: bool = False) -> File:
    return files_for_attaching(file_ids=[file_id], user_id=user_id, images_only=images_only)[0]


def file_of_owner(*, file_id: int, user_id: int) -> File:
    file = File.objects.filter(pk=file_id, owner_id=user_id).first()
    if file is None:
        raise NotFound("No such file among yours.", code=FileError.FILE_NOT_FOUND)
    return file


def attachment_snapshot(file: File) -> dict:
    """What a message or post keeps of a file it carries (stored encrypted with the message)."""
    return {
        "file_id": file.pk,
        "kind": file.kind,
        "content_type": file.content_type,
        "size": file.size,
        "name": file.original_name,
        "width": file.width,
        "height": file.height,
        "path": file.storage_name,
    }


def attachment_public(snapshot: dict) -> dict:
    """A stored snapshot as clients see it: with a download URL, without our storage path."""
    public = {key: value for key, value in snapshot.items() if key != "path"}
    public["url"] = storage_url(snapshot["path"])
    return public


def file_public(file: File) -> dict:
    return {"id": file.pk, **attachment_public(attachment_snapshot(file)), "created_at": file.created_at}
