"""Socket frames other apps answer. The WebSocket consumer is the chats app's; an app beside
it (broadcasts: reacting to a post) registers a frame type here, in its AppConfig.ready(), with
the serializer that reads the frame and the function that answers it, so the consumer needs no
import of that app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Frame:
    reader: type  # the input serializer of the frame's fields (apps.core.api.parse)
    answer: Callable[[object, dict], dict]  # (user, the parsed fields) -> the answer frame (sync)
    scopes: tuple[str, ...] = ()  # the rate limits it counts against, besides `ws_frame`


_FRAMES: dict[str, Frame] = {}


def register_frame(frame_type: str, frame: Frame) -> None:
    if frame_type in _FRAMES and _FRAMES[frame_type] is not frame:
        raise RuntimeError(f"socket frame {frame_type!r} is registered twice")
    _FRAMES[frame_type] = frame


def registered_frame(frame_type: str) -> Frame | None:
    return _FRAMES.get(frame_type)
