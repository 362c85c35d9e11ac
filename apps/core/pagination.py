"""Opaque cursors for keyset pagination: `encode_cursor(*parts)` / `decode_cursor(text, kinds)`."""

from __future__ import annotations

import base64
from datetime import datetime

from .errors import ApplicationError

_PARSERS = {int: int, str: str, datetime: datetime.fromisoformat}


def encode_cursor(*parts) -> str:
    text = "|".join(part.isoformat() if isinstance(part, datetime) else str(part) for part in parts)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: tuple[type, ...]) -> tuple:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        if len(parts) != len(kinds):
            raise ValueError("wrong number of parts")
        return tuple(_PARSERS[kind](part) for kind, part in zip(kinds, parts, strict=True))
    except (ValueError, UnicodeDecodeError):
        raise ApplicationError("invalid_cursor", "This cursor is not one we gave out.") from None
