import time

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.breaker import CircuitBreaker

pytestmark = pytest.mark.django_db


def test_opens_after_the_threshold_fails_fast_then_closes_on_a_success_after_cooldown():
    breaker = CircuitBreaker("probe", threshold=3, window=30, cooldown=0.2)

    for _ in range(2):
        breaker.failure()
    assert (breaker.state(), breaker.allow()) == ("closed", True)
    breaker.failure()
    assert (breaker.state(), breaker.allow()) == ("open", False)

    time.sleep(0.25)
    assert (breaker.state(), breaker.allow()) == ("half_open", True)
    breaker.success()
    assert breaker.state() == "closed"


def test_a_failure_while_half_open_opens_it_again_at_once():
    breaker = CircuitBreaker("probe2", threshold=2, window=30, cooldown=0.2)
    breaker.failure()
    breaker.failure()
    time.sleep(0.25)

    breaker.failure()

    assert breaker.state() == "open"


def test_instances_with_the_same_name_share_the_state_through_the_cache():
    one, other = CircuitBreaker("shared", threshold=2), CircuitBreaker("shared", threshold=2)

    one.failure()
    other.failure()

    assert one.state() == other.state() == "open"


class GoneStorage(FileSystemStorage):
    """A storage whose disk is gone: every save fails, and is counted."""

    saves = 0

    def _save(self, name, content):
        GoneStorage.saves += 1
        raise OSError("no such device")


def test_storage_breaker_stops_calling_a_failing_store(client_for, user, png_bytes, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.core.test_breaker.GoneStorage"},
    }
    GoneStorage.saves = 0
    client = client_for(user)

    statuses = [
        client.post(
            "/api/v1/files/", {"file": SimpleUploadedFile("a.png", png_bytes)}, format="multipart"
        ).status_code
        for _ in range(8)
    ]

    assert statuses == [503] * 8
    assert GoneStorage.saves == 5  # the threshold; then it failed fast
    assert client.get("/api/health/").json()["breakers"]["storage"] == "open"


def test_outbox_stops_trying_nats_while_its_breaker_is_open(settings):
    from apps.broadcasts import services
    from apps.core import events
    from apps.core.models import OutboxEvent
    from tests.factories import UserFactory

    settings.NATS_URL = "nats://127.0.0.1:9"
    owner = UserFactory()
    channel = services.channel_create(owner=owner, handle="breaker_news", title="x")
    services.post_create(user=owner, channel_id=channel.id, text="x")
    event = OutboxEvent.objects.get()

    for _ in range(8):
        events.outbox_publish(event_ids=[event.pk])

    event.refresh_from_db()
    assert event.attempts == 5
    assert event.published_at is None
