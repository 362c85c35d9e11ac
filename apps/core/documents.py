"""The document store: where messages, the update log, posts, comments, profiles and the
outbox live (models that subclass `apps.core.models.DocumentModel`).

It takes one of three shapes, chosen by settings (telegram/settings/base.py):

- **embedded** (the default): the document models live in `default`. One database, one
  transaction for a whole change.
- **a separate SQL database** (`DOCUMENTS_DATABASE_URL`).
- **MongoDB** (`MONGODB_URI`), through the official django-mongodb-backend.

Everything that differs between them is in this module, so the apps stay store-agnostic:
the primary-key field and the fields that hold a document's id (ints in SQL, ObjectIds in
MongoDB), how a client's document id is read, the transaction that spans both stores, when
commit hooks run, and row locks.

Document ids are opaque strings to clients in every shape ("42", or "65f1c0...").
"""

from __future__ import annotations

import functools
import logging
import re
import time
from contextlib import ExitStack, contextmanager

from django.conf import settings
from django.db import DatabaseError, models, transaction

log = logging.getLogger(__name__)

MONGODB_ENGINE = "django_mongodb_backend"


def store_alias() -> str:
    return settings.DOCUMENT_STORE_ALIAS


def is_separate() -> bool:
    """Whether the documents live in another database than `default` (two commits per change)."""
    return store_alias() != "default"


def is_mongodb() -> bool:
    return settings.DATABASES[store_alias()]["ENGINE"] == MONGODB_ENGINE


# --- Fields -----------------------------------------------------------------------------------
# Models and migrations both call these, so a migration's state always matches the model in
# the configured store (no migration is "missing" when MONGODB_URI is set).


def id_field():
    """A document model's primary key: a 64-bit serial in SQL, an ObjectId in MongoDB."""
    if is_mongodb():
        from django_mongodb_backend.fields import ObjectIdAutoField

        return ObjectIdAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")
    return models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")


def ref_field(**options):
    """A field holding another document's id (in the same store: no foreign key)."""
    if is_mongodb():
        from django_mongodb_backend.fields import ObjectIdField

        return ObjectIdField(**options)
    return models.BigIntegerField(**options)


def partial(condition):
    """A partial index's condition where the store can express it. MongoDB's partial indexes
    take no IS NULL: there the index is whole (and a unique index skips documents whose fields
    are null all the same: the backend filters it on the fields' types)."""
    return None if is_mongodb() else condition


# --- Ids as clients see them ------------------------------------------------------------------

# A SQL row's id as clients write it: 1 to 10**18 - 1, leading zeros allowed (well inside a
# bigint). The API schema gives clients the same pattern (id_pattern).
_SQL_ID = re.compile(r"0*[1-9][0-9]{0,17}")
_OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")


# Any id a client may name, of a SQL row or of a MongoDB document (a report's target).
ANY_ID_PATTERN = f"^({_SQL_ID.pattern}|{_OBJECT_ID.pattern})$"


def id_pattern() -> str:
    """The pattern of a document id in the API schema, for the configured store."""
    return f"^{(_OBJECT_ID if is_mongodb() else _SQL_ID).pattern}$"


def parse_id(value):
    """A document id from a client (string, or an int from older clients) as the store keeps
    it. ValueError if it cannot be one: callers answer 400 (input) or 404 (a path)."""
    if isinstance(value, bool) or value is None:
        raise ValueError("not a document id")
    if is_mongodb():
        from bson import ObjectId
        from bson.errors import InvalidId

        try:
            return ObjectId(str(value))
        except InvalidId:
            raise ValueError("not a document id") from None
    return parse_int_id(value)


def parse_int_id(value) -> int:
    """A positive 64-bit id (a SQL row's) from a client's string or int; ValueError if not one."""
    if isinstance(value, bool) or not _SQL_ID.fullmatch(str(value)):
        raise ValueError("not an id")
    return int(str(value))


def dump_id(value) -> str | None:
    """A stored document id as clients see it."""
    return None if value is None else str(value)


class RowIdConverter:
    """`<id:name>` in URL patterns: a SQL row's id (a person's, a chat's...), as parse_int_id
    takes it; anything else (a number past a bigint included) is a 404 before a view runs."""

    regex = "[0-9]{1,24}"

    def to_python(self, value):
        return parse_int_id(value)

    def to_url(self, value):
        return str(value)


class IdConverter:
    """`<docid:name>` in URL patterns: anything else is a 404 before a view runs."""

    regex = "[0-9a-fA-F]{1,24}"

    def to_python(self, value):
        return parse_id(value)

    def to_url(self, value):
        return str(value)


# --- Transactions -----------------------------------------------------------------------------


def _store_atomic():
    alias = store_alias()
    if is_mongodb():
        from django_mongodb_backend import transaction as mongo_transaction

        # Django's own atomic() is a no-op on this backend; this one is a MongoDB transaction
        # (which needs a replica set: docker/compose.yml runs a single-node one).
        return mongo_transaction.atomic(using=alias)
    return transaction.atomic(using=alias)


@contextmanager
def atomic():
    """One transaction over `default` and the document store.

    With a separate store, `default` commits first and the document store last: if the second
    commit fails, `default` keeps at most a counter bumped for nothing (a gap in a chat's seq),
    never a message that Postgres does not know. Hooks registered with `on_commit` run after
    both commits."""
    with ExitStack() as stack:
        if is_separate():
            stack.enter_context(_store_atomic())
        stack.enter_context(transaction.atomic())
        yield


def on_commit(func) -> None:
    """Run `func` once the current change is committed in both stores.

    Robust: what runs after commit (live frames, cache merges, publishing events) is an
    optimisation or has its own retry (the outbox sweep, the update log), so a hook that fails
    (Redis down) is logged and the others still run, and the caller, whose change is committed,
    is answered with success."""
    transaction.on_commit(func, using=store_alias(), robust=True)


def in_transaction() -> bool:
    """Whether a change made now is part of a transaction in the document store (with a
    separate store, `default`'s transaction alone is not enough)."""
    if is_separate():
        connection = transaction.get_connection(store_alias())
        return bool(getattr(connection, "in_atomic_block_mongo", False) or connection.in_atomic_block)
    return transaction.get_connection().in_atomic_block


def _in_transaction() -> bool:
    """Whether either store is in a transaction (a caller further up owns the retries)."""
    return transaction.get_connection().in_atomic_block or in_transaction()


def is_transient(error: BaseException) -> bool:
    """Whether MongoDB said the transaction may succeed if run again (a write conflict with a
    concurrent transaction, a primary stepping down)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        has_label = getattr(error, "has_error_label", None)
        if has_label is not None and has_label("TransientTransactionError"):
            return True
        error = error.__cause__ or error.__context__
    return False


def _attempts() -> int:
    # SQL stores lock rows: a conflicting change waits instead of failing.
    return settings.DOCUMENT_TRANSACTION_ATTEMPTS if is_mongodb() else 1


def transactional(func):
    """Run `func` in `atomic()`. On MongoDB, where of two transactions that change one document
    the second is aborted (no row locks), the outermost call is run again, a few times, while
    the server calls the error transient."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if _in_transaction():  # the outermost call owns the retries
            with atomic():
                return func(*args, **kwargs)
        attempts = _attempts()
        for attempt in range(1, attempts + 1):
            try:
                with atomic():
                    return func(*args, **kwargs)
            except DatabaseError as error:
                if attempt == attempts or not is_transient(error):
                    raise
                log.info("transient document-store conflict in %s, attempt %d", func.__qualname__, attempt)
                time.sleep(min(0.005 * 2**attempt, 0.2))
        raise AssertionError("unreachable")

    return wrapper


def locked(queryset):
    """The rows of `queryset`, locked for the rest of the transaction. MongoDB has no row locks:
    there a concurrent change of the same document aborts one transaction (see transactional)."""
    if queryset.db == store_alias() and is_mongodb():
        return queryset
    return queryset.select_for_update()
