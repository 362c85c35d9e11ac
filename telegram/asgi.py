"""The `web` role: `daphne telegram.asgi:application` serves HTTP (Django + DRF) and the
WebSocket at /ws/ (Channels) from one process."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telegram.settings.local")

# Django must be set up before anything imports models.
django.setup(set_prefix=False)

from telegram.daphne_requests import leave_bodies_to_django  # noqa: E402
from telegram.handlers import SyncChainASGIHandler  # noqa: E402
from telegram.warm import share_caches, start_local_sweeps  # noqa: E402

share_caches()
start_local_sweeps()
leave_bodies_to_django()

django_asgi_app = SyncChainASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from apps.accounts.ws_auth import JWTAuthMiddleware  # noqa: E402
from apps.core.proxy import TrustedProxyMiddleware  # noqa: E402
from telegram.routing import websocket_urlpatterns  # noqa: E402

# No OriginValidator: sockets authenticate with a bearer token, never a cookie, so a foreign
# page cannot ride on a user's session; and native clients send no Origin header at all.
# Forwarding headers count only from TRUSTED_PROXIES (daphne itself is run without
# --proxy-headers, which would trust them from anyone).
application = TrustedProxyMiddleware(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": JWTAuthMiddleware(URLRouter(websocket_urlpatterns)),
        }
    )
)
