"""What the log keeps of an event, and how a kept event is read back, per kind.

Most kinds are kept as their frame's payload. An app whose events point at content that can
change or disappear (a message that is edited, deleted, taken down) registers its kinds here,
in its AppConfig.ready(): the log then keeps only a reference, and the event is rendered from
the content as it is when it is read. The update log itself knows no such app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    # The live frame's payload -> what the log keeps (a reference).
    reference: Callable[[dict], dict]
    # (reader's user id, the references read) -> the payload of each, in the same order.
    render: Callable[[int, list[dict]], list[dict]]


_KINDS: dict[str, Kind] = {}


def register(names, kind: Kind) -> None:
    for name in names:
        if name in _KINDS and _KINDS[name] is not kind:
            raise RuntimeError(f"update kind {name!r} is registered twice")
        _KINDS[name] = kind


def kind_of(name: str) -> Kind | None:
    """The registered handling of kind `name`, or None: kept and shown as given."""
    return _KINDS.get(name)
