"""The per-user update log (Telegram's `pts`): every durable event for a user is appended to
their log in the transaction that makes the change, then delivered live after commit. A client
that was away asks `updates/?since=<pts>` and gets exactly what it missed, oldest first."""

from __future__ import annotations

from django.conf import settings

from apps.core import documents
from apps.core.realtime import send_frames

from .models import Update, UpdateState


def render_payload(payload: dict) -> dict:
    """A stored payload as clients see it (messages' attachments get download URLs)."""
    if "message" in payload:
        from .history import message_public

        return {**payload, "message": message_public(payload["message"])}
    return payload


def updates_append(
    *, user_ids, kind: str, payload: dict, exclude_channel: str | None = None
) -> dict[int, int]:
    """Append one event to each user's log; {user_id: its pts}. Must run in a transaction."""
    from .counters import next_pts

    pts = next_pts(user_ids=user_ids)
    Update.objects.bulk_create(
        [
            Update(user_id=user_id, pts=user_pts, kind=kind, payload=payload)
            for user_id, user_pts in pts.items()
        ]
    )

    def deliver():
        public = render_payload(payload)
        frames = {user_id: {"type": kind, "pts": user_pts, **public} for user_id, user_pts in pts.items()}
        send_frames(frames, exclude_channel=exclude_channel)

    documents.on_commit(deliver)
    return pts


def updates_state(*, user_id: int) -> int:
    return UpdateState.objects.filter(user_id=user_id).values_list("pts", flat=True).first() or 0


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
    updates = [{"pts": row.pts, "type": row.kind, **render_payload(row.payload)} for row in rows]
    return {"updates": updates, "pts": rows[-1].pts, "has_more": rows[-1].pts < newest}
