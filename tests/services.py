"""Which real services the suite was pointed at, and whether they answer.

Tests that need one are marked (`@pytest.mark.redis`, ...). Without the service such a test is
skipped, saying which variable to set; with CI=true it fails instead, so CI can never pass by
skipping.
"""

from __future__ import annotations

import os
import socket
from functools import cache
from urllib.parse import urlparse

CI = os.environ.get("CI", "").lower() == "true"

SERVICE_VARIABLES = {
    "postgres": "DATABASE_URL",
    "redis": "REDIS_URL",
    "nats": "NATS_URL",
}
DEFAULT_PORTS = {"postgres": 5432, "redis": 6379, "nats": 4222}


def service_url(service: str) -> str:
    return os.environ.get(SERVICE_VARIABLES[service], "")


@cache
def service_problem(service: str) -> str | None:
    """None when the service is configured and reachable, else what is wrong."""
    variable = SERVICE_VARIABLES[service]
    url = service_url(service)
    if not url:
        return f"{variable} is not set"
    parsed = urlparse(url)
    if service == "postgres" and not parsed.scheme.startswith("postgres"):
        return f"{variable} does not point at PostgreSQL"
    host, port = parsed.hostname or "127.0.0.1", parsed.port or DEFAULT_PORTS[service]
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as exc:
        return f"{service} at {host}:{port} does not answer ({exc.strerror or exc})"
    return None
