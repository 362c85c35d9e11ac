"""Forwarding headers, trusted only from configured proxies.

Behind a reverse proxy every connection comes from the proxy, so the client's address is in
`X-Forwarded-For`. A client can send that header too, so it is read only when the peer is one
of TRUSTED_PROXIES (networks); then the client is the nearest address in the header that is
not itself a trusted proxy. Everyone else's header is ignored: nobody can dodge per-address
rate limits or pass the /metrics allow-list by writing a header."""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings


@cache
def _networks(entries: tuple[str, ...]):
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def forwarded_client(peer: str, forwarded_for: str | None) -> str:
    """The client's address, given the connection's peer and its X-Forwarded-For."""
    if not forwarded_for or not is_trusted_proxy(peer):
        return peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        if not is_trusted_proxy(hop):
            return hop
    return peer


class TrustedProxyMiddleware:
    """ASGI middleware (HTTP and WebSocket): the scope's client and scheme as the trusted proxy
    saw them."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket") and scope.get("client") and settings.TRUSTED_PROXIES:
            peer, port = scope["client"]
            headers = dict(scope.get("headers") or [])
            forwarded = headers.get(b"x-forwarded-for")
            if forwarded is not None and is_trusted_proxy(peer):
                client = forwarded_client(peer, forwarded.decode("latin-1"))
                scope = dict(scope, client=(client, port))
                proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").strip()
                if proto in ("http", "https"):
                    scope["scheme"] = (
                        proto if scope["type"] == "http" else {"http": "ws", "https": "wss"}[proto]
                    )
        return await self.app(scope, receive, send)
