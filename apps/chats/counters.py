"""A race-free counter: a chat's message `seq` (each user's update-log `pts` is the update
log's: apps.updates.services.next_pts).

It is taken with one `UPDATE ... RETURNING` inside the caller's transaction: the chat's row
stays locked until commit, so concurrent senders queue and numbers are dense (a rolled-back
send gives its number back).
"""

from __future__ import annotations

from django.db import connections, router
from django.utils import timezone

from apps.core.counters import counter_next

from .models import Chat, ChatMember


def next_seq(*, chat_id: int, sender_member_id: int) -> int | None:
    """The chat's next message seq (None if there is no such chat). Also marks the chat active
    now, and its sender's membership read up to the new message."""
    now = timezone.now()
    connection = connections[router.db_for_write(Chat)]
    if connection.vendor != "postgresql":
        seq = counter_next(Chat, pk=chat_id, field="last_seq", also={"last_activity_at": now})
        if seq is not None:
            ChatMember.objects.filter(pk=sender_member_id).update(last_read_seq=seq)
        return seq
    chats = connection.ops.quote_name(Chat._meta.db_table)
    members = connection.ops.quote_name(ChatMember._meta.db_table)
    with connection.cursor() as cursor:  # the same in one round trip
        cursor.execute(
            f"WITH s AS (UPDATE {chats} SET last_seq = last_seq + 1, last_activity_at = %s "  # noqa: S608
            "WHERE id = %s RETURNING last_seq), "
            f"r AS (UPDATE {members} SET last_read_seq = s.last_seq FROM s WHERE {members}.id = %s) "
            "SELECT last_seq FROM s",
            [now, chat_id, sender_member_id],
        )
        row = cursor.fetchone()
    return row[0] if row else None
