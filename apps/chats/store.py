"""The send's SQL (the hot path: apps.chats.services.messages.message_send): the members and
the block check in one query; then, on PostgreSQL with the documents in `default`, the
message's writes in two statements (elsewhere the ORM does them in six). Measured
single-threaded on a send: 6.3 ms of CPU through the ORM, 2.1 ms this way (bench/README.md).

1. `counters`: the chat's seq (the chat row stays locked until commit, so the chat's senders
   queue), the sender's read position, every member's pts (their rows locked in user-id order
   after the chat's: two sends never deadlock) and the message's id from its sequence.
2. `rows`: the message, its search terms and every member's update-log row, each sealed in
   Python with its row identity first (the message with its chat and seq, a log row with its
   user and pts), which is why the numbers are taken first and the rows written second.

The SQL is written once per process, from the models' metadata; values go through the fields'
own `pre_save` and `get_db_prep_save`, so what is stored is what `Model.save()` would store."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.db import connections, router
from django.utils import timezone

from apps.contacts.selectors import block_between_sql
from apps.core import documents
from apps.core.errors import NotFound
from apps.updates.models import Update, UpdateState
from apps.updates.services import logs_start, next_pts

from .errors import ChatError
from .events import MESSAGE_NEW, message_reference
from .models import Chat, ChatMember, Message, MessageTerm


def two_statement_writes() -> bool:
    """Whether `message_write` applies: PostgreSQL, with the documents in the same database."""
    return not documents.is_separate() and connections["default"].vendor == "postgresql"


@dataclass(frozen=True)
class Written:
    message: Message
    pts: dict[int, int]  # every member's pts for the message


def _quote(name: str) -> str:
    return connections["default"].ops.quote_name(name)


def _insert_fields(model) -> list:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


@dataclass(frozen=True)
class Sending:
    """A member of the chat a message is sent to."""

    pk: int  # the membership's
    user_id: int
    blocks_sender: bool  # in a direct chat: they and the sender blocked each other


@cache
def _members_sql() -> str:
    chats, members = _quote(Chat._meta.db_table), _quote(ChatMember._meta.db_table)
    blocked = block_between_sql("%(sender)s", "m.user_id")
    return (
        f"SELECT m.id, m.user_id, (c.kind = %(direct)s AND m.user_id <> %(sender)s AND {blocked}) "  # noqa: S608
        f"FROM {members} m JOIN {chats} c ON c.id = m.chat_id WHERE m.chat_id = %(chat)s"
    )


def sending_members(*, chat_id: int, sender_id: int) -> dict[int, Sending]:
    """{user id: Sending} for every member of the chat, in one query."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            _members_sql(), {"sender": sender_id, "direct": Chat.Kind.DIRECT.value, "chat": chat_id}
        )
        return {user_id: Sending(pk, user_id, bool(blocked)) for pk, user_id, blocked in cursor.fetchall()}


@cache
def _counters_sql() -> str:
    chats, members, states = (_quote(m._meta.db_table) for m in (Chat, ChatMember, UpdateState))
    message_id_sequence = f"pg_get_serial_sequence('{Message._meta.db_table}', 'id')"
    return (
        f"WITH s AS (UPDATE {chats} SET last_seq = last_seq + 1, last_activity_at = %s "  # noqa: S608
        "WHERE id = %s RETURNING last_seq), "
        f"r AS (UPDATE {members} SET last_read_seq = s.last_seq FROM s WHERE {members}.id = %s), "
        # `EXISTS (SELECT FROM s)`: the chat row is locked before any log's row.
        f"p AS (UPDATE {states} AS u SET pts = u.pts + 1 FROM ("
        f"  SELECT user_id FROM {states} WHERE user_id = ANY(%s) AND EXISTS (SELECT FROM s) "
        "  ORDER BY user_id FOR UPDATE"
        ") AS locked WHERE u.user_id = locked.user_id RETURNING u.user_id, u.pts), "
        f"n AS (SELECT nextval({message_id_sequence}) AS id) "
        "SELECT s.last_seq, n.id, p.user_id, p.pts FROM s CROSS JOIN n LEFT JOIN p ON true"
    )


@cache
def _rows_sql() -> str:
    messages, updates = _quote(Message._meta.db_table), _quote(Update._meta.db_table)
    terms = _quote(MessageTerm._meta.db_table)
    message_columns = ", ".join(_quote(f.column) for f in [Message._meta.pk, *_insert_fields(Message)])
    marks = ", ".join(["%s"] * (1 + len(_insert_fields(Message))))
    update_fields = _insert_fields(Update)
    update_columns = ", ".join(_quote(f.column) for f in update_fields)
    # One array a column; `varchar(32)[]` is spelt `varchar[]`.
    arrays = ", ".join(
        f"%s::{re.sub(r'[(][0-9]+[)]', '', f.db_type(connections['default']))}[]" for f in update_fields
    )
    return (
        f"WITH m AS (INSERT INTO {messages} ({message_columns}) VALUES ({marks})), "  # noqa: S608
        # The message's search terms (apps.chats.search): none for a message without text.
        f"t AS (INSERT INTO {terms} (chat_id, message_id, token) SELECT %s, %s, UNNEST(%s::varchar[])) "
        f"INSERT INTO {updates} ({update_columns}) SELECT * FROM UNNEST({arrays})"
    )


def _prepared(instance, fields, connection) -> list:
    return [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]


def message_write(
    *, chat_id: int, sender_member_id: int, user_ids, search_tokens: list[str], **message_fields
) -> Written:
    """Store a new message in chat `chat_id`, its search terms (`search_tokens`) and its
    `message.new` event in each of `user_ids`' logs, in the caller's transaction."""
    connection = connections[router.db_for_write(Message)]
    user_ids = sorted(set(user_ids))
    with connection.cursor() as cursor:
        cursor.execute(_counters_sql(), [timezone.now(), chat_id, sender_member_id, user_ids])
        rows = cursor.fetchall()
        if not rows:  # the chat was deleted since its members were read
            raise NotFound("There is no such chat among yours.", code=ChatError.CHAT_NOT_FOUND)
        seq, message_id = rows[0][0], rows[0][1]
        pts = {user_id: user_pts for _, _, user_id, user_pts in rows if user_id is not None}
        if missing := [user_id for user_id in user_ids if user_id not in pts]:
            logs_start(missing)  # first event for these users: start their logs
            pts.update(next_pts(user_ids=missing))

        message = Message(id=message_id, chat_id=chat_id, seq=seq, **message_fields)
        message_values = _prepared(message, [Message._meta.pk, *_insert_fields(Message)], connection)
        reference = message_reference(chat_id=chat_id, message_id=message_id)
        logs = [
            Update(user_id=user_id, pts=user_pts, kind=MESSAGE_NEW.name, payload=reference)
            for user_id, user_pts in pts.items()
        ]
        columns = zip(*(_prepared(log, _insert_fields(Update), connection) for log in logs), strict=True)
        term_values = [chat_id, message_id, search_tokens]
        cursor.execute(_rows_sql(), [*message_values, *term_values, *(list(column) for column in columns)])
    message._state.adding = False
    message._state.db = connection.alias
    return Written(message=message, pts=pts)
