"""Profile reads. `profiles_for` answers for many users with one cache round trip and at most
one query: lists of chats, contacts and members use it, never a query per row."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from apps.core.cache import versioned_get_many, versioned_set
from apps.files.selectors import storage_url

from .models import Profile


def _key(user_id: int) -> str:
    return f"profile:{user_id}"


def _kept(profile: Profile) -> dict:
    """A profile as the cache keeps it: the avatar's storage path, not a download link (links
    expire; they are made when a profile is read)."""
    return {
        "id": profile.user_id,
        "username": profile.username,
        "display_name": profile.display_name,
        "bio": profile.bio,
        "avatar_path": profile.avatar_path,
        "sections": profile.sections,
        "discoverable": profile.discoverable,
    }


def _shown(kept: dict) -> dict:
    shown = {key: value for key, value in kept.items() if key != "avatar_path"}
    shown["avatar_url"] = storage_url(kept["avatar_path"]) if kept.get("avatar_path") else None
    return shown


def profile_public(profile: Profile) -> dict:
    return _shown(_kept(profile))


def profile_cache_store(profile: Profile) -> None:
    versioned_set(_key(profile.user_id), profile.version, _kept(profile), ttl=settings.PROFILE_CACHE_TTL)


def profiles_for(*, user_ids) -> dict[int, dict]:
    """{user_id: public profile} for those of `user_ids` that have a profile."""
    ids = list(dict.fromkeys(user_ids))
    found = {int(key.split(":")[1]): value for key, value in versioned_get_many(map(_key, ids)).items()}
    missing = [user_id for user_id in ids if user_id not in found]
    if missing:
        for profile in Profile.objects.filter(user_id__in=missing):
            found[profile.user_id] = _kept(profile)
            profile_cache_store(profile)
    return {user_id: _shown(kept) for user_id, kept in found.items()}


def profile_get(*, user_id: int) -> dict | None:
    return profiles_for(user_ids=[user_id]).get(user_id)


def profile_withheld(user_id: int) -> dict:
    """What someone sees of a person who blocked them, where a list must still show that person
    (a group's members, a direct chat's peer): the id, nothing else."""
    return {
        "id": user_id,
        "username": None,
        "display_name": "",
        "bio": "",
        "avatar_url": None,
        "sections": [],
        "discoverable": False,
    }


# --- What a viewer may see of people -------------------------------------------------------
# The apps that know who hides from whom (contacts: blocks) register a function in their
# AppConfig.ready(): (viewer id, user ids) -> those of the ids who withhold their profile from
# that viewer. Profiles imports none of them.
_WITHHOLDERS: list[Callable[[int, list[int]], set[int]]] = []


def register_withholder(withholding: Callable[[int, list[int]], set[int]]) -> None:
    if withholding not in _WITHHOLDERS:
        _WITHHOLDERS.append(withholding)


def _withholding(viewer_id: int, user_ids) -> set[int]:
    others = [user_id for user_id in user_ids if user_id != viewer_id]
    if not others:
        return set()
    return set().union(*(withholding(viewer_id, others) for withholding in _WITHHOLDERS))


def profiles_visible_to(*, viewer_id: int, user_ids) -> dict[int, dict]:
    """{user_id: profile as `viewer_id` may see it} for those of `user_ids` that have one: of
    someone who withholds theirs from the viewer (who blocked them), only the id
    (`profile_withheld`). Every list that shows people to a viewer goes through here."""
    profiles = profiles_for(user_ids=user_ids)
    for user_id in _withholding(viewer_id, list(profiles)):
        profiles[user_id] = profile_withheld(user_id)
    return profiles


def profile_visible_to(*, viewer_id: int, user_id: int) -> dict | None:
    """A profile as `viewer_id` may see it on its own: nobody sees the profile of someone who
    blocked them (None, as for nobody at all)."""
    if _withholding(viewer_id, [user_id]):
        return None
    return profiles_for(user_ids=[user_id]).get(user_id)


def profile_export(*, user_id: int) -> dict | None:
    """The profile as its owner may have it exported (manage.py export_user_data)."""
    found = Profile.objects.filter(user_id=user_id).first()
    return found and {
        "username": found.username,
        "display_name": found.display_name,
        "bio": found.bio,
        "sections": found.sections,
        "discoverable": found.discoverable,
        "has_avatar": bool(found.avatar_path),
    }
