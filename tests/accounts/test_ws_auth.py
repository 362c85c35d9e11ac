import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from apps.accounts import services
from apps.accounts.ws_auth import JWTAuthMiddleware

pytestmark = pytest.mark.django_db(transaction=True)


async def echo_identity(scope, receive, send):
    """A bare ASGI app that reports who the middleware says is connecting."""
    await receive()
    await send({"type": "websocket.accept"})
    user = scope["user"]
    await send({"type": "websocket.send", "text": f"{user.id}:{scope['auth_error']}"})


async def identity(path="/ws/", subprotocols=None):
    communicator = WebsocketCommunicator(JWTAuthMiddleware(echo_identity), path, subprotocols=subprotocols)
    await communicator.connect()
    text = await communicator.receive_from()
    await communicator.disconnect()
    return text


async def test_token_in_subprotocol_header_authenticates(user, login):
    access = (await database_sync_to_async(login)(user))["access"]

    assert await identity(subprotocols=["bearer", access]) == f"{user.id}:None"


async def test_token_in_query_string_authenticates(user, login):
    access = (await database_sync_to_async(login)(user))["access"]

    assert await identity(f"/ws/?token={access}") == f"{user.id}:None"


async def test_missing_and_bad_tokens_are_anonymous_with_a_reason():
    assert await identity() == "None:token_missing"
    assert await identity("/ws/?token=a.b.c") == "None:token_not_valid"


async def test_revoked_token_is_anonymous(user, login):
    access = (await database_sync_to_async(login)(user))["access"]
    await database_sync_to_async(services.user_logout_all)(user=user)

    assert await identity(f"/ws/?token={access}") == "None:token_revoked"
