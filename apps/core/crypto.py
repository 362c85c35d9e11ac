"""Field encryption at rest (AES-256-GCM with key ids) and HMAC blind indexes.

A ciphertext is stored as text: `<key id>$<base64(nonce || ciphertext || tag)>`. New values are
encrypted with the newest key; any configured key decrypts, so keys rotate by putting a new key
first in FIELD_ENCRYPTION_KEYS and re-encrypting at leisure (`manage.py rotate_encryption_key`).

The associated data binds a ciphertext to where it lives (for fields, the column and the row:
`<app>.<model>.<field>#<row identity>`, apps.core.fields), so a value copied into another
column or another row does not decrypt there.

A blind index is HMAC-SHA256 over the normalised value: equal inputs give equal indexes, which
allows exact look-ups (log in or find a user by e-mail) without storing the value in clear.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import setting_changed
from django.dispatch import receiver

NONCE_BYTES = 12
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class DecryptionError(Exception):
    """A stored value could not be decrypted: unknown key id, wrong key or tampered data."""


@dataclass(frozen=True)
class Keyring:
    ciphers: dict[str, AESGCM]
    current_key_id: str
    blind_index_key: bytes
    # Per field-encryption key id, the key of the message search's index, derived from it: the
    # index rotates with the field keys (apps.chats.search).
    search_keys: dict[str, bytes]


def _b64decode(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{what} is not valid base64.") from exc


def _parse_keys(entries: list[str]) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for entry in entries:
        key_id, sep, encoded = entry.strip().partition(":")
        if not sep or not _KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS entries look like `k1:<base64 of 32 bytes>`; "
                "generate one with `python scripts/make_dotenv.py --print-key`."
            )
        key = _b64decode(encoded, f"FIELD_ENCRYPTION_KEYS entry {key_id!r}")
        if len(key) != 32:
            raise ImproperlyConfigured(f"Encryption key {key_id!r} must be 32 bytes (AES-256).")
        if key_id in keys:
            raise ImproperlyConfigured(f"Encryption key id {key_id!r} is listed twice.")
        keys[key_id] = key
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS lists no key.")
    return keys


@cache
def keyring() -> Keyring:
    entries = [e for e in settings.FIELD_ENCRYPTION_KEYS if e.strip()]
    keys = _parse_keys(entries)
    blind_key = _b64decode(settings.BLIND_INDEX_KEY, "BLIND_INDEX_KEY")
    if len(blind_key) < 32:
        raise ImproperlyConfigured("BLIND_INDEX_KEY must be at least 32 bytes.")
    return Keyring(
        ciphers={key_id: AESGCM(key) for key_id, key in keys.items()},
        current_key_id=next(iter(keys)),
        blind_index_key=blind_key,
        search_keys={key_id: _derived(key, "message-search") for key_id, key in keys.items()},
    )


def _derived(key: bytes, purpose: str) -> bytes:
    """A key for another use, derived from `key` (HMAC as a one-step KDF): knowing it tells
    nothing of `key`, and rotating `key` rotates it."""
    return hmac.new(key, f"telegram-light/{purpose}/v1".encode(), hashlib.sha256).digest()


@receiver(setting_changed)
def _reset_keyring(*, setting, **kwargs):
    if setting in {"FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"}:
        keyring.cache_clear()


def encrypt(plaintext: str, *, context: str) -> str:
    ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.ciphers[ring.current_key_id].encrypt(nonce, plaintext.encode(), context.encode())
    return f"{ring.current_key_id}${base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, context: str) -> str:
    key_id, sep, body = token.partition("$")
    cipher = keyring().ciphers.get(key_id)
    if not sep or cipher is None:
        raise DecryptionError(f"no configured key with id {key_id!r}")
    try:
        raw = base64.b64decode(body, validate=True)
        return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode()).decode()
    except (binascii.Error, ValueError, InvalidTag) as exc:
        raise DecryptionError(f"value under key {key_id!r} does not decrypt") from exc


def key_id_of(token: str) -> str:
    return token.partition("$")[0]


def is_current(token: str) -> bool:
    """True when the value is already encrypted with the newest key."""
    return key_id_of(token) == keyring().current_key_id


def normalize_email(value: str) -> str:
    return value.strip().lower()


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s().-]", "", value)


NORMALIZERS = {"email": normalize_email, "phone": normalize_phone}


def blind_index(value: str, *, kind: str) -> str:
    normalized = NORMALIZERS[kind](value)
    message = f"{kind}:{normalized}".encode()
    return hmac.new(keyring().blind_index_key, message, hashlib.sha256).hexdigest()


def seal_json(value, *, context: str) -> str:
    """A JSON-serialisable value, encrypted (for caches that Redis may persist)."""
    return encrypt(json.dumps(value, cls=DjangoJSONEncoder, separators=(",", ":")), context=context)


def open_json(token: str, *, context: str):
    return json.loads(decrypt(token, context=context))
