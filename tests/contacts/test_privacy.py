"""Blocked means blocked, in groups too: who may add a person to a group, and what a blocked
viewer sees of the person who blocked them wherever people are listed."""

import pytest

from apps.chats.models import Chat
from apps.contacts import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHATS = "/api/v1/chats/"
PRIVACY = "/api/v1/privacy/"


@pytest.fixture
def alice(db):
    user = UserFactory(username="alice", profile="Alice A.")
    from apps.profiles.services import profile_update

    profile_update(user=user, bio="runs at dawn", sections=[{"title": "health", "body": "private diagnosis"}])
    return user


@pytest.fixture
def mallory(db):
    return UserFactory(username="mallory", profile="Mallory M.")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", profile="Bob B.")


def _group(client, *member_ids, title="Picnic"):
    return client.post(
        CHATS, {"kind": "group", "title": title, "member_ids": list(member_ids)}, format="json"
    )


def test_someone_blocked_cannot_put_the_blocker_in_a_group(client_for, alice, mallory, bob):
    services.user_block(user=alice, blocked_id=mallory.id)
    chats_before = Chat.objects.count()

    response = _group(client_for(mallory), alice.id, bob.id)

    assert response.status_code == 403
    assert response.json()["code"] == "privacy_restricted"
    assert Chat.objects.count() == chats_before


def test_someone_blocked_cannot_add_the_blocker_to_an_existing_group(client_for, alice, mallory, bob):
    group = _group(client_for(mallory), bob.id).json()
    services.user_block(user=alice, blocked_id=mallory.id)

    response = client_for(mallory).post(
        f"{CHATS}{group['id']}/members/", {"user_ids": [alice.id]}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "privacy_restricted"
    members = client_for(bob).get(f"{CHATS}{group['id']}/members/").json()["results"]
    assert alice.id not in [m["user"]["id"] for m in members]


def test_the_blocker_cannot_add_the_blocked_either(client_for, alice, mallory):
    services.user_block(user=alice, blocked_id=mallory.id)

    assert _group(client_for(alice), mallory.id).status_code == 403


def test_a_blocked_member_sees_no_more_of_the_blocker_in_a_group_than_on_the_profile(
    client_for, alice, mallory, bob
):
    group = _group(client_for(bob), alice.id, mallory.id).json()
    services.user_block(user=alice, blocked_id=mallory.id)
    viewer = client_for(mallory)

    assert viewer.get(f"/api/v1/profiles/{alice.id}/").status_code == 404
    members = {
        m["user"]["id"]: m["user"] for m in viewer.get(f"{CHATS}{group['id']}/members/").json()["results"]
    }
    shown = members[alice.id]
    assert shown == {
        "id": alice.id,
        "username": None,
        "display_name": "",
        "bio": "",
        "avatar_url": None,
        "sections": [],
        "discoverable": False,
    }
    # Everyone else still sees alice as she is.
    bobs_view = {
        m["user"]["id"]: m["user"]
        for m in client_for(bob).get(f"{CHATS}{group['id']}/members/").json()["results"]
    }
    assert bobs_view[alice.id]["sections"] == [{"title": "health", "body": "private diagnosis"}]


def test_a_blocked_peer_sees_nothing_of_the_blocker_in_the_chat_list(client_for, alice, mallory):
    client_for(mallory).post(CHATS, {"kind": "direct", "user_id": alice.id}, format="json")
    services.user_block(user=alice, blocked_id=mallory.id)

    chats = client_for(mallory).get(CHATS).json()["results"]

    assert chats[0]["peer"]["id"] == alice.id
    assert chats[0]["peer"]["display_name"] == ""
    assert chats[0]["title"] == ""
    assert "Alice" not in str(chats)


def test_privacy_defaults_to_everybody_and_can_be_changed(client_for, alice):
    client = client_for(alice)

    assert client.get(PRIVACY).json() == {"groups": "everybody"}
    assert client.patch(PRIVACY, {"groups": "contacts"}, format="json").json() == {"groups": "contacts"}
    assert client.get(PRIVACY).json() == {"groups": "contacts"}


def test_privacy_refuses_an_unknown_audience(client_for, alice):
    response = client_for(alice).patch(PRIVACY, {"groups": "friends"}, format="json")

    assert response.status_code == 400
    assert "groups" in response.json()["fields"]


def test_privacy_needs_a_login(api_client):
    assert api_client.get(PRIVACY).status_code == 401


def test_nobody_may_add_someone_who_chose_nobody(client_for, alice, bob):
    services.privacy_update(user=alice, groups="nobody")

    response = _group(client_for(bob), alice.id)

    assert response.status_code == 403
    assert response.json()["code"] == "privacy_restricted"


def test_only_contacts_may_add_someone_who_chose_contacts(client_for, alice, bob, mallory):
    services.privacy_update(user=alice, groups="contacts")
    invitation, _ = services.invitation_send(from_user=bob, to_user_id=alice.id)
    services.invitation_accept(user=alice, invitation_id=invitation.id)

    assert _group(client_for(bob), alice.id).status_code == 201
    assert _group(client_for(mallory), alice.id).status_code == 403


def test_everybody_may_add_someone_who_kept_the_default(client_for, alice, bob):
    assert _group(client_for(bob), alice.id).status_code == 201
