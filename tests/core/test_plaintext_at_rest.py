"""A dump of Redis, like a dump of the database, shows no message text, e-mail, phone, display
name, bio or profile section."""

import asyncio
import json

import pytest
from channels.layers import get_channel_layer
from django.db import connection

from apps.core.cache import redis_client
from apps.profiles.models import Profile
from apps.profiles.services import profile_update
from tests.factories import UserFactory
from tests.stores import raw_column

pytestmark = pytest.mark.django_db

SECRETS = ("Zelda Quartermain", "private diagnosis", "likes herons", "zelda@example.org")


@pytest.fixture
def zelda(db):
    user = UserFactory(username="zelda", email="zelda@example.org", profile="Zelda Quartermain")
    profile_update(user=user, bio="likes herons", sections=[{"title": "health", "body": "private diagnosis"}])
    return user


def _redis_dump() -> str:
    client = redis_client()
    values = []
    for key in client.scan_iter("*"):
        kind = client.type(key)
        if kind == b"string":
            values.append(client.get(key))
        elif kind == b"hash":
            values.extend(client.hgetall(key).values())
        elif kind == b"zset":
            values.extend(client.zrange(key, 0, -1))
    return b"\n".join(v for v in values if v).decode(errors="replace")


def test_profile_fields_are_encrypted_in_the_database(zelda):
    stored = {
        column: raw_column(Profile, column, user_id=zelda.id)[0]
        for column in ("display_name", "bio", "sections")
    }

    assert not any(secret in str(value) for value in stored.values() for secret in SECRETS)
    assert Profile.objects.get(user_id=zelda.id).sections == [
        {"title": "health", "body": "private diagnosis"}
    ]


@pytest.mark.redis
def test_no_personal_data_in_a_redis_dump(client_for, zelda, user):
    zelda_client = client_for(zelda)
    chat = zelda_client.post("/api/v1/chats/", {"kind": "direct", "user_id": user.id}, format="json").json()
    zelda_client.post(f"/api/v1/chats/{chat['id']}/messages/", {"text": "likes herons"}, format="json")
    # Fill every cache: profiles, the chat list, members, history, contacts.
    for path in (
        "/api/v1/chats/",
        f"/api/v1/chats/{chat['id']}/members/",
        f"/api/v1/chats/{chat['id']}/messages/",
    ):
        assert client_for(user).get(path).status_code == 200
    assert client_for(user).get(f"/api/v1/profiles/{zelda.id}/").json()["bio"] == "likes herons"
    zelda_client.get("/api/v1/contacts/")

    dump = _redis_dump()

    assert dump  # the caches are in this Redis
    assert not [secret for secret in SECRETS if secret in dump]


@pytest.mark.redis
def test_live_frames_cross_redis_sealed(settings):
    layer = get_channel_layer()
    client = redis_client()
    pubsub = client.pubsub()
    pubsub.psubscribe("*")

    async def send():
        await layer.group_send(
            "user.424242", {"type": "deliver", "text": json.dumps({"text": "likes herons"})}
        )

    asyncio.run(send())
    seen = []
    for _ in range(20):
        message = pubsub.get_message(timeout=0.2)
        if message and message["type"] == "pmessage":
            seen.append(message["data"])
    pubsub.close()

    assert seen, "the frame went through Redis"
    assert all(b"herons" not in data for data in seen)


def test_no_plaintext_email_in_the_users_table(zelda):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_user WHERE id = %s", [zelda.id])
        row = cursor.fetchone()

    assert "zelda@example.org" not in json.dumps(row, default=str)
