"""The NATS bridge (`manage.py run_nats_bridge`): a durable JetStream pull consumer on every
domain event (`<EVENTS_SUBJECT_PREFIX>.>`) that hands each one to its handlers, which enqueue
the Celery tasks that do the work.

- An event is acked only after its handlers ran; a failure (the broker is down, ...) is nakked
  with a delay and comes back, at most NATS_BRIDGE_MAX_DELIVER times in all.
- Idempotent on the event id: an event handed on once is remembered (in the shared cache, as
  long as the stream keeps events); a redelivery of it is acked and not handed on again.
- Bad events (not JSON, no id, a payload its handler cannot use), events of a type nobody
  handles and events whose handlers failed NATS_BRIDGE_MAX_DELIVER times are parked in the
  dead-letter stream (`<NATS_STREAM>_DEAD`, subjects `<prefix>-dead.<subject>`, with the reason
  in headers), logged and counted, then acked: never retried for ever, never lost.
- NATS going away is waited out: the client reconnects by itself, and the loop re-creates its
  subscription when it has to. SIGTERM or SIGINT stop it between two events.
- Each event continues the trace of the request that caused it (`traceparent` in its headers).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections
from opentelemetry import propagate, trace

from apps.core.events import BadEvent, dead_letter_prefix, event_handlers, stream_ensure
from apps.core.metrics import (
    BRIDGE_CONSUMED,
    BRIDGE_DUPLICATES,
    BRIDGE_FAILED,
    BRIDGE_REDELIVERED,
)
from apps.core.tracing import tracer

logger = logging.getLogger(__name__)


def _done_key(durable: str, event_id: int) -> str:
    return f"bridge:{durable}:done:{event_id}"


def _dispatch(envelope: dict) -> None:
    """Run the handlers of one event (a worker thread: they may touch the database)."""
    close_old_connections()
    try:
        for handler in event_handlers(envelope["subject"]):
            handler(envelope)
    finally:
        close_old_connections()


def _parse(data: bytes, subject: str) -> dict:
    try:
        envelope = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadEvent("not JSON") from None
    if not isinstance(envelope, dict) or type(envelope.get("id")) not in (str, int) or not envelope["id"]:
        raise BadEvent("no event id")
    envelope["id"] = str(envelope["id"])[:64]  # ids were ints before they were opaque strings
    if not isinstance(envelope.get("payload"), dict):
        raise BadEvent("no payload object")
    return {**envelope, "subject": subject}


def _event_id(message) -> str | None:
    try:
        return _parse(message.data, message.subject)["id"]
    except BadEvent:
        return None


class Bridge:
    def __init__(
        self,
        *,
        url: str | None = None,
        durable: str | None = None,
        batch: int | None = None,
        stop: asyncio.Event | None = None,
    ):
        self.url = url or settings.NATS_URL
        self.durable = durable or settings.NATS_BRIDGE_DURABLE
        self.batch = batch or settings.NATS_BRIDGE_BATCH
        self.subject = f"{settings.EVENTS_SUBJECT_PREFIX}.>"
        self.stop = stop or asyncio.Event()
        self.client = None
        # Failed handlings by event id, oldest first: JetStream's delivery count of a nakked
        # message has been seen reported low (1 on its second delivery), and an event whose
        # last delivery is not recognised as its last is neither parked nor delivered again.
        self.failed: dict[str, int] = {}

    async def run(self) -> None:
        self.client = await self._connect()
        if self.client is None:
            return  # stopped before NATS could be reached
        try:
            while not self.stop.is_set():
                subscription = None
                try:
                    subscription = await self._subscribe()
                    await self._consume(subscription)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # NATS restarting, the consumer gone, ...: start over
                    if self.stop.is_set():
                        break
                    logger.warning("bridge lost its subscription", extra={"error": type(exc).__name__})
                    await self._pause(1.0)
                finally:
                    if subscription is not None:
                        with contextlib.suppress(Exception):  # the connection may be gone
                            await subscription.unsubscribe()
        finally:
            await self._close()

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self.stop.wait(), timeout=seconds)
        except TimeoutError:
            pass

    async def _connect(self):
        import nats

        async def disconnected():
            logger.warning("bridge disconnected from NATS; reconnecting")

        async def reconnected():
            logger.info("bridge reconnected to NATS")

        async def error(exc):
            logger.warning("NATS client error", extra={"error": type(exc).__name__})

        delay = 0.5
        while not self.stop.is_set():
            try:
                return await nats.connect(
                    self.url,
                    name="telegram-light bridge",
                    connect_timeout=settings.NATS_CONNECT_TIMEOUT,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5,
                    disconnected_cb=disconnected,
                    reconnected_cb=reconnected,
                    error_cb=error,
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning(
                    "NATS unreachable; retrying", extra={"error": type(exc).__name__, "retry_in_s": delay}
                )
                await self._pause(delay)
                delay = min(delay * 2, 10.0)
        return None

    async def _subscribe(self):
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        js = self.client.jetstream(timeout=settings.NATS_PUBLISH_TIMEOUT)
        await stream_ensure(js)
        subscription = await js.pull_subscribe(
            self.subject,
            durable=self.durable,
            stream=settings.NATS_STREAM,
            config=ConsumerConfig(
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                ack_wait=settings.NATS_BRIDGE_ACK_WAIT,
                max_deliver=settings.NATS_BRIDGE_MAX_DELIVER,
            ),
        )
        logger.info(
            "bridge consuming",
            extra={"subject": self.subject, "durable": self.durable, "stream": settings.NATS_STREAM},
        )
        return subscription

    async def _consume(self, subscription) -> None:
        import nats.errors

        idle = 0
        while not self.stop.is_set():
            try:
                # The next event as soon as it is there (a fetch of a batch that finds the stream
                # empty waits out its whole timeout for the batch to fill: measured, about 1 s
                # added to every push when events trickle in), then what else is there already.
                messages = await subscription.fetch(1, timeout=1)
            except nats.errors.TimeoutError:
                idle += 1
                if idle % 30 == 0:
                    await subscription.consumer_info()  # raises if the consumer was deleted
                continue
            with contextlib.suppress(nats.errors.TimeoutError):
                messages += await subscription.fetch(self.batch - 1, timeout=0.02)
            idle = 0
            await self._handle_batch(messages)

    async def _handle_batch(self, messages) -> None:
        """Events of different ids are independent: handled together, so a batch costs its
        slowest event, not the sum of all. A second copy of an id in the batch waits for the
        first (the check that it was handled already must see the first one's mark)."""
        first, again, seen = [], [], set()
        for message in messages:
            event_id = _event_id(message)
            (again if event_id is not None and event_id in seen else first).append(message)
            seen.add(event_id)
        results = await asyncio.gather(*(self.handle(message) for message in first), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result  # NATS went away mid-batch: resubscribe; unacked events come back
        for message in again:
            await self.handle(message)

    async def handle(self, message) -> None:
        """Hand one message on, then ack it (or nak it to come back)."""
        metadata = message.metadata
        try:
            envelope = _parse(message.data, message.subject)
        except BadEvent as exc:
            await self._drop(message, "bad_event", str(exc))
            return
        # JetStream's delivery count, or our own memory of a failure (a count reported low
        # has been seen with nakked messages).
        if metadata.num_delivered > 1 or envelope["id"] in self.failed:
            BRIDGE_REDELIVERED.inc()
        handlers = event_handlers(message.subject)
        if not handlers:
            await self._drop(message, "unknown_type", "no handler", event_id=envelope["id"])
            return
        done_key = _done_key(self.durable, envelope["id"])
        if await asyncio.to_thread(cache.get, done_key):
            BRIDGE_DUPLICATES.inc()
            await message.ack()
            return
        context = propagate.extract(dict(message.headers or {}))
        with tracer.start_as_current_span(
            f"process {message.subject}", context=context, kind=trace.SpanKind.CONSUMER
        ):
            try:
                await asyncio.to_thread(_dispatch, envelope)
            except BadEvent as exc:
                await self._drop(message, "bad_event", str(exc), event_id=envelope["id"])
                return
            except Exception as exc:
                BRIDGE_FAILED.labels(reason="error").inc()
                delivery = max(metadata.num_delivered, self._remember_failure(envelope["id"]))
                last = delivery >= settings.NATS_BRIDGE_MAX_DELIVER
                logger.error(
                    "event handler failed" + ("; giving up" if last else "; will retry"),
                    extra={
                        "subject": message.subject,
                        "event_id": envelope["id"],
                        "delivery": delivery,
                        "error": type(exc).__name__,
                    },
                )
                if last:
                    await self._drop(
                        message, "gave_up", type(exc).__name__, event_id=envelope["id"], delivery=delivery
                    )
                else:
                    await message.nak(delay=min(2.0**delivery, 60.0))
                return
        try:
            await asyncio.to_thread(cache.set, done_key, 1, int(settings.NATS_STREAM_MAX_AGE))
        except Exception:  # without the mark a redelivery is handed on again: at least once
            logger.warning("could not remember a handled event", extra={"event_id": envelope["id"]})
        await message.ack()
        self.failed.pop(envelope["id"], None)
        BRIDGE_CONSUMED.labels(subject=message.subject).inc()

    def _remember_failure(self, event_id: str) -> int:
        """Count one more failed handling of the event; how many this bridge has seen."""
        count = self.failed.pop(event_id, 0) + 1
        self.failed[event_id] = count
        while len(self.failed) > 10_000:  # the oldest first
            self.failed.pop(next(iter(self.failed)))
        return count

    async def _drop(
        self, message, reason: str, detail: str, event_id: str | None = None, delivery: int | None = None
    ) -> None:
        """Park the event in the dead-letter stream, then ack it. If parking fails (NATS went
        away), it is not acked: it comes back and is parked then."""
        BRIDGE_FAILED.labels(reason=reason).inc()
        logger.error(
            "event parked as a dead letter",
            extra={"subject": message.subject, "event_id": event_id, "reason": reason, "detail": detail},
        )
        suffix = message.subject.removeprefix(f"{settings.EVENTS_SUBJECT_PREFIX}.")
        headers = {
            "Tg-Dead-Reason": reason,
            "Tg-Dead-Detail": detail[:200],
            "Tg-Original-Subject": message.subject,
            "Tg-Deliveries": str(delivery or message.metadata.num_delivered),
        }
        await self.client.jetstream(timeout=settings.NATS_PUBLISH_TIMEOUT).publish(
            f"{dead_letter_prefix()}.{suffix}", message.data, headers=headers
        )
        await message.ack()

    async def _close(self) -> None:
        if self.client is not None and not self.client.is_closed:
            try:
                await asyncio.wait_for(self.client.drain(), timeout=5)
            except Exception:  # already gone: nothing left to flush
                await self.client.close()
