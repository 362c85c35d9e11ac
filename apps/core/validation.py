"""Checks of input that several apps share, raising the API's field errors."""

from __future__ import annotations

from .errors import ApplicationError

TEXT_EMPTY = "text_empty"
TEXT_TOO_LONG = "text_too_long"


def checked_text(
    text,
    *,
    limit: int,
    allow_empty: bool = False,
    field: str = "text",
    empty_detail: str = "Write something.",
) -> str:
    """`text` as a string (anything else counts as empty), refused as a field error of `field`
    when it is blank (unless `allow_empty`) or longer than `limit` characters."""
    text = text if isinstance(text, str) else ""
    if not text.strip() and not allow_empty:
        raise ApplicationError.for_field(field, TEXT_EMPTY, empty_detail)
    if len(text) > limit:
        raise ApplicationError.for_field(field, TEXT_TOO_LONG, f"At most {limit} characters.")
    return text
