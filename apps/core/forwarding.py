"""What can be forwarded into a chat from elsewhere: each app that owns forwardable content
(broadcasts: a channel's posts) registers how to read it for a person, in its AppConfig.ready();
chats forwards what it is given. So chats never imports the apps it forwards from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Forwardable:
    text: str
    attachments: list[dict]  # file snapshots (apps.files.selectors.attachment_snapshot)
    origin: dict  # what the copy's `forwarded_from` says


# kind -> (the reader's user id, the content's id) -> what they may forward of it. Raises the
# owning app's NotFound or PermissionDenied when they may not read it.
_SOURCES: dict[str, Callable[[int, object], Forwardable]] = {}


def register_source(kind: str, read: Callable[[int, object], Forwardable]) -> None:
    if kind in _SOURCES and _SOURCES[kind] is not read:
        raise RuntimeError(f"forwarding source {kind!r} is registered twice")
    _SOURCES[kind] = read


def forwardable(kind: str, *, user_id: int, content_id) -> Forwardable:
    return _SOURCES[kind](user_id, content_id)
