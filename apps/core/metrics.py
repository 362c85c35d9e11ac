"""Our own Prometheus metrics, beside django-prometheus's (exported at /metrics)."""

from prometheus_client import Counter

RATE_LIMIT_REJECTIONS = Counter(
    "tg_rate_limit_rejections_total", "Requests and frames refused by a rate limit", ["scope"]
)
