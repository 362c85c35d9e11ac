"""Untrusted JSON, bounded: REST bodies and WebSocket frames go through here.

A body larger than JSON_MAX_BYTES is refused before it is read (by its Content-Length) or as
soon as reading passes the limit; a document nested deeper than JSON_MAX_DEPTH is refused
after parsing (and one so deep that the parser itself recurses out is refused too), so no
later code walks a structure deep enough to exhaust the stack."""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework import exceptions, parsers

from .errors import CoreError


class JsonRejected(ValueError):
    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _too_deep(value, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def loads(text: str | bytes):
    """Parse untrusted JSON; JsonRejected (with a code) if it is not acceptable."""
    if len(text) > settings.JSON_MAX_BYTES:
        raise JsonRejected(CoreError.TOO_LARGE, f"JSON is at most {settings.JSON_MAX_BYTES} bytes.")
    try:
        value = json.loads(text)
    except RecursionError:
        value = None
        too_deep = True
    except ValueError as exc:
        raise JsonRejected(CoreError.MALFORMED_JSON, f"Not valid JSON: {exc}") from None
    else:
        too_deep = _too_deep(value, settings.JSON_MAX_DEPTH)
    if too_deep:
        raise JsonRejected(CoreError.TOO_DEEP, f"JSON is nested at most {settings.JSON_MAX_DEPTH} deep.")
    return value


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = CoreError.TOO_LARGE.value
    default_detail = "The body is too large."


class BoundedJSONParser(parsers.JSONParser):
    """DRF's JSON parser, bounded in size and depth (a 413 or a 400 with a code)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.JSON_MAX_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(f"A JSON body is at most {limit} bytes.")
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise PayloadTooLarge(f"A JSON body is at most {limit} bytes.")
        try:
            return loads(body.decode(parser_context.get("encoding", "utf-8") if parser_context else "utf-8"))
        except UnicodeDecodeError:
            raise exceptions.ParseError("The body is not UTF-8.") from None
        except JsonRejected as exc:
            # Malformed JSON keeps DRF's `parse_error`, the code REST clients already know.
            code = None if exc.code == CoreError.MALFORMED_JSON else exc.code
            raise exceptions.ParseError(exc.detail, code=code) from None
