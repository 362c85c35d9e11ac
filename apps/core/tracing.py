"""OpenTelemetry tracing: off unless configured by the standard OTEL_* variables
(OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, ...). When on, Django, psycopg, Redis and
Celery are traced, and domain events carry the trace context of the request that caused them
through the outbox into their NATS headers (`traceparent`), for the consumers to continue."""

from __future__ import annotations

from django.conf import settings
from opentelemetry import propagate, trace

tracer = trace.get_tracer("telegram-light")
_configured = False


def tracing_setup(*, exporter=None) -> bool:
    """Install the tracer provider and the instrumentations, once. `exporter` replaces the OTLP
    exporter (tests use an in-memory one)."""
    global _configured
    if _configured or not (settings.TRACING_ENABLED or exporter is not None):
        return _configured
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": settings.OTEL_SERVICE_NAME}))
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    DjangoInstrumentor().instrument(tracer_provider=provider)
    PsycopgInstrumentor().instrument(tracer_provider=provider, enable_commenter=False)
    RedisInstrumentor().instrument(tracer_provider=provider)
    CeleryInstrumentor().instrument(tracer_provider=provider)
    _configured = True
    return True


def current_trace_headers() -> dict[str, str]:
    """The active trace context as W3C headers (empty when nothing is traced)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier
