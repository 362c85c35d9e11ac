"""The Celery app of the `worker` and `beat` roles (`celery -A telegram worker`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telegram.settings.local")

app = Celery("telegram")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
