"""Our own Prometheus metrics, beside django-prometheus's (exported at /metrics)."""

from prometheus_client import REGISTRY, Counter, Gauge
from prometheus_client.core import GaugeMetricFamily

RATE_LIMIT_REJECTIONS = Counter(
    "tg_rate_limit_rejections_total", "Requests and frames refused by a rate limit", ["scope"]
)
MESSAGES_SENT = Counter("tg_messages_sent_total", "Chat messages stored", ["via"])
SOCKETS_OPEN = Gauge("tg_websockets_open", "WebSocket connections open in this process")
PUSHES_SENT = Counter("tg_pushes_sent_total", "Pushes accepted by the push service", ["kind"])
PUSHES_FAILED = Counter(
    "tg_pushes_failed_total",
    "Pushes not delivered: unregistered (device deactivated), rejected, gave_up (retries spent)",
    ["reason"],
)
BRIDGE_CONSUMED = Counter("tg_bridge_events_consumed_total", "Events the NATS bridge handed on", ["subject"])
BRIDGE_FAILED = Counter(
    "tg_bridge_events_failed_total",
    "Events the NATS bridge could not hand on: bad_event, unknown_type (acked), error (retried)",
    ["reason"],
)
BRIDGE_REDELIVERED = Counter("tg_bridge_events_redelivered_total", "Events NATS delivered again")
BRIDGE_DUPLICATES = Counter(
    "tg_bridge_events_duplicate_total", "Redelivered events already handed on (acked, not repeated)"
)


class OutboxBacklog:
    """Events not yet published, counted when Prometheus scrapes (one indexed query)."""

    NAME, HELP = "tg_outbox_backlog", "Domain events waiting in the outbox"

    def describe(self):
        # Without describe(), registering calls collect(): a query at import, in every process.
        return [GaugeMetricFamily(self.NAME, self.HELP)]

    def collect(self):
        from django.db import connections, router

        from .models import OutboxEvent

        connection = connections[router.db_for_read(OutboxEvent)]  # the document store

        gauge = GaugeMetricFamily(self.NAME, self.HELP)
        try:
            gauge.add_metric([], OutboxEvent.objects.filter(published_at__isnull=True).count())
        except Exception:  # no database at scrape time: leave the gauge out of this scrape
            return []
        finally:
            # prometheus_client's own server (bridge, worker) scrapes in a new thread each time:
            # give its connection back, or every scrape would keep one.
            if not connection.in_atomic_block:
                connection.close()
        return [gauge]


REGISTRY.register(OutboxBacklog())
