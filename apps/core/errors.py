"""The one error shape of the API: `{"code": ..., "detail": ...}` (+ `fields` for input errors).

Services raise ApplicationError with a stable code from their app's `errors.py`; the DRF
exception handler (apps.core.exceptions) and the WebSocket consumer render it.
"""

from __future__ import annotations

from enum import StrEnum


class CoreError(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    PERMISSION_DENIED = "permission_denied"
    SERVER_ERROR = "server_error"
    MALFORMED_JSON = "malformed_json"
    TOO_LARGE = "too_large"
    TOO_DEEP = "too_deep"
    SERVICE_UNAVAILABLE = "service_unavailable"
    THROTTLED = "throttled"  # DRF's code for a 429, kept for every 429


class ApplicationError(Exception):
    def __init__(
        self,
        code: str,
        detail: str,
        *,
        status: int = 400,
        fields: dict[str, list[dict[str, str]]] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.code = str(code)
        self.detail = detail
        self.status = status
        self.fields = fields
        self.headers = headers or {}

    @classmethod
    def for_field(cls, field: str, code: str, detail: str, *, status: int = 400) -> ApplicationError:
        """An input error on one field, shaped like a serializer's validation error."""
        return cls(
            CoreError.INVALID,
            f"{field}: {detail}",
            status=status,
            fields={field: [{"code": str(code), "detail": detail}]},
        )

    def as_dict(self) -> dict:
        body: dict = {"code": self.code, "detail": self.detail}
        if self.fields:
            body["fields"] = self.fields
        return body


class NotFound(ApplicationError):
    def __init__(self, detail: str = "Not found.", code: str = CoreError.NOT_FOUND):
        super().__init__(code, detail, status=404)


class PermissionDenied(ApplicationError):
    def __init__(self, detail: str, code: str = CoreError.PERMISSION_DENIED):
        super().__init__(code, detail, status=403)


def is_outage(exc: BaseException) -> bool:
    """Whether `exc` says a store is unreachable (down, restarting, out of connections): the
    request may succeed later, so it is a 503 with Retry-After, never a 500."""
    from django.db import InterfaceError, OperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return isinstance(exc, (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError))


OUTAGE_DETAIL = "A service this needs is unavailable for a moment; retry shortly."
