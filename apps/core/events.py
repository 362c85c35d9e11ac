"""Durable domain events: the outbox and its publisher.

`event_emit(name=..., payload=...)` records an event in the current transaction. After commit
a background thread publishes it: to NATS JetStream when NATS_URL is set (subject
`<EVENTS_SUBJECT_PREFIX>.<name>`, header `Nats-Msg-Id: <outbox id>`, so JetStream stores a
republished event once), else to the in-process bus (handlers registered with `@on_event`).
What could not be published stays in the outbox and `outbox_sweep` (beat, or
`manage.py outbox_sweep`) tries again: a NATS outage delays events, it never loses them.

Payloads carry ids and public facts, never message text: consumers load what they need.
"""

from __future__ import annotations

import asyncio
import json
import logging
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
    documents.on_commit(lambda: _publisher.submit(_publish_in_background, [event.pk]))
    return event


def _publish_in_background(event_ids: list[int]) -> None:
    close_old_connections()
    try:
        outbox_publish(event_ids=event_ids)
    except Exception:  # the sweep retries; a background thread must not die
        logger.exception("outbox publish failed")
    finally:
        close_old_connections()


def outbox_wait() -> None:
    """Block until everything handed to the background publisher so far has been tried."""
    _publisher.submit(lambda: None).result()


def outbox_publish(
    *, event_ids: list[int] | None = None, older_than: timedelta | None = None, limit: int = 500
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
    if settings.NATS_URL:
        if not nats_breaker.allow():
            return 0  # NATS is known to be down: the events wait in the outbox for the sweep
        acked, error = asyncio.run(_publish_jetstream(events))
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


async def _publish_jetstream(events: list[OutboxEvent]) -> tuple[list[int], str]:
    acked: list[int] = []
    try:
        client = await nats_connect(settings.NATS_URL, timeout=settings.NATS_CONNECT_TIMEOUT)
    except Exception as exc:
        return acked, f"connect: {type(exc).__name__}"
    try:
        js = client.jetstream(timeout=settings.NATS_PUBLISH_TIMEOUT)
        await stream_ensure(js)
        for event in events:
            with tracer.start_as_current_span(
                f"publish {event.subject}",
                context=propagate.extract(event.headers),
                kind=trace.SpanKind.PRODUCER,
            ):
                headers = {**current_trace_headers(), "Nats-Msg-Id": str(event.pk)}
                await js.publish(event.subject, json.dumps(envelope(event)).encode(), headers=headers)
            acked.append(event.pk)
    except Exception as exc:
        return acked, f"publish: {type(exc).__name__}"
    finally:
        await client.close()
    return acked, ""


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
