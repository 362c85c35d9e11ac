"""Profile writes."""

from __future__ import annotations

from django.db.models import F

from apps.accounts.services import user_rename
from apps.core import documents
from apps.core.errors import ApplicationError
from apps.files.services import avatar_replace

from .errors import ProfileError
from .models import Profile
from .selectors import profile_cache_store

MAX_SECTIONS = 20
MAX_SECTION_BYTES = 2048


def profile_create(*, user_id: int, username: str, display_name: str | None = None) -> Profile:
    return Profile.objects.create(user_id=user_id, username=username, display_name=display_name or username)


def _check_sections(sections) -> list[dict]:
    def invalid(detail):
        return ApplicationError.for_field("sections", ProfileError.SECTIONS_INVALID, detail)

    if not isinstance(sections, list) or len(sections) > MAX_SECTIONS:
        raise invalid(f"Give a list of at most {MAX_SECTIONS} sections.")
    cleaned = []
    for section in sections:
        if not isinstance(section, dict) or set(section) != {"title", "body"}:
            raise invalid('Each section is {"title": ..., "body": ...}.')
        title, body = section["title"], section["body"]
        if not isinstance(title, str) or not isinstance(body, str) or not title.strip():
            raise invalid("A section's title and body are text, and the title is not empty.")
        if len(title.encode()) + len(body.encode()) > MAX_SECTION_BYTES:
            raise invalid(f"A section is at most {MAX_SECTION_BYTES} bytes.")
        cleaned.append({"title": title.strip(), "body": body})
    return cleaned


@documents.transactional
def profile_update(*, user, **changes) -> Profile:
    """Apply `changes` (display_name, bio, sections, username, avatar_file_id) to the user's
    profile. A new username is taken through accounts, which owns its uniqueness."""
    profile = documents.locked(Profile.objects).get(user_id=user.id)
    if "sections" in changes:
        changes["sections"] = _check_sections(changes["sections"])
    if (username := changes.pop("username", profile.username)) != profile.username:
        # Accounts owns the name's uniqueness; the profile's copy follows through
        # `account_renamed` (profile_rename), in this transaction.
        user_rename(user=user, username=username)
        profile.refresh_from_db()
        if not changes:
            return profile  # written once, by the rename
    if "avatar_file_id" in changes:
        changes["avatar_path"] = avatar_replace(
            user_id=user.id, old_file_id=profile.avatar_file_id, new_file_id=changes["avatar_file_id"]
        )
    for field, value in changes.items():
        setattr(profile, field, value)
    profile.version = F("version") + 1
    profile.save()
    profile.refresh_from_db()
    documents.on_commit(lambda: profile_cache_store(profile))
    return profile


def profile_rename(*, user_id: int, username: str) -> None:
    """Keep the profile's copy of the username in step (on `account_renamed`)."""
    Profile.objects.filter(user_id=user_id).update(username=username, version=F("version") + 1)
    profile = Profile.objects.get(user_id=user_id)
    documents.on_commit(lambda: profile_cache_store(profile))


@documents.transactional
def profile_erase(*, user_id: int, username: str) -> None:
    """An erased account: its messages elsewhere show as from a deleted account."""
    profile = documents.locked(Profile.objects).filter(user_id=user_id).first()
    if profile is None:
        return
    profile.username = username
    profile.display_name = "Deleted account"
    profile.bio = ""
    profile.sections = []
    profile.avatar_file_id = None
    profile.avatar_path = ""
    profile.discoverable = False
    profile.version = F("version") + 1
    profile.save()
    profile.refresh_from_db()
    documents.on_commit(lambda: profile_cache_store(profile))
