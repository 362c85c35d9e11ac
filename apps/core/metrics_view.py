"""/metrics, for Prometheus only: a bearer token (METRICS_TOKEN) or an allow-listed peer
address (METRICS_ALLOWED_IPS, loopback by default)."""

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpResponse
from django_prometheus.exports import ExportToDjangoView


def _allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        peer in ipaddress.ip_network(network, strict=False) for network in settings.METRICS_ALLOWED_IPS
    )


def metrics(request):
    if not _allowed(request):
        return HttpResponse(
            "Forbidden: metrics are for the monitoring system.\n", status=403, content_type="text/plain"
        )
    return ExportToDjangoView(request)
