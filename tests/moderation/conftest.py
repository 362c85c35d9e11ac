import pytest
from django.contrib.auth.models import Group

from apps.broadcasts import services as broadcasts
from apps.chats import services as chats
from apps.moderation.permissions import MODERATORS
from tests.factories import UserFactory


@pytest.fixture
def moderator(db):
    user = UserFactory(username="mod_maria", is_staff=True)
    user.groups.add(Group.objects.get(name=MODERATORS))
    return user


@pytest.fixture
def direct(direct_pair):
    """(chat, alice, bob): bob is the one who gets abused."""
    return direct_pair


@pytest.fixture
def abusive_message(direct):
    chat, alice, _bob = direct
    stored, _pts, _ = chats.message_send(sender=alice, chat_id=chat.id, text="you will regret this")
    return stored


@pytest.fixture
def channel(db):
    owner = UserFactory(username="chan_owner")
    return broadcasts.channel_create(owner=owner, handle="spam_central", title="Spam central")
