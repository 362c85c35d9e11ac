"""Tracing: one request's trace reaches the NATS message its change published."""

import asyncio

import pytest
from opentelemetry.trace import SpanKind

from apps.broadcasts import services
from apps.core import events, tracing
from tests.core.test_events import _stream_messages, jetstream  # noqa: F401 (a fixture)
from tests.factories import UserFactory

pytestmark = [pytest.mark.nats, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def spans():
    from django.db import connections
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    assert tracing.tracing_setup(exporter=exporter)
    connections.close_all()  # psycopg is traced from the next connection on
    yield exporter
    for instrumentor in (DjangoInstrumentor, PsycopgInstrumentor, RedisInstrumentor, CeleryInstrumentor):
        instrumentor().uninstrument()
    tracing._configured = False


def post_through_the_api(spans, client_for, handle: str) -> None:
    """A new post by its channel's owner, through the API, its event published; spans cleared before."""
    owner = UserFactory()
    channel = services.channel_create(owner=owner, handle=handle, title="Traced")
    spans.clear()
    response = client_for(owner).post(
        f"/api/v1/channels/{channel.id}/posts/", {"text": "hello"}, format="json"
    )
    events.outbox_wait()
    assert response.status_code == 201


def request_and_publish_spans(finished):
    (request_span,) = [s for s in finished if s.kind == SpanKind.SERVER and "posts" in s.name]
    (publish_span,) = [s for s in finished if s.name.startswith("publish ")]
    return request_span, publish_span


def test_a_posts_trace_runs_from_the_request_to_the_nats_message(spans, jetstream, client_for):  # noqa: F811
    post_through_the_api(spans, client_for, "traced_news")

    finished = spans.get_finished_spans()
    request_span, publish_span = request_and_publish_spans(finished)
    trace_id = f"{request_span.context.trace_id:032x}"
    assert publish_span.context.trace_id == request_span.context.trace_id
    assert publish_span.kind == SpanKind.PRODUCER
    assert any(
        s.name.startswith(("INSERT", "UPDATE")) and s.context.trace_id == request_span.context.trace_id
        for s in finished
    )
    (message,) = asyncio.run(_stream_messages(jetstream))
    assert message.headers["traceparent"].split("-")[1] == trace_id


def test_the_trace_continues_in_the_bridge_and_the_task_it_enqueues(spans, jetstream, client_for):  # noqa: F811
    from apps.notifications.bridge import Bridge

    post_through_the_api(spans, client_for, "traced_bridge")

    async def consume_until_processed():
        stop = asyncio.Event()
        bridge = asyncio.create_task(Bridge(durable="tracing", stop=stop).run())
        async with asyncio.timeout(15):
            while not any(s.name.startswith("process ") for s in spans.get_finished_spans()):
                await asyncio.sleep(0.05)
        stop.set()
        await bridge

    asyncio.run(consume_until_processed())

    finished = spans.get_finished_spans()
    request_span, publish_span = request_and_publish_spans(finished)
    (process_span,) = [s for s in finished if s.name.startswith("process ")]
    assert process_span.kind == SpanKind.CONSUMER
    assert process_span.context.trace_id == request_span.context.trace_id
    assert process_span.parent.span_id == publish_span.context.span_id
    task_spans = [s for s in finished if "channel_post_fanout" in s.name]
    assert task_spans, [s.name for s in finished]
    assert {s.context.trace_id for s in task_spans} == {request_span.context.trace_id}
