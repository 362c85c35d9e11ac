"""Forwarding headers count only from trusted proxies: a client that writes X-Forwarded-For
itself reaches neither /metrics nor another address's rate-limit bucket."""

from pathlib import Path

import pytest
from asgiref.testing import ApplicationCommunicator

from apps.core.proxy import forwarded_client
from telegram.asgi import application

ROOT = Path(__file__).resolve().parents[2]


async def _get(path: str, *, peer: str, headers: dict[str, str]) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            *((k.lower().encode(), v.encode()) for k, v in headers.items()),
        ],
        "client": (peer, 40000),
        "server": ("127.0.0.1", 8000),
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(timeout=5)
    await communicator.receive_output(timeout=5)  # the body
    return start["status"]


@pytest.mark.django_db
async def test_a_forged_forwarded_for_does_not_open_metrics(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2/32"]

    forged = await _get("/metrics", peer="203.0.113.9", headers={"X-Forwarded-For": "127.0.0.1"})
    through_proxy_from_outside = await _get(
        "/metrics", peer="10.0.0.2", headers={"X-Forwarded-For": "127.0.0.1, 198.51.100.7"}
    )
    loopback = await _get("/metrics", peer="127.0.0.1", headers={})

    assert forged == 403
    assert through_proxy_from_outside == 403
    assert loopback == 200


def test_the_client_is_the_nearest_untrusted_hop_and_only_behind_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]

    assert forwarded_client("203.0.113.9", "1.2.3.4") == "203.0.113.9"  # not a proxy: ignored
    assert forwarded_client("10.0.0.2", "1.2.3.4") == "1.2.3.4"
    assert forwarded_client("10.0.0.2", "6.6.6.6, 1.2.3.4, 10.0.0.5") == "1.2.3.4"  # forged prefix skipped
    settings.TRUSTED_PROXIES = []
    assert forwarded_client("10.0.0.2", "1.2.3.4") == "10.0.0.2"


def test_the_docker_web_role_does_not_trust_proxy_headers_from_anyone():
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text()
    compose = (ROOT / "docker" / "compose.yml").read_text()

    assert "--proxy-headers" not in entrypoint
    assert "TRUSTED_PROXIES: 172.30.0.10/32" in compose
