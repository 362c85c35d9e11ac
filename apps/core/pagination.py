"""Keyset cursors: `Cursor(datetime, int)` encodes a page's last key as text a schema can state
("1796069095123456.42": microseconds since the epoch, then the id), and `CursorField` reads one
in an input serializer, with its pattern in the API schema."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from .errors import ApplicationError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Every text that matches a part's pattern decodes: 17 digits of microseconds reach the year
# 5138 (datetime's limit is 9999), 18 digits of id stay inside a bigint.
_PARTS = {datetime: r"[0-9]{1,17}", int: r"[0-9]{1,18}"}


class Cursor:
    def __init__(self, *kinds: type):
        self.kinds = kinds
        self.pattern = "^" + r"\.".join(_PARTS[kind] for kind in kinds) + "$"
        self._regex = re.compile(self.pattern)

    def encode(self, *parts) -> str:
        return ".".join(
            str((part - _EPOCH) // timedelta(microseconds=1)) if isinstance(part, datetime) else str(part)
            for part in parts
        )

    def decode(self, text: str) -> tuple:
        if not isinstance(text, str) or not self._regex.fullmatch(text):
            raise ApplicationError("invalid_cursor", "This cursor is not one we gave out.")
        return tuple(
            _EPOCH + timedelta(microseconds=int(part)) if kind is datetime else int(part)
            for kind, part in zip(self.kinds, text.split("."), strict=True)
        )


class CursorField(serializers.Field):
    """A query's cursor (the `next` of the previous page), decoded to its parts."""

    def __init__(self, cursor: Cursor, **kwargs):
        self.cursor = cursor
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return self.cursor.decode(data)

    def to_representation(self, value):
        return self.cursor.encode(*value)


class CursorFieldSchema(OpenApiSerializerFieldExtension):
    target_class = CursorField

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "pattern": self.target.cursor.pattern}
