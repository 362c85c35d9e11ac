"""Each process's own copies of auth states (apps.accounts.auth_state._LocalStates): kept for
AUTH_STATE_LOCAL_TTL, dropped as soon as any process announces a change."""

import time

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from apps.accounts import auth_state, services
from apps.accounts.auth_state import AuthState, _LocalStates, auth_state_get
from apps.accounts.models import User
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


def _until(check, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def listening():
    auth_state._local.listen()
    assert _until(lambda: auth_state._local._listening), "the process never subscribed"


def test_a_state_read_once_is_then_answered_without_redis(listening, monkeypatch):
    user = UserFactory()
    first = auth_state_get(user.id)
    trips = []
    original = redis.client.Redis.execute_command
    monkeypatch.setattr(
        redis.client.Redis, "execute_command", lambda *a, **k: trips.append(a[1]) or original(*a, **k)
    )

    again = auth_state_get(user.id)

    assert again == first
    assert again.username == user.username
    assert trips == []


def test_a_change_announced_by_another_process_drops_the_copy_at_once(listening):
    user = UserFactory()
    assert not auth_state_get(user.id).is_banned
    # Another process bans the user: the row, the shared entry, then its announcement.
    User.objects.filter(pk=user.pk).update(banned_at="2026-11-30T12:00:00Z")
    cache.delete(auth_state._key(user.id))
    other_process = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    other_process.publish(auth_state._local.channel(), user.id)

    assert _until(lambda: auth_state_get(user.id).is_banned, timeout=1.0)


def test_a_ban_through_the_service_is_seen_by_the_very_next_request(
    listening, django_capture_on_commit_callbacks
):
    user = UserFactory()
    assert not auth_state_get(user.id).is_banned

    with django_capture_on_commit_callbacks(execute=True):
        services.user_ban(user=user)

    assert auth_state_get(user.id).is_banned


def test_a_state_read_before_a_change_is_not_kept_after_it():
    local = _LocalStates()
    local._listening = True  # as once subscribed
    state = AuthState(7, "ann", True, False, False, None, 1)
    read_at = local.generation

    local.drop(7)  # a change announced while the state was being read
    local.keep(state, generation=read_at)

    assert local.get(7) is None


def test_a_process_not_hearing_changes_keeps_no_copies():
    local = _LocalStates()  # not subscribed
    local.keep(AuthState(7, "ann", True, False, False, None, 1), generation=local.generation)

    assert local.get(7) is None
