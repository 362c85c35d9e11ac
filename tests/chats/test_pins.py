"""Pinned messages: who may pin where, the ordered list every member sees, the event every
member gets, and what a deleted message does to its pin."""

import pytest

pytestmark = pytest.mark.django_db


def pins_url(chat, message_id=None):
    base = f"/api/v1/chats/{chat.id}/pins/"
    return f"{base}{message_id}/" if message_id else base


def pin(client, chat, message_id):
    return client.post(pins_url(chat), {"message_id": message_id}, format="json")


def pinned_texts(client, chat):
    return [p["message"]["text"] for p in client.get(pins_url(chat)).json()["results"]]


def test_both_people_of_a_direct_chat_pin_and_see_the_list_newest_first(client_for, alice, bob, direct, send):
    first, second = send(alice, direct, "address: 1 Elm St"), send(bob, direct, "door code 4321")

    assert pin(client_for(alice), direct, first["id"]).status_code == 200
    answer = pin(client_for(bob), direct, second["id"])
    again = pin(client_for(bob), direct, second["id"])

    assert [p["message"]["text"] for p in answer.json()["results"]] == ["door code 4321", "address: 1 Elm St"]
    assert answer.json()["results"][0]["pinned_by"] == bob.id
    assert again.json() == answer.json()  # pinned already: nothing changes
    assert pinned_texts(client_for(alice), direct) == ["door code 4321", "address: 1 Elm St"]
    assert client_for(alice).delete(pins_url(direct, first["id"])).status_code == 204
    assert pinned_texts(client_for(bob), direct) == ["door code 4321"]


def test_every_member_is_told_with_the_list_as_it_is(client_for, alice, bob, carol, group, send):
    message = send(bob, group, "rules: be kind")
    since = client_for(carol).get("/api/v1/updates/state/").json()["pts"]

    pin(client_for(alice), group, message["id"])
    client_for(alice).delete(pins_url(group, message["id"]))
    client_for(alice).delete(pins_url(group, message["id"]))  # not pinned any more: nothing

    updates = client_for(carol).get("/api/v1/updates/", {"since": since}).json()["updates"]
    assert [(u["type"], u["pinned"], u["by"], [p["seq"] for p in u["pins"]]) for u in updates] == [
        ("chat.pins", True, alice.id, [message["seq"]]),
        ("chat.pins", False, alice.id, []),
    ]


def test_in_a_group_admins_pin_and_members_only_if_the_group_allows(client_for, alice, bob, group, send):
    message = send(bob, group, "meet at 6")

    refused = pin(client_for(bob), group, message["id"])
    allowed = client_for(alice).patch(f"/api/v1/chats/{group.id}/", {"members_can_pin": True}, format="json")
    pinned = pin(client_for(bob), group, message["id"])

    assert (refused.status_code, refused.json()["code"]) == (403, "not_allowed_to_pin")
    assert allowed.json()["members_can_pin"] is True
    assert pinned.status_code == 200
    assert client_for(bob).get(f"/api/v1/chats/{group.id}/").json()["members_can_pin"] is True


def test_refusals_and_a_deleted_message_leaves_the_pins(
    client_for, alice, bob, carol, direct, group, send, settings
):
    message, elsewhere = send(alice, direct, "soon gone"), send(alice, group, "in the group")
    client = client_for(alice)
    pin(client, direct, message["id"])

    stranger = client_for(carol).get(pins_url(direct))
    other_chat = pin(client, direct, elsewhere["id"])
    malformed = client.post(pins_url(direct), {"message_id": "x"}, format="json")
    client.delete(f"/api/v1/chats/{direct.id}/messages/{message['id']}/?for_everyone=true")
    deleted = pin(client, direct, message["id"])

    assert (stranger.status_code, stranger.json()["code"]) == (404, "chat_not_found")
    assert (other_chat.status_code, other_chat.json()["code"]) == (404, "message_not_found")
    assert malformed.status_code == 400
    assert pinned_texts(client, direct) == []  # deleting it unpinned it
    assert (deleted.status_code, deleted.json()["code"]) == (409, "message_deleted")


def test_a_chat_holds_a_bounded_number_of_pins(client_for, alice, direct, send, settings):
    settings.CHAT_MAX_PINS = 2
    messages = [send(alice, direct, f"m{index}") for index in range(3)]
    client = client_for(alice)
    for message in messages[:2]:
        pin(client, direct, message["id"])

    refused = pin(client, direct, messages[2]["id"])

    assert (refused.status_code, refused.json()["code"]) == (409, "too_many_pins")
    assert pinned_texts(client, direct) == ["m1", "m0"]
