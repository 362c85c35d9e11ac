"""A race-free counter: a chat's message `seq` (each user's update-log `pts` is the update
log's: apps.updates.services.next_pts).

It is taken with one `UPDATE ... RETURNING` inside the caller's transaction: the chat's row
stays locked until commit, so concurrent senders queue and numbers are dense (a rolled-back
send gives its number back).
"""

from __future__ import annotations

from django.db import connections, router
from django.utils import timezone

from .models import Chat, ChatMember


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
