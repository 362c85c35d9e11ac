"""Race-free counters: a chat's message `seq` and each user's update-log `pts`.

Each is taken with one `UPDATE ... RETURNING` inside the caller's transaction: the row stays
locked until commit, so concurrent senders queue and numbers are dense (a rolled-back send
gives its number back). A chat's seq is in Postgres with the chat; `pts` is in the document
store with the log (MongoDB: see _bump_documents).
"""

from __future__ import annotations

from django.db import connections, router
from django.db.models import F
from django.utils import timezone

from apps.core import documents

from .models import Chat, ChatMember, UpdateState


def next_seq(*, chat_id: int, sender_member_id: int) -> int | None:
    """The chat's next message seq (None if there is no such chat). Also marks the chat active
    now, and its sender's membership read up to the new message."""
    connection = connections[router.db_for_write(Chat)]
    chats = connection.ops.quote_name(Chat._meta.db_table)
    members = connection.ops.quote_name(ChatMember._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one round trip
            cursor.execute(
                f"WITH s AS (UPDATE {chats} SET last_seq = last_seq + 1, last_activity_at = %s "  # noqa: S608
                "WHERE id = %s RETURNING last_seq), "
                f"r AS (UPDATE {members} SET last_read_seq = s.last_seq FROM s WHERE {members}.id = %s) "
                "SELECT last_seq FROM s",
                [now, chat_id, sender_member_id],
            )
            row = cursor.fetchone()
        else:
            cursor.execute(
                f"UPDATE {chats} SET last_seq = last_seq + 1, last_activity_at = %s "  # noqa: S608
                "WHERE id = %s RETURNING last_seq",
                [now, chat_id],
            )
            row = cursor.fetchone()
            if row:
                cursor.execute(
                    f"UPDATE {members} SET last_read_seq = %s WHERE id = %s",  # noqa: S608
                    [row[0], sender_member_id],
                )
    return row[0] if row else None


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
