"""The HTTP side of the web role: Django's ASGI handler, with the middleware chain run as one
sync call in the request's thread.

Our views are sync (DRF) and so are some middlewares (WhiteNoise's), so under Django's own
ASGI handler every request crossed between the event loop and its thread four times: into the
thread for the sync middlewares, back to the loop for the async core, into the thread again
for the view, and back (seen in py-spy profiles, bench/README.md). Here the whole chain, view
included, runs in one call in the request's thread (`thread_sensitive`, the thread in which
Django also closes the response and returns database connections): two crossings."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncChainASGIHandler(ASGIHandler):
    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
