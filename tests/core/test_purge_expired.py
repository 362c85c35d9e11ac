from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from apps.accounts import services as accounts
from apps.chats import services as chats
from apps.core.models import OutboxEvent
from apps.updates.models import Update
from apps.updates.selectors import updates_since
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_purge_removes_expired_tokens_old_published_events_and_old_log_entries(capsys):
    alice, bob = UserFactory(), UserFactory()
    accounts.tokens_issue(user=alice)
    accounts.tokens_issue(user=alice)
    OutstandingToken.objects.filter(pk=OutstandingToken.objects.first().pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    chat, _ = chats.chat_direct_open(user=alice, peer_id=bob.id)
    for text in ("old", "old too", "recent"):
        chats.message_send(sender=alice, chat_id=chat.id, text=text)
    Update.objects.filter(user_id=bob.id, pts__lte=2).update(created_at=timezone.now() - timedelta(days=31))
    old_event = OutboxEvent.objects.create(
        subject="tg.x", payload={}, published_at=timezone.now() - timedelta(days=8)
    )
    waiting = OutboxEvent.objects.create(subject="tg.x", payload={})

    call_command("purge_expired", "--dry-run")
    assert OutstandingToken.objects.count() == 2
    call_command("purge_expired", "--batch-size", "1")

    assert OutstandingToken.objects.count() == 1
    assert not OutboxEvent.objects.filter(pk=old_event.pk).exists()
    assert OutboxEvent.objects.filter(pk=waiting.pk).exists()  # never published: kept for the sweep
    assert updates_since(user_id=bob.id, since=0) == {"too_long": True, "pts": 3}
    assert [u["message"]["text"] for u in updates_since(user_id=bob.id, since=2)["updates"]] == ["recent"]
    out = capsys.readouterr().out
    assert "would delete 1" in out
    assert "update-log entries: deleted 2/2" in out
