"""Reading the update log: what a user missed, rendered as it is now (apps.updates.kinds)."""

from __future__ import annotations

from django.conf import settings

from .kinds import kind_of
from .models import Update, UpdateState


def updates_state(*, user_id: int) -> int:
    return UpdateState.objects.filter(user_id=user_id).values_list("pts", flat=True).first() or 0


def _rendered(user_id: int, rows: list[Update]) -> list[dict]:
    """Each row's payload for `user_id`: as kept, or, for a registered kind, rendered now from
    its reference (one batch per kind)."""
    payloads: list[dict | None] = [None] * len(rows)
    by_kind: dict[object, list[int]] = {}
    for index, row in enumerate(rows):
        handling = kind_of(row.kind)
        if handling is None:
            payloads[index] = row.payload
        else:
            by_kind.setdefault(handling, []).append(index)
    for handling, indexes in by_kind.items():
        rendered = handling.render(user_id, [rows[index].payload for index in indexes])
        for index, payload in zip(indexes, rendered, strict=True):
            payloads[index] = payload
    return payloads


def updates_since(*, user_id: int, since: int, limit: int | None = None) -> dict:
    """What the user missed after `since`, oldest first, a page at a time; `too_long` when the
    gap is beyond UPDATES_MAX_GAP or older than what the log still keeps."""
    limit = min(limit or settings.UPDATES_PAGE_SIZE, settings.UPDATES_PAGE_SIZE)
    newest = updates_state(user_id=user_id)
    if since >= newest:
        return {"updates": [], "pts": newest, "has_more": False}
    if newest - since > settings.UPDATES_MAX_GAP:
        return {"too_long": True, "pts": newest}
    rows = list(Update.objects.filter(user_id=user_id, pts__gt=since).order_by("pts")[:limit])
    if not rows or rows[0].pts != since + 1:  # trimmed away: the client must refetch its state
        return {"too_long": True, "pts": newest}
    updates = [
        {"pts": row.pts, "type": row.kind, **payload}
        for row, payload in zip(rows, _rendered(user_id, rows), strict=True)
    ]
    return {"updates": updates, "pts": rows[-1].pts, "has_more": rows[-1].pts < newest}
