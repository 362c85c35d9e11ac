"""The per-user update log (Telegram's `pts`): every durable event for a user is appended to
their log in the transaction that makes the change, then delivered live after commit. A client
that was away asks `updates/?since=<pts>` (apps.updates.selectors) and gets exactly what it
missed, oldest first.

`pts` is taken with one `UPDATE ... RETURNING` inside the caller's transaction: the rows stay
locked until commit, so concurrent writers queue and numbers are dense (a rolled-back change
gives its numbers back)."""

from __future__ import annotations

from django.db import connections, router
from django.db.models import F

from apps.core import documents
from apps.core.realtime import send_frames

from .kinds import kind_of
from .models import Update, UpdateState


def updates_append(
    *, user_ids, kind: str, payload: dict, exclude_channel: str | None = None
) -> dict[int, int]:
    """Append one event to each user's log; {user_id: its pts}. Must run in a transaction.
    `payload` is what the live frame carries; the log keeps what the kind's registration says
    (apps.updates.kinds)."""
    if not documents.in_transaction():
        # Outside the writer's transaction the rows would outlive a rollback of the change.
        raise RuntimeError("updates_append must run inside documents.transactional")
    pts = next_pts(user_ids=user_ids)
    handling = kind_of(kind)
    stored = handling.reference(payload) if handling else payload
    Update.objects.bulk_create(
        [
            Update(user_id=user_id, pts=user_pts, kind=kind, payload=stored)
            for user_id, user_pts in pts.items()
        ]
    )
    updates_deliver(pts, kind=kind, payload=payload, exclude_channel=exclude_channel)
    return pts


def updates_deliver(pts: dict[int, int], *, kind: str, payload: dict, exclude_channel: str | None) -> None:
    """After commit, each user's frame for the event their log got at `pts[user]`."""

    def deliver():
        frames = {user_id: {"type": kind, "pts": user_pts, **payload} for user_id, user_pts in pts.items()}
        send_frames(frames, exclude_channel=exclude_channel)

    documents.on_commit(deliver)


def _bump(connection, user_ids: list[int]) -> dict[int, int]:
    if connection.vendor == "mongodb":
        return _bump_documents(user_ids)
    table = connection.ops.quote_name(UpdateState._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Lock the rows in id order first: two multi-user bumps never deadlock.
            cursor.execute(
                f"UPDATE {table} AS s SET pts = s.pts + 1 FROM ("  # noqa: S608
                f"  SELECT user_id FROM {table} WHERE user_id = ANY(%s) ORDER BY user_id FOR UPDATE"
                ") AS locked WHERE s.user_id = locked.user_id RETURNING s.user_id, s.pts",
                [user_ids],
            )
        else:  # SQLite: one writer at a time, no deadlock to avoid
            marks = ",".join(["%s"] * len(user_ids))
            cursor.execute(
                f"UPDATE {table} SET pts = pts + 1 WHERE user_id IN ({marks}) RETURNING user_id, pts",  # noqa: S608
                user_ids,
            )
        return dict(cursor.fetchall())


def _bump_documents(user_ids: list[int]) -> dict[int, int]:
    """The same through the ORM, for MongoDB: no row locks there, but inside a transaction the
    update is visible to the read that follows, and a concurrent bump of the same log aborts
    one of the two transactions (apps.core.documents.transactional runs it again)."""
    UpdateState.objects.filter(user_id__in=user_ids).update(pts=F("pts") + 1)
    return dict(UpdateState.objects.filter(user_id__in=user_ids).values_list("user_id", "pts"))


def logs_start(user_ids) -> None:
    """Start the update logs of these users that have none, in the current transaction."""
    user_ids = sorted(set(user_ids))
    if not documents.is_mongodb():
        UpdateState.objects.bulk_create([UpdateState(user_id=u) for u in user_ids], ignore_conflicts=True)
        return
    # No INSERT ... ON CONFLICT in MongoDB: create the missing ones. A transaction that
    # creates the same one concurrently aborts this one, which is run again.
    existing = set(UpdateState.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))
    UpdateState.objects.bulk_create([UpdateState(user_id=u) for u in user_ids if u not in existing])


def next_pts(*, user_ids) -> dict[int, int]:
    """{user_id: that user's next pts} for every user, in the current transaction."""
    user_ids = sorted(set(user_ids))
    if not user_ids:
        return {}
    connection = connections[router.db_for_write(UpdateState)]
    taken = _bump(connection, user_ids)
    missing = [user_id for user_id in user_ids if user_id not in taken]
    if missing:  # first event for these users: start their logs
        logs_start(missing)
        taken.update(_bump(connection, missing))
    return taken
