"""The Celery app of the `worker` and `beat` roles (`celery -A telegram worker`)."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telegram.settings.local")

app = Celery("telegram")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _serve_metrics(**_):
    """A worker's Prometheus metrics (pushes sent and failed, ...) on WORKER_METRICS_PORT. Run the
    worker with `--pool threads` (the default of docker/): a forked pool's children would count
    where this server cannot see."""
    from django.conf import settings

    if settings.WORKER_METRICS_PORT:
        from prometheus_client import start_http_server

        start_http_server(settings.WORKER_METRICS_PORT)
