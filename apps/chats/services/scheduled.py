"""Scheduled messages: written now, sent at a time (up to SCHEDULED_MAX_AHEAD_DAYS ahead). The
sender lists, edits, cancels or sends them now; each change reaches their other devices
(`scheduled.updated`, in their update log only).

Delivery: the `scheduled-sweep` beat task runs every second (apps.chats.tasks). It sends what
is due, and arms a Celery timer (a task with an ETA) for each message due within the next
SWEEP_LEAD, so that it leaves at its second, not at the next sweep. A delivery first claims the
row (one UPDATE: pending -> sending); a claim not finished within CLAIM_TIMEOUT (its worker
died) is taken again by a sweep. The message it becomes has the row's `seal` as its
`client_msg_id`, so a delivery tried twice sends it once: exactly once, across restarts."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import User
from apps.core import documents
from apps.core.errors import ApplicationError, NotFound
from apps.files.selectors import files_for_attaching
from apps.updates.services import updates_append

from .. import events
from ..errors import ChatError
from ..models import Message, ScheduledMessage
from ..store import sending_members
from ._common import check_can_write, message_text_checked, require_member
from .messages import message_send

logger = logging.getLogger(__name__)

SWEEP_LEAD = timedelta(seconds=2)
CLAIM_TIMEOUT = timedelta(seconds=30)
Status = ScheduledMessage.Status


def _check_send_at(send_at) -> None:
    now = timezone.now()
    if not now < send_at <= now + timedelta(days=settings.SCHEDULED_MAX_AHEAD_DAYS):
        raise ApplicationError.for_field(
            "send_at",
            ChatError.SEND_AT_INVALID,
            f"Give a time in the future, at most {settings.SCHEDULED_MAX_AHEAD_DAYS} days ahead.",
        )


def _tell(scheduled: ScheduledMessage, change: str) -> None:
    """The sender's devices learn of the change (their log only)."""
    updates_append(
        user_ids=[scheduled.sender_id],
        kind=events.SCHEDULED_UPDATED.name,
        payload=events.SCHEDULED_UPDATED.payload(scheduled=events.scheduled_public(scheduled), change=change),
    )


def _arm_soon(scheduled: ScheduledMessage) -> None:
    """After commit: a timer for a message due before the next sweeps would see it."""
    if scheduled.send_at - timezone.now() <= SWEEP_LEAD:
        documents.on_commit(lambda: arm(scheduled.pk, scheduled.send_at))


def arm(scheduled_id, send_at) -> None:
    """Mark the message armed and start its timer (once: the mark is the guard)."""
    if ScheduledMessage.objects.filter(pk=scheduled_id, armed_at__isnull=True).update(
        armed_at=timezone.now()
    ):
        from ..tasks import scheduled_deliver_task  # here: the tasks module imports this one

        scheduled_deliver_task.apply_async((documents.dump_id(scheduled_id),), eta=send_at)


@documents.transactional
def scheduled_create(
    *, user, chat_id: int, send_at, text: str = "", reply_to=None, attachment_ids=()
) -> dict:
    """Schedule a message: the same rules as sending it now, checked now and again when it is
    sent (the chat may have changed by then)."""
    members = sending_members(chat_id=chat_id, sender_id=user.pk)
    require_member(members, user.pk)
    check_can_write(members, user.pk)
    attachment_ids = list(attachment_ids or [])
    text = message_text_checked(text, allow_empty=bool(attachment_ids))
    files_for_attaching(file_ids=attachment_ids, user_id=user.pk)
    if (
        reply_to is not None
        and not Message.objects.filter(pk=reply_to, chat_id=chat_id, deleted=False).exists()
    ):
        raise ApplicationError.for_field(
            "reply_to", ChatError.REPLY_NOT_FOUND, "No such message in this chat.", status=404
        )
    _check_send_at(send_at)
    if ScheduledMessage.objects.filter(sender_id=user.pk, status=Status.PENDING).count() >= (
        settings.SCHEDULED_MAX_PENDING
    ):
        raise ApplicationError(
            ChatError.TOO_MANY_SCHEDULED,
            f"At most {settings.SCHEDULED_MAX_PENDING} scheduled messages wait at once.",
            status=409,
        )
    scheduled = ScheduledMessage.objects.create(
        chat_id=chat_id,
        sender_id=user.pk,
        text=text,
        attachment_ids=attachment_ids,
        reply_to=reply_to,
        send_at=send_at,
    )
    _tell(scheduled, "created")
    _arm_soon(scheduled)
    return events.scheduled_public(scheduled)


def _pending(*, user, scheduled_id) -> ScheduledMessage:
    scheduled = documents.locked(ScheduledMessage.objects).filter(pk=scheduled_id, sender_id=user.pk).first()
    if scheduled is None:
        raise NotFound("You have no such scheduled message.", code=ChatError.SCHEDULED_NOT_FOUND)
    if scheduled.status != Status.PENDING:
        raise ApplicationError(
            ChatError.NOT_PENDING, f"This message is {scheduled.status} already.", status=409
        )
    return scheduled


@documents.transactional
def scheduled_edit(*, user, scheduled_id, **changes) -> dict:
    """Change a pending message's `text` or `send_at`."""
    scheduled = _pending(user=user, scheduled_id=scheduled_id)
    if "text" in changes:
        scheduled.text = message_text_checked(changes["text"], allow_empty=bool(scheduled.attachment_ids))
    if "send_at" in changes:
        _check_send_at(changes["send_at"])
        scheduled.send_at = changes["send_at"]
        scheduled.armed_at = None  # a timer armed for the old time finds it not due, and stops
    scheduled.save()
    _tell(scheduled, "edited")
    _arm_soon(scheduled)
    return events.scheduled_public(scheduled)


@documents.transactional
def scheduled_cancel(*, user, scheduled_id) -> None:
    """Cancel a pending message; its text is erased."""
    scheduled = _pending(user=user, scheduled_id=scheduled_id)
    scheduled.status = Status.CANCELLED
    scheduled.text = ""
    scheduled.save(update_fields=["status", "text"])
    _tell(scheduled, "cancelled")


def scheduled_send_now(*, user, scheduled_id) -> dict:
    """Send a pending message at once; the scheduled message as it is after."""
    with documents.atomic():
        scheduled = _pending(user=user, scheduled_id=scheduled_id)
        scheduled.status, scheduled.claimed_at = Status.SENDING, timezone.now()
        scheduled.save(update_fields=["status", "claimed_at"])
    _deliver(scheduled)
    scheduled.refresh_from_db()
    return events.scheduled_public(scheduled)


def _claimable(now) -> Q:
    return Q(status=Status.PENDING) | Q(status=Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)


def scheduled_deliver(scheduled_id) -> bool:
    """Send the message if it is due and nobody else is sending it (its claim, one UPDATE)."""
    now = timezone.now()
    claimed = (
        ScheduledMessage.objects.filter(pk=scheduled_id, send_at__lte=now)
        .filter(_claimable(now))
        .update(status=Status.SENDING, claimed_at=now)
    )
    if not claimed:
        return False  # not due (its time moved), cancelled, sent, or being sent
    return _deliver(ScheduledMessage.objects.get(pk=scheduled_id))


def _deliver(scheduled: ScheduledMessage) -> bool:
    sender = User.objects.get(pk=scheduled.sender_id)
    try:
        message, _pts, _created = message_send(
            sender=sender,
            chat_id=scheduled.chat_id,
            text=scheduled.text,
            client_msg_id=scheduled.seal,  # a second try finds the first: sent once
            reply_to=scheduled.reply_to,
            attachment_ids=scheduled.attachment_ids,
        )
    except ApplicationError as refusal:  # the chat refuses it now: left, blocked...
        code = str(getattr(refusal, "code", "") or ChatError.CHAT_NOT_FOUND)
        with documents.atomic():
            scheduled.status, scheduled.failure = Status.FAILED, code[:40]
            scheduled.save(update_fields=["status", "failure"])
            _tell(scheduled, "failed")
        logger.info("scheduled message refused", extra={"scheduled_id": scheduled.pk, "code": code})
        return False
    with documents.atomic():
        scheduled.status, scheduled.message_id = Status.SENT, documents.parse_id(message["id"])
        scheduled.save(update_fields=["status", "message_id"])
        _tell(scheduled, "sent")
    return True


def scheduled_sweep() -> int:
    """Send every message that is due (or whose delivery died), and arm timers for those due
    within SWEEP_LEAD; how many were sent."""
    now = timezone.now()
    due = list(
        ScheduledMessage.objects.filter(send_at__lte=now)
        .filter(_claimable(now))
        .order_by("send_at")
        .values_list("pk", flat=True)[:500]
    )
    sent = sum(scheduled_deliver(scheduled_id) for scheduled_id in due)
    soon = ScheduledMessage.objects.filter(
        status=Status.PENDING, armed_at__isnull=True, send_at__gt=now, send_at__lte=now + SWEEP_LEAD
    ).values_list("pk", "send_at")
    for scheduled_id, send_at in soon:
        arm(scheduled_id, send_at)
    return sent


@documents.transactional
def scheduled_erase(*, user_id: int) -> int:
    """Every scheduled message of a person who is being erased (sent ones are messages now);
    how many."""
    return ScheduledMessage.objects.filter(sender_id=user_id).delete()[0]


def scheduled_list(*, user_id: int, chat_id: int | None = None) -> list[dict]:
    """The person's pending scheduled messages (in one chat, or all), soonest first."""
    queryset = ScheduledMessage.objects.filter(sender_id=user_id, status__in=[Status.PENDING, Status.SENDING])
    if chat_id is not None:
        queryset = queryset.filter(chat_id=chat_id)
    return [events.scheduled_public(row) for row in queryset.order_by("send_at")]
