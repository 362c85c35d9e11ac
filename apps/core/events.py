"""Durable domain events: the outbox and its publisher.

`event_emit(name=..., payload=...)` records an event in the current transaction. After commit
a background thread publishes it: to NATS JetStream when NATS_URL is set (subject
`<EVENTS_SUBJECT_PREFIX>.<name>`, header `Nats-Msg-Id: <outbox id>`, so JetStream stores a
republished event once; one connection per process, kept open), else to the in-process bus
(handlers registered with `@on_event`).
What could not be published stays in the outbox and `outbox_sweep` (beat, or
`manage.py outbox_sweep`) tries again: a NATS outage delays events, it never loses them.

Payloads carry ids and public facts, never message text: consumers load what they need.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections
from django.db.models import F
from django.utils import timezone
from opentelemetry import propagate, trace

from . import documents
from .breaker import nats_breaker
from .models import OutboxEvent
from .natsclient import nats_connect
from .tracing import current_trace_headers, tracer

logger = logging.getLogger(__name__)

_handlers: dict[str, list[Callable[[dict], None]]] = defaultdict(list)
_publisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox")
_streams_ready: set[tuple[str, str]] = set()


def subject_for(name: str) -> str:
    return f"{settings.EVENTS_SUBJECT_PREFIX}.{name}"


class BadEvent(Exception):
    """An event that cannot be handled as it is (a payload without what it needs): it is
    logged, counted and acknowledged, never retried."""


def on_event(name: str):
    """Register a handler of event `name`. Handlers are quick and idempotent on the event id:
    they enqueue the Celery task that does the work. They run in the outbox publisher (the
    in-process bus, when NATS_URL is not set) or in `manage.py run_nats_bridge`."""

    def register(handler):
        _handlers[subject_for(name)].append(handler)
        return handler

    return register


def event_handlers(subject: str) -> list[Callable[[dict], None]]:
    return list(_handlers.get(subject, []))


def event_payload(envelope: dict, **fields: type) -> dict:
    """The payload's `fields`, each of its type, or BadEvent."""
    payload = envelope.get("payload")
    if not isinstance(payload, dict):
        raise BadEvent("the payload is not an object")
    for field, kind in fields.items():
        value = payload.get(field)
        if not isinstance(value, kind) or isinstance(value, bool) != (kind is bool):
            raise BadEvent(f"payload.{field} is missing or not {kind.__name__}")
    return payload


def envelope(event: OutboxEvent) -> dict:
    return {
        "id": str(event.pk),  # opaque: an int in SQL, an ObjectId in MongoDB
        "subject": event.subject,
        "occurred_at": event.created_at.isoformat(),
        "payload": event.payload,
    }


def event_emit(*, name: str, payload: dict) -> OutboxEvent:
    """Record an event in the current transaction; it is published after commit."""
    event = OutboxEvent.objects.create(
        subject=subject_for(name), payload=payload, headers=current_trace_headers()
    )
    documents.on_commit(lambda: _publish_soon(event))
    return event


# Events committed and not yet handed to the publisher thread. Those committed while it works
# are published together on its next round, straight from the rows written (no query to find
# them again). Measured at 50 events a second: one event a round, each with a query and a
# connection of its own, fell seconds behind.
_pending: list[OutboxEvent] = []
_pending_lock = threading.Lock()
_PUBLISH_CHUNK = 500


def _publish_soon(event: OutboxEvent) -> None:
    with _pending_lock:
        _pending.append(event)
        if len(_pending) > 1:
            return  # a round is scheduled already and will take this one too
    _publisher.submit(_publish_pending)


def _publish_pending() -> None:
    with _pending_lock:
        events = _pending[:]
        _pending.clear()
    close_old_connections()
    try:
        for start in range(0, len(events), _PUBLISH_CHUNK):
            _publish(events[start : start + _PUBLISH_CHUNK])
    except Exception:  # the sweep retries; a background thread must not die
        logger.exception("outbox publish failed")
    finally:
        close_old_connections()


def outbox_wait() -> None:
    """Block until everything handed to the background publisher so far has been tried."""
    _publisher.submit(lambda: None).result()


def outbox_publish(
    *, event_ids: list[int] | None = None, older_than: timedelta | None = None, limit: int = _PUBLISH_CHUNK
) -> int:
    """Publish unpublished events (these ids, or all older than `older_than`); returns how many
    were acknowledged."""
    queryset = OutboxEvent.objects.filter(published_at__isnull=True).order_by("id")
    if event_ids is not None:
        queryset = queryset.filter(pk__in=event_ids)
    if older_than is not None:
        queryset = queryset.filter(created_at__lte=timezone.now() - older_than)
    events = list(queryset[:limit])
    if not events:
        return 0
    return _publish(events)


def _publish(events: list[OutboxEvent]) -> int:
    """Publish these events and mark those acknowledged; how many were."""
    if settings.NATS_URL:
        if not nats_breaker.allow():
            return 0  # NATS is known to be down: the events wait in the outbox for the sweep
        acked, error = _jetstream.publish(events)
        if error:
            nats_breaker.failure()
        else:
            nats_breaker.success()
    else:
        acked, error = _publish_in_process(events)
    if acked:
        OutboxEvent.objects.filter(pk__in=acked).update(published_at=timezone.now())
    acked_ids = set(acked)
    failed = [event.pk for event in events if event.pk not in acked_ids]
    if failed:
        OutboxEvent.objects.filter(pk__in=failed).update(attempts=F("attempts") + 1, last_error=error[:200])
        logger.warning("events left in the outbox", extra={"count": len(failed), "error": error[:200]})
    return len(acked)


def _publish_in_process(events: list[OutboxEvent]) -> tuple[list[int], str]:
    acked = []
    for event in events:
        try:
            for handler in event_handlers(event.subject):
                handler(envelope(event))
        except BadEvent as exc:
            logger.error(
                "bad event dropped", extra={"subject": event.subject, "event_id": event.pk, "error": str(exc)}
            )
        except Exception as exc:
            logger.exception("in-process event handler failed", extra={"subject": event.subject})
            return acked, type(exc).__name__
        acked.append(event.pk)
    return acked, ""


class _JetStreamPublisher:
    """One NATS connection per process, kept open on an event loop of its own (a thread), for
    every publishing thread: no connection and no event loop made per round. A round's events
    are published concurrently and each waits for its JetStream ack. After an error the
    connection is dropped and the next round connects again (failing fast: apps.core.natsclient)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client = None
        self._url = None
        self._connecting = asyncio.Lock()

    def publish(self, events: list[OutboxEvent]) -> tuple[list[int], str]:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                self._loop = asyncio.new_event_loop()
                threading.Thread(target=self._loop.run_forever, name="nats-publisher", daemon=True).start()
        future = asyncio.run_coroutine_threadsafe(self._publish(events), self._loop)
        budget = settings.NATS_CONNECT_TIMEOUT + 1 + settings.NATS_PUBLISH_TIMEOUT * 2
        try:
            return future.result(timeout=budget)
        except TimeoutError:
            future.cancel()
            return [], "publish: timeout"

    async def _connected(self):
        async with self._connecting:  # two rounds at once (the sweep's and the publisher's): one connection
            if self._client is not None and (self._client.is_closed or self._url != settings.NATS_URL):
                await self._drop()
            if self._client is None:
                self._client = await nats_connect(settings.NATS_URL, timeout=settings.NATS_CONNECT_TIMEOUT)
                self._url = settings.NATS_URL
            return self._client

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None and not client.is_closed:
            with contextlib.suppress(Exception):
                await client.close()

    async def _publish(self, events: list[OutboxEvent]) -> tuple[list[int], str]:
        try:
            client = await self._connected()
        except Exception as exc:
            return [], f"connect: {type(exc).__name__}"
        js = client.jetstream(timeout=settings.NATS_PUBLISH_TIMEOUT)
        try:
            await stream_ensure(js)
        except Exception as exc:
            await self._drop()
            return [], f"publish: {type(exc).__name__}"
        results = await asyncio.gather(*(self._one(js, event) for event in events), return_exceptions=True)
        acked = [event.pk for event, result in zip(events, results, strict=True) if result is None]
        errors = [result for result in results if isinstance(result, BaseException)]
        if errors:
            await self._drop()
            return acked, f"publish: {type(errors[0]).__name__}"
        return acked, ""

    @staticmethod
    async def _one(js, event: OutboxEvent) -> None:
        with tracer.start_as_current_span(
            f"publish {event.subject}", context=propagate.extract(event.headers), kind=trace.SpanKind.PRODUCER
        ):
            headers = {**current_trace_headers(), "Nats-Msg-Id": str(event.pk)}
            await js.publish(event.subject, json.dumps(envelope(event)).encode(), headers=headers)


_jetstream = _JetStreamPublisher()


async def stream_ensure(js) -> None:
    """Create the events stream if it does not exist yet (once per process)."""
    key = (settings.NATS_URL, settings.NATS_STREAM)
    if key in _streams_ready:
        return
    from nats.js.api import StreamConfig
    from nats.js.errors import NotFoundError

    streams = {
        settings.NATS_STREAM: f"{settings.EVENTS_SUBJECT_PREFIX}.>",
        # Events the bridge gave up on (apps.notifications.bridge), kept for an operator.
        dead_letter_stream(): f"{dead_letter_prefix()}.>",
    }
    for name, subjects in streams.items():
        try:
            await js.stream_info(name)
        except NotFoundError:
            await js.add_stream(
                StreamConfig(
                    name=name,
                    subjects=[subjects],
                    duplicate_window=settings.NATS_DUPLICATE_WINDOW,
                    max_age=settings.NATS_STREAM_MAX_AGE,
                )
            )
    _streams_ready.add(key)


def dead_letter_stream() -> str:
    return f"{settings.NATS_STREAM}_DEAD"


def dead_letter_prefix() -> str:
    """Outside `<EVENTS_SUBJECT_PREFIX>.>`, so the bridge never consumes its own dead letters."""
    return f"{settings.EVENTS_SUBJECT_PREFIX}-dead"


def outbox_sweep() -> int:
    """Publish what was not published after commit (NATS was down, or a process died)."""
    return outbox_publish(older_than=timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS))
