"""A socket is authorised on its frames, not only when it opens: an expired token, a ban or a
logout everywhere that the socket's close message missed all end it (4401, 4403); a fresher
token given in an `auth.refresh` frame lets it live on."""

import asyncio
import time
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from apps.accounts import services as accounts
from apps.accounts.auth_state import auth_state_store
from apps.accounts.models import User
from tests.chats.test_consumer import (  # noqa: F401
    _fresh_channel_layer,
    close_code,
    frame,
    open_socket,
    token_for,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


def _short_token(user, seconds: float) -> str:
    token = AccessToken.for_user(user)
    token[accounts.TOKEN_VERSION_CLAIM] = user.token_version
    token.set_exp(lifetime=timedelta(seconds=seconds))
    return str(token)


async def _until_expired(token: str) -> None:
    """Sleep past the token's `exp` (whole seconds, so its life is 1-2 s for a 2 s token)."""
    await asyncio.sleep(max(0.0, AccessToken(token, verify=False)["exp"] - time.time()) + 0.2)


async def test_a_socket_whose_token_expired_is_closed_on_its_next_frame():
    alice = await db(UserFactory)(username="alice")
    token = await db(_short_token)(alice, 3)
    socket = await open_socket(token=token)
    await socket.send_json_to({"type": "ping", "ref": "before"})
    assert (await frame(socket))["type"] == "pong"

    await _until_expired(token)
    await socket.send_json_to({"type": "ping", "ref": "after"})

    error = await frame(socket)
    assert (error["type"], error["code"], error["ref"]) == ("error", "token_expired", "after")
    assert await close_code(socket) == 4401


async def test_a_fresher_token_keeps_the_socket_open_past_the_old_expiry():
    alice = await db(UserFactory)(username="alice")
    token = await db(_short_token)(alice, 3)
    socket = await open_socket(token=token)

    await socket.send_json_to({"type": "auth.refresh", "ref": "r", "token": await token_for(alice)})
    refreshed = await frame(socket)
    await _until_expired(token)
    await socket.send_json_to({"type": "ping", "ref": "still here"})

    assert refreshed["type"] == "auth.refreshed"
    assert refreshed["expires_at"] > timezone.now().timestamp() + 60
    assert await frame(socket) == {"type": "pong", "ref": "still here"}
    await socket.disconnect()


async def test_another_users_token_cannot_continue_a_socket():
    alice = await db(UserFactory)(username="alice")
    mallory = await db(UserFactory)(username="mallory")
    socket = await open_socket(alice)

    await socket.send_json_to({"type": "auth.refresh", "ref": "r", "token": await token_for(mallory)})

    assert (await frame(socket))["code"] == "token_not_valid"
    assert await close_code(socket) == 4401


def _ban_without_telling_sockets(user_id: int) -> None:
    """A ban whose close message never reached the socket (lost, or another instance's)."""
    User.objects.filter(pk=user_id).update(banned_at=timezone.now())
    auth_state_store(User.objects.get(pk=user_id))


def _logout_everywhere_without_telling_sockets(user_id: int) -> None:
    User.objects.filter(pk=user_id).update(token_version=F("token_version") + 1)
    auth_state_store(User.objects.get(pk=user_id))


@pytest.mark.parametrize(
    ("change", "code", "close"),
    [
        (_ban_without_telling_sockets, "account_banned", 4403),
        (_logout_everywhere_without_telling_sockets, "token_revoked", 4401),
    ],
)
async def test_a_ban_or_logout_everywhere_ends_the_socket_even_if_its_close_message_is_lost(
    settings, change, code, close
):
    settings.WEBSOCKET_AUTH_RECHECK = 0
    alice = await db(UserFactory)(username="alice")
    socket = await open_socket(alice)

    await db(change)(alice.id)
    await socket.send_json_to({"type": "ping", "ref": "p"})

    error = await frame(socket)
    assert (error["code"], error["ref"]) == (code, "p")
    assert await close_code(socket) == close
