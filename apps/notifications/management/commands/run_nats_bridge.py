import asyncio
import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.notifications.bridge import Bridge


class Command(BaseCommand):
    help = (
        "Run the NATS bridge: a durable JetStream consumer of every domain event that enqueues the "
        "Celery task handling it. Runs until SIGTERM or SIGINT."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--durable", default=settings.NATS_BRIDGE_DURABLE, help="the durable consumer's name"
        )
        parser.add_argument("--batch", type=int, default=settings.NATS_BRIDGE_BATCH, help="events per fetch")
        parser.add_argument(
            "--metrics-port",
            type=int,
            default=settings.BRIDGE_METRICS_PORT,
            help="serve Prometheus metrics on this port (0: none)",
        )
        parser.add_argument("--metrics-address", default="0.0.0.0", help="address of the metrics port")  # noqa: S104

    def handle(self, *args, durable, batch, metrics_port, metrics_address, **options):
        if not settings.NATS_URL:
            raise CommandError(
                "NATS_URL is not set: without NATS, events go through the in-process bus and need no "
                "bridge. Set NATS_URL (for example nats://127.0.0.1:4222) to run it."
            )
        if metrics_port:
            from prometheus_client import start_http_server

            try:
                start_http_server(metrics_port, addr=metrics_address)
            except OSError as exc:
                raise CommandError(
                    f"cannot serve metrics on {metrics_address}:{metrics_port} ({exc.strerror}); "
                    "choose another --metrics-port, or 0 for none"
                ) from None
        self.stdout.write(
            f"bridge: consuming {settings.EVENTS_SUBJECT_PREFIX}.> from stream {settings.NATS_STREAM} "
            f"as {durable!r}" + (f"; metrics on :{metrics_port}" if metrics_port else "")
        )
        asyncio.run(self._run(durable=durable, batch=batch))
        self.stdout.write("bridge: stopped")

    async def _run(self, *, durable: str, batch: int) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await Bridge(durable=durable, batch=batch, stop=stop).run()
