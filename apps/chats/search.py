"""Search in one's chats over encrypted text: a blind index of words.

A message's text is stored encrypted, so it cannot be searched as stored. Beside it, the index
keeps one row per distinct *term* of the message: each word, normalised (NFKC, case-folded),
and each of its prefixes of MIN_TERM letters and more (up to MAX_TERM), as a keyed hash
(HMAC-SHA256 under a key derived from the current field-encryption key, truncated to 16 bytes,
prefixed with that key's id). A query's words are hashed the same way, under every configured
key (so a rotation half done still finds everything), and a message matches when it has every
one of them. Words shorter than MIN_TERM are not indexed.

The index changes in the transaction that changes the text: a message's terms are written with
it, replaced when it is edited, removed when it is deleted for everyone or taken down. What a
database dump reveals is said in docs/architecture.md ("Search over encrypted messages")."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata

from apps.core import crypto

from .models import MessageTerm

MIN_TERM = 3
MAX_TERM = 16
MAX_QUERY_WORDS = 8
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def terms(text: str) -> set[str]:
    """Every word of MIN_TERM letters or more, and its prefixes down to MIN_TERM letters."""
    found: set[str] = set()
    for word in words(text):
        for length in range(MIN_TERM, min(len(word), MAX_TERM) + 1):
            found.add(word[:length])
    return found


def query_terms(q: str) -> list[str]:
    """The terms a query asks for: each word of MIN_TERM letters or more (a longer one cut to
    MAX_TERM, as it was indexed), in order, once."""
    return list(dict.fromkeys(word[:MAX_TERM] for word in words(q) if len(word) >= MIN_TERM))[
        :MAX_QUERY_WORDS
    ]


def token(term: str, *, key_id: str, key: bytes) -> str:
    digest = hmac.new(key, term.encode(), hashlib.sha256).digest()[:16]
    return f"{key_id}.{base64.urlsafe_b64encode(digest).decode().rstrip('=')}"


def tokens_now(text: str) -> list[str]:
    """The tokens a text is indexed under now (the current key)."""
    ring = crypto.keyring()
    key_id = ring.current_key_id
    key = ring.search_keys[key_id]
    return [token(term, key_id=key_id, key=key) for term in terms(text)]


def tokens_any_key(term: str) -> list[str]:
    """A term's token under every configured key: what a message indexed under any may hold."""
    return [token(term, key_id=key_id, key=key) for key_id, key in crypto.keyring().search_keys.items()]


def index(message) -> None:
    """Index a new message's text (in its transaction)."""
    if message.text:
        MessageTerm.objects.bulk_create(
            [
                MessageTerm(chat_id=message.chat_id, message_id=message.pk, token=t)
                for t in tokens_now(message.text)
            ]
        )


def reindex(message) -> None:
    """Its text changed (edited, erased): its terms are the new text's (in its transaction)."""
    MessageTerm.objects.filter(message_id=message.pk).delete()
    if not message.deleted:
        index(message)


def matching_ids(*, chat_ids, q_terms: list[str], before_id=None, limit: int):
    """Ids of messages of `chat_ids` holding every term, newest first (ids grow with time in
    both stores), at most `limit`, older than `before_id` when given."""
    matches = MessageTerm.objects.filter(chat_id__in=list(chat_ids))
    if before_id is not None:
        matches = matches.filter(message_id__lt=before_id)
    found = matches.filter(token__in=tokens_any_key(q_terms[0]))
    for term in q_terms[1:]:
        found = found.filter(
            message_id__in=matches.filter(token__in=tokens_any_key(term)).values("message_id")
        )
    return list(found.order_by("-message_id").values_list("message_id", flat=True).distinct()[:limit])
