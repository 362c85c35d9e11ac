"""What `manage.py purge_expired` deletes. Each app registers, in its AppConfig.ready(), a
function that returns the queryset of its expired rows; core only batches and reports, and
never reaches into another app's tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db.models import QuerySet

PURGES: dict[str, Callable[[datetime], QuerySet]] = {}


def register_purge(label: str, expired: Callable[[datetime], QuerySet]) -> None:
    PURGES[label] = expired
