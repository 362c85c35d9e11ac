"""What the notifications app does with domain events: enqueue the Celery task that handles
each one (in the outbox publisher without NATS, in `manage.py run_nats_bridge` with it)."""

from apps.core import documents
from apps.core.events import BadEvent, event_payload, on_event

from .tasks import channel_post_fanout, chat_message_push


def _ids(payload: dict, field: str) -> list[int]:
    values = payload.get(field)
    if not isinstance(values, list) or not all(type(v) is int for v in values):
        raise BadEvent(f"payload.{field} is missing or not a list of ids")
    return values


def _document_id(payload: dict, field: str) -> str:
    try:
        return documents.dump_id(documents.parse_id(payload.get(field)))
    except ValueError:
        raise BadEvent(f"payload.{field} is missing or not a document id") from None


@on_event("channels.post.created")
def channel_post_created(event: dict) -> None:
    payload = event_payload(event, channel_id=int)
    channel_post_fanout.delay(
        event_id=event["id"], channel_id=payload["channel_id"], post_id=_document_id(payload, "post_id")
    )


@on_event("chats.message.created")
def chat_message_created(event: dict) -> None:
    payload = event_payload(event, chat_id=int, sender_id=int)
    chat_message_push.delay(
        event_id=event["id"],
        chat_id=payload["chat_id"],
        message_id=_document_id(payload, "message_id"),
        sender_id=payload["sender_id"],
        offline_member_ids=_ids(payload, "offline_member_ids"),
    )
