"""Push fan-out, as Celery tasks (the `worker` role).

An event becomes one planning task (`channel_post_fanout`, `chat_message_push`) that walks the
devices to notify page by page and enqueues one `push_send_batch` per page of at most
PUSH_BATCH_SIZE (FCM's multicast limit) device ids. A batch that fails for a passing reason is
retried, only for the devices that failed, with exponential backoff; while the push breaker
is open, batches wait instead of calling FCM.

Planning is resumable and idempotent on the event id: the last device id handed on is kept in
the cache, so a retried or repeated task goes on from there instead of notifying twice."""

from __future__ import annotations

import logging
from dataclasses import asdict

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from redis.exceptions import RedisError

from apps.broadcasts.selectors import post_announcement
from apps.chats.selectors import chat_kind_title, members_of, message_brief
from apps.core.breaker import push_breaker
from apps.core.metrics import PUSHES_FAILED, PUSHES_SENT
from apps.profiles.selectors import profile_get

from . import selectors
from .push import Push, PushUnavailable, push_backend

logger = logging.getLogger(__name__)

_DONE = -1
_PROGRESS_TTL = 7 * 24 * 3600


# A planning task that meets a store that is down (the database, the cache, the broker) runs
# again later, with backoff: planning is resumable, so nobody is notified twice.
_PLANNING_RETRY = {
    "autoretry_for": (DatabaseError, RedisError, OSError),
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 8,
}


def _progress_key(event_id: str) -> str:
    return f"push:fanout:{event_id}"


def _plan(*, event_id: str, push: Push, pages) -> int:
    """Enqueue a batch per page; `pages(after_id)` gives the next page of device ids."""
    key = _progress_key(event_id)
    after = cache.get(key, 0)
    if after == _DONE:
        return 0
    batches = 0
    while page := pages(after):
        push_send_batch.delay(device_ids=page, push=asdict(push))
        after = page[-1]
        cache.set(key, after, timeout=_PROGRESS_TTL)
        batches += 1
    cache.set(key, _DONE, timeout=_PROGRESS_TTL)
    return batches


@shared_task(ignore_result=True, acks_late=True, **_PLANNING_RETRY)
def channel_post_fanout(*, event_id: str, channel_id: int, post_id: str) -> int:
    """Notify the subscribers of a new post; returns how many batches were enqueued."""
    post = post_announcement(channel_id=channel_id, post_id=post_id)
    if post is None:
        return 0  # deleted or taken down meanwhile: nothing to announce
    push = Push(
        kind="channel_post",
        title=post["title"],
        body="New post",
        data={"channel_id": str(channel_id), "post_id": str(post_id), "seq": str(post["seq"])},
    )
    return _plan(
        event_id=event_id,
        push=push,
        pages=lambda after: selectors.channel_push_device_ids(
            channel_id=channel_id,
            exclude_user_id=post["author_id"],
            after_id=after,
            limit=settings.PUSH_BATCH_SIZE,
        ),
    )


@shared_task(ignore_result=True, acks_late=True, **_PLANNING_RETRY)
def chat_message_push(
    *, event_id: str, chat_id: int, message_id: str, sender_id: int, offline_member_ids: list[int]
) -> int:
    """Notify the members who had no socket open when the message came."""
    message = message_brief(message_id=message_id)
    chat = chat_kind_title(chat_id=chat_id)
    if message is None or message["chat_id"] != chat_id or chat is None:
        return 0
    members = members_of(chat_id=chat_id)
    recipients = [user_id for user_id in offline_member_ids if user_id in members and user_id != sender_id]
    kind, chat_title = chat
    if kind == "group":
        title = chat_title or "Group"
    else:
        title = (profile_get(user_id=sender_id) or {}).get("display_name") or "New message"
    push = Push(
        kind="chat_message",
        title=title,
        body="New message",
        data={"chat_id": str(chat_id), "message_id": str(message_id), "seq": str(message["seq"])},
    )
    return _plan(
        event_id=event_id,
        push=push,
        pages=lambda after: selectors.chat_push_device_ids(
            chat_id=chat_id, user_ids=recipients, after_id=after, limit=settings.PUSH_BATCH_SIZE
        ),
    )


@shared_task(bind=True, ignore_result=True, acks_late=True, max_retries=None)
def push_send_batch(self, *, device_ids: list[int], push: dict):
    """Send one batch; retry what failed for a passing reason."""
    notification = Push(**push)
    retries = self.request.retries or 0
    if not push_breaker.allow():
        return _retry_or_give_up(self, device_ids, push, retries, countdown=push_breaker.cooldown)
    devices = selectors.push_devices(device_ids=device_ids)
    if not devices:
        return None
    try:
        outcome = push_backend().send(devices=devices, push=notification)
    except PushUnavailable as exc:
        push_breaker.failure()
        logger.warning("push service unavailable", extra={"devices": len(devices), "error": str(exc)})
        return _retry_or_give_up(self, [pk for pk, _ in devices], push, retries)
    PUSHES_SENT.labels(kind=notification.kind).inc(outcome.sent)
    if outcome.deactivated:
        PUSHES_FAILED.labels(reason="unregistered").inc(outcome.deactivated)
    if outcome.rejected:
        PUSHES_FAILED.labels(reason="rejected").inc(outcome.rejected)
    if outcome.retry_device_ids and not outcome.sent:
        push_breaker.failure()
    else:
        push_breaker.success()
    if outcome.retry_device_ids:
        return _retry_or_give_up(self, outcome.retry_device_ids, push, retries)
    return None


def _retry_or_give_up(task, device_ids: list[int], push: dict, retries: int, countdown: float | None = None):
    if retries >= settings.PUSH_MAX_RETRIES:
        PUSHES_FAILED.labels(reason="gave_up").inc(len(device_ids))
        logger.error("push batch given up", extra={"devices": len(device_ids), "retries": retries})
        return None
    if countdown is None:
        countdown = get_exponential_backoff_interval(
            factor=settings.PUSH_RETRY_BACKOFF,
            retries=retries,
            maximum=settings.PUSH_RETRY_BACKOFF_MAX,
            full_jitter=True,
        )
    # throw=False: the retry is scheduled (or, with Celery eager, run) and this attempt ends.
    return task.retry(kwargs={"device_ids": device_ids, "push": push}, countdown=countdown, throw=False)
