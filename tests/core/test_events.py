"""The outbox: events written with the change, published after commit, never lost."""

import asyncio
import contextlib
import json

import pytest
from django.conf import settings

from apps.broadcasts import services as broadcasts
from apps.core import documents, events
from apps.core.models import OutboxEvent
from tests.factories import UserFactory
from tests.services import service_url

pytestmark = pytest.mark.django_db(transaction=True)

SUBJECT = "channels.post.created"


def make_post(text="news"):
    owner = UserFactory()
    channel = broadcasts.channel_create(owner=owner, handle=f"chan_{owner.id}x", title="Chan")
    return broadcasts.post_create(user=owner, channel_id=channel.id, text=text)


def test_without_nats_the_in_process_bus_delivers_after_commit(settings):
    settings.NATS_URL = ""
    received = []
    handler = events.on_event(SUBJECT)(received.append)
    try:
        post = make_post()
        events.outbox_wait()
    finally:
        events._handlers[events.subject_for(SUBJECT)].remove(handler)

    assert [e["payload"]["post_id"] for e in received] == [str(post.id)]
    assert received[0]["subject"] == f"{settings.EVENTS_SUBJECT_PREFIX}.{SUBJECT}"
    assert OutboxEvent.objects.get(pk=received[0]["id"]).published_at is not None


def test_a_rolled_back_change_emits_nothing(settings):
    settings.NATS_URL = ""
    owner = UserFactory()
    channel = broadcasts.channel_create(owner=owner, handle="rollback_chan", title="x")

    def post_then_fail():
        with documents.atomic():  # one change over both stores
            broadcasts.post_create(user=owner, channel_id=channel.id, text="never")
            raise RuntimeError("abort")

    with pytest.raises(RuntimeError):
        post_then_fail()

    assert not OutboxEvent.objects.exists()


async def _stream_messages(url: str) -> list:
    import nats

    client = await nats.connect(url)
    try:
        js = client.jetstream()
        subscription = await js.pull_subscribe(
            f"{settings.EVENTS_SUBJECT_PREFIX}.>", stream=settings.NATS_STREAM
        )
        messages = []
        while True:
            try:
                batch = await subscription.fetch(50, timeout=1)
            except Exception:  # nats' TimeoutError: nothing more
                break
            for message in batch:
                await message.ack()
            messages.extend(batch)
        return messages
    finally:
        await client.close()


async def _drop_stream(url: str) -> None:
    import nats
    from nats.js.errors import NotFoundError

    client = await nats.connect(url)
    try:
        with contextlib.suppress(NotFoundError):  # nothing to drop
            await client.jetstream().delete_stream(settings.NATS_STREAM)
    finally:
        await client.close()


@pytest.fixture
def jetstream(settings):
    url = service_url("nats")
    asyncio.run(_drop_stream(url))
    events._streams_ready.clear()
    settings.NATS_URL = url
    yield url
    asyncio.run(_drop_stream(url))
    events._streams_ready.clear()


@pytest.mark.nats
def test_post_event_reaches_jetstream_exactly_once_even_when_republished(jetstream):
    post = make_post()
    events.outbox_wait()
    event = OutboxEvent.objects.get()
    assert event.published_at is not None

    OutboxEvent.objects.filter(pk=event.pk).update(published_at=None)  # as if the ack was lost
    assert events.outbox_publish(event_ids=[event.pk]) == 1

    messages = asyncio.run(_stream_messages(jetstream))
    assert len(messages) == 1
    assert messages[0].subject == f"{settings.EVENTS_SUBJECT_PREFIX}.{SUBJECT}"
    assert messages[0].headers["Nats-Msg-Id"] == str(event.pk)
    body = json.loads(messages[0].data)
    assert body["payload"]["post_id"] == str(post.id)
    assert body["id"] == str(event.pk)  # ids are opaque strings


@pytest.mark.nats
def test_with_nats_down_the_post_succeeds_and_its_event_arrives_later(jetstream, settings, client_for):
    settings.NATS_URL = "nats://127.0.0.1:9"
    owner = UserFactory()
    channel = broadcasts.channel_create(owner=owner, handle="outage_news", title="Outage news")

    response = client_for(owner).post(
        f"/api/v1/channels/{channel.id}/posts/", {"text": "still works"}, format="json"
    )
    events.outbox_wait()

    assert response.status_code == 201
    waiting = OutboxEvent.objects.get()
    assert waiting.published_at is None
    assert waiting.attempts == 1
    assert waiting.last_error.startswith("connect")

    settings.NATS_URL = jetstream
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    assert events.outbox_sweep() == 1

    messages = asyncio.run(_stream_messages(jetstream))
    assert [json.loads(m.data)["payload"]["post_id"] for m in messages] == [response.json()["id"]]


def test_sweep_command_reports_and_fails_while_nats_is_unreachable(settings, capsys):
    from django.core.management import call_command

    settings.NATS_URL = "nats://127.0.0.1:9"
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    make_post()
    events.outbox_wait()

    with pytest.raises(SystemExit) as exited:
        call_command("outbox_sweep")

    assert exited.value.code == 1
    out = capsys.readouterr()
    assert "1 event(s) waiting" in out.out
    assert "is NATS reachable" in out.err
