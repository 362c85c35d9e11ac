"""Structured logs: one JSON object a line, each with the id of the request (or socket) it
belongs to. Never tokens, passwords or message text: nothing logs them, and as a safety net
anything shaped like a JWT is redacted from every line."""

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

# LogRecord attributes that are not `extra=` fields.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_JWT = re.compile(r"eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def new_request_id(candidate: str | None = None) -> str:
    """A client's own id if it is well formed, else a fresh one."""
    return candidate if candidate and _VALID_ID.match(candidate) else uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            # Django's own request log lines come after the middleware: their record has the request.
            "request_id": request_id.get() or getattr(getattr(record, "request", None), "id", None),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return _JWT.sub("[redacted-jwt]", json.dumps(entry, default=str))


class TextFormatter(logging.Formatter):
    """One readable line a record, for a person watching `make run`: time, level, logger,
    message, then the extra fields as key=value and the request id. Redacted as the JSON."""

    def format(self, record: logging.LogRecord) -> str:
        time = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        extras = " ".join(
            f"{key}={value}"
            for key, value in vars(record).items()
            if key not in _STANDARD and not key.startswith("_") and key != "request"
        )
        rid = request_id.get() or getattr(getattr(record, "request", None), "id", None)
        line = f"{time} {record.levelname:<7} {record.name}: {record.getMessage()}"
        line += f"  {extras}" if extras else ""
        line += f"  [{rid[:8]}]" if rid else ""
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return _JWT.sub("[redacted-jwt]", line)


class RequestIdMiddleware:
    """Gives each request an id (the client's X-Request-ID if well formed), for every log line
    written while it runs, and returns it in the X-Request-ID header."""

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = new_request_id(request.headers.get("X-Request-ID"))
        token = request_id.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = request.id
        return response
