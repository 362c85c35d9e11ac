"""Scheduled messages' Celery tasks (apps.chats.services.scheduled): the sweep that beat runs
every second, and the timer of one message due within the next seconds."""

from celery import shared_task

from apps.core import documents

from .services import scheduled


@shared_task(ignore_result=True)
def scheduled_sweep() -> int:
    return scheduled.scheduled_sweep()


@shared_task(ignore_result=True)
def scheduled_deliver_task(scheduled_id: str) -> bool:
    return scheduled.scheduled_deliver(documents.parse_id(scheduled_id))
