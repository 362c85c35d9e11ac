import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.chats import services
from apps.contacts.services import user_block
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHATS = "/api/v1/chats/"


def test_opening_a_direct_chat_is_idempotent_for_the_pair(client_for, alice, bob):
    first = client_for(alice).post(CHATS, {"kind": "direct", "user_id": bob.id}, format="json")
    again = client_for(alice).post(CHATS, {"kind": "direct", "user_id": bob.id}, format="json")
    reverse = client_for(bob).post(CHATS, {"kind": "direct", "user_id": alice.id}, format="json")

    assert first.status_code == 201
    assert again.status_code == 200
    assert reverse.status_code == 200
    assert first.json()["id"] == again.json()["id"] == reverse.json()["id"]
    assert first.json()["peer"]["display_name"] == "Bob B."
    assert reverse.json()["peer"]["display_name"] == "Alice A."


def test_direct_chat_with_oneself_unknown_or_blocking_user_is_refused(client_for, alice, bob):
    client = client_for(alice)
    assert client.post(CHATS, {"kind": "direct", "user_id": alice.id}, format="json").json()["code"] == (
        "cannot_chat_with_self"
    )
    unknown = client.post(CHATS, {"kind": "direct", "user_id": 999_999}, format="json")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "user_not_found"
    user_block(user=bob, blocked_id=alice.id)
    blocked = client.post(CHATS, {"kind": "direct", "user_id": bob.id}, format="json")
    assert blocked.status_code == 403
    assert blocked.json()["code"] == "blocked"


def test_group_is_created_with_its_members_and_owner(client_for, alice, bob, carol):
    response = client_for(alice).post(
        CHATS, {"kind": "group", "title": "Trio", "member_ids": [bob.id, carol.id, bob.id]}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "group"
    assert body["title"] == "Trio"
    assert body["role"] == "owner"
    assert body["member_count"] == 3
    members = client_for(carol).get(f"{CHATS}{body['id']}/members/").json()["results"]
    assert [(m["user"]["username"], m["role"]) for m in members] == [
        ("alice", "owner"),
        ("bob", "member"),
        ("carol", "member"),
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "group", "member_ids": []}, "title"),
        ({"kind": "direct"}, "user_id"),
        ({"kind": "channel"}, "kind"),
    ],
)
def test_bad_chat_creation_is_a_field_error(client_for, alice, payload, field):
    response = client_for(alice).post(CHATS, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_group_with_unknown_member_is_refused(client_for, alice):
    response = client_for(alice).post(
        CHATS, {"kind": "group", "title": "x", "member_ids": [424242]}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["code"] == "user_not_found"


def test_chat_list_shows_peer_last_message_and_unread_count(client_for, alice, bob, direct, group, send):
    send(bob, direct, "hi alice")
    send(bob, direct, "are you there?")
    send(alice, group, "hello group")

    rows = client_for(alice).get(CHATS).json()["results"]

    assert [row["id"] for row in rows] == [group.id, direct.id]  # most recently active first
    by_id = {row["id"]: row for row in rows}
    assert by_id[direct.id]["peer"] == {
        "id": bob.id,
        "username": "bob",
        "display_name": "Bob B.",
        "avatar_url": None,
    }
    assert by_id[direct.id]["unread_count"] == 2
    assert by_id[direct.id]["last_message"]["text"] == "are you there?"
    assert by_id[group.id]["unread_count"] == 0  # her own message
    assert by_id[group.id]["peer"] is None


def test_chat_list_query_count_does_not_grow_with_the_number_of_chats(client_for, alice, send):
    client = client_for(alice)

    def queries_for_list():
        client.get(CHATS)  # warm the auth-state cache
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CHATS).status_code == 200
        return len(captured)

    def add_chats(count):
        for _ in range(count):
            peer = UserFactory()
            chat, _ = services.chat_direct_open(user=alice, peer_id=peer.id)
            send(peer, chat, "ping")
        group = services.chat_group_create(creator=alice, title="g", member_ids=[])
        send(alice, group, "pong")

    add_chats(2)
    few = queries_for_list()
    add_chats(8)
    many = queries_for_list()

    assert len(client.get(CHATS).json()["results"]) == 12
    assert few == many


def test_chat_list_pages_with_a_cursor(client_for, alice):
    for index in range(5):
        services.chat_group_create(creator=alice, title=f"g{index}", member_ids=[])
    client = client_for(alice)

    first = client.get(CHATS, {"limit": 3}).json()
    second = client.get(CHATS, {"limit": 3, "before": first["next"]}).json()

    assert [c["title"] for c in first["results"]] == ["g4", "g3", "g2"]
    assert first["has_more"] is True
    assert [c["title"] for c in second["results"]] == ["g1", "g0"]
    assert second["has_more"] is False
    assert second["next"] is None


def test_chat_list_bad_cursor_is_a_clear_400(client_for, alice):
    response = client_for(alice).get(CHATS, {"before": "garbage!"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_a_well_formed_cursor_from_before_everything_is_an_empty_page(client_for, alice, bob):
    client = client_for(alice)
    client.post(CHATS, {"kind": "direct", "user_id": bob.id}, format="json")

    page = client.get(CHATS, {"before": "0.0"})  # the schema's pattern: any match reads

    assert page.status_code == 200
    assert page.json() == {"results": [], "has_more": False, "next": None}


def test_non_member_gets_404_for_the_chat_and_its_members(client_for, carol, direct):
    client = client_for(carol)

    for path in (f"{CHATS}{direct.id}/", f"{CHATS}{direct.id}/members/", f"{CHATS}{direct.id}/messages/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "chat_not_found"


def test_admin_adds_and_removes_members_and_others_may_not(client_for, alice, bob, carol, group):
    dave = UserFactory(username="dave")
    assert (
        client_for(bob)
        .post(f"{CHATS}{group.id}/members/", {"user_ids": [dave.id]}, format="json")
        .status_code
        == 403
    )

    added = client_for(alice).post(f"{CHATS}{group.id}/members/", {"user_ids": [dave.id]}, format="json")
    assert added.status_code == 200
    assert dave.id in [m["user"]["id"] for m in added.json()["results"]]
    assert client_for(dave).get(f"{CHATS}{group.id}/").status_code == 200

    assert client_for(bob).delete(f"{CHATS}{group.id}/members/{dave.id}/").status_code == 403
    assert client_for(alice).delete(f"{CHATS}{group.id}/members/{dave.id}/").status_code == 204
    assert client_for(dave).get(f"{CHATS}{group.id}/").status_code == 404


def test_member_leaves_and_owner_leaving_hands_the_group_on(client_for, alice, bob, carol, group):
    services.chat_member_set_role(actor=alice, chat_id=group.id, user_id=carol.id, role="admin")

    assert client_for(bob).delete(f"{CHATS}{group.id}/members/{bob.id}/").status_code == 204
    assert client_for(alice).delete(f"{CHATS}{group.id}/members/{alice.id}/").status_code == 204

    members = client_for(carol).get(f"{CHATS}{group.id}/members/").json()["results"]
    assert [(m["user"]["username"], m["role"]) for m in members] == [("carol", "owner")]


def test_only_admins_rename_a_group(client_for, alice, bob, group):
    assert client_for(bob).patch(f"{CHATS}{group.id}/", {"title": "Mine"}, format="json").status_code == 403

    response = client_for(alice).patch(f"{CHATS}{group.id}/", {"title": "Quartet"}, format="json")

    assert response.status_code == 200
    assert response.json()["title"] == "Quartet"


def test_members_cannot_be_changed_in_a_direct_chat(client_for, alice, carol, direct):
    response = client_for(alice).post(f"{CHATS}{direct.id}/members/", {"user_ids": [carol.id]}, format="json")

    assert response.status_code == 409  # the chat is direct: a conflict with what it is
    assert response.json()["code"] == "not_a_group"
