import pytest

from apps.chats import services
from tests.factories import UserFactory


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", profile="Alice A.")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", profile="Bob B.")


@pytest.fixture
def carol(db):
    return UserFactory(username="carol", profile="Carol C.")


@pytest.fixture
def direct(alice, bob):
    chat, _ = services.chat_direct_open(user=alice, peer_id=bob.id)
    return chat


@pytest.fixture
def group(alice, bob, carol):
    return services.chat_group_create(creator=alice, title="Trio", member_ids=[bob.id, carol.id])


@pytest.fixture
def send():
    """send(user, chat, text) -> the stored message, through the service."""

    def _send(user, chat, text="hello", **kwargs):
        stored, _pts, _created = services.message_send(sender=user, chat_id=chat.id, text=text, **kwargs)
        return stored

    return _send
