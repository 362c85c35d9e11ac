from celery import shared_task

from .events import outbox_sweep


@shared_task(ignore_result=True)
def outbox_sweep_task() -> int:
    """Periodic (beat): republish outbox events that were not published after commit."""
    return outbox_sweep()
