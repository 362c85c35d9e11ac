"""Reactions to messages: given and taken back over REST and the socket, carried by the message
in every history (cached or not), told to every member through the update log, limited per
person, restricted by a group's admins, refused on what one may not touch."""

import pytest
from django.conf import settings

from apps.chats.models import Message
from tests.stores import raw_column

pytestmark = pytest.mark.django_db

THUMBS, HEART, FIRE, PARTY = "👍", "❤️", "🔥", "🎉"


def reactions_url(chat, message_id):
    return f"/api/v1/chats/{chat.id}/messages/{message_id}/reactions/"


def react(client, chat, message_id, emoji):
    return client.post(reactions_url(chat, message_id), {"emoji": emoji}, format="json")


def unreact(client, chat, message_id, emoji):
    return client.delete(reactions_url(chat, message_id) + f"?emoji={emoji}")


def shown(client, chat):
    """Each message's reactions as the history shows them: [(emoji, count, user ids)]."""
    page = client.get(f"/api/v1/chats/{chat.id}/messages/").json()["results"]
    return [[(r["emoji"], r["count"], r["user_ids"]) for r in m["reactions"]] for m in page]


def test_reactions_are_counted_per_emoji_with_who_gave_them(client_for, alice, bob, carol, group, send):
    message = send(alice, group, "picnic on sunday?")

    assert react(client_for(bob), group, message["id"], THUMBS).status_code == 200
    react(client_for(carol), group, message["id"], THUMBS)
    answer = react(client_for(carol), group, message["id"], PARTY)

    assert [(r["emoji"], r["count"], r["user_ids"]) for r in answer.json()["reactions"]] == [
        (THUMBS, 2, [bob.id, carol.id]),
        (PARTY, 1, [carol.id]),
    ]
    # Every member's history shows them, the cached newest page as the database's.
    assert shown(client_for(alice), group) == [[(THUMBS, 2, [bob.id, carol.id]), (PARTY, 1, [carol.id])]]
    from django.core.cache import cache

    cache.clear()
    assert shown(client_for(bob), group) == [[(THUMBS, 2, [bob.id, carol.id]), (PARTY, 1, [carol.id])]]


def test_taking_a_reaction_back_and_repeating_either_changes_nothing_twice(
    client_for, alice, bob, direct, send
):
    message = send(alice, direct)
    client = client_for(bob)
    react(client, direct, message["id"], HEART)
    again = react(client, direct, message["id"], HEART)
    pts_before = client.get("/api/v1/updates/state/").json()["pts"]

    removed = unreact(client, direct, message["id"], HEART)
    removed_again = unreact(client, direct, message["id"], HEART)

    assert [r["count"] for r in again.json()["reactions"]] == [1]  # still one: given once
    assert removed.status_code == removed_again.status_code == 200
    assert removed.json()["reactions"] == removed_again.json()["reactions"] == []
    assert client.get("/api/v1/updates/state/").json()["pts"] == pts_before + 1  # one event, not two


def test_every_member_is_told_through_the_update_log(client_for, alice, bob, carol, group, send):
    message = send(alice, group)
    since = client_for(carol).get("/api/v1/updates/state/").json()["pts"]

    react(client_for(bob), group, message["id"], FIRE)
    unreact(client_for(bob), group, message["id"], FIRE)

    updates = client_for(carol).get("/api/v1/updates/", {"since": since}).json()["updates"]
    assert [(u["type"], u["user_id"], u["emoji"], u["added"], len(u["reactions"])) for u in updates] == [
        ("message.reactions", bob.id, FIRE, True, 1),
        ("message.reactions", bob.id, FIRE, False, 0),
    ]
    assert updates[0]["message_id"] == message["id"]


def test_one_person_gives_at_most_a_few_distinct_reactions(client_for, alice, bob, direct, send):
    message = send(alice, direct)
    client = client_for(bob)
    allowed = settings.REACTIONS[: settings.REACTIONS_PER_PERSON]
    for emoji in allowed:
        assert react(client, direct, message["id"], emoji).status_code == 200

    refused = react(client, direct, message["id"], settings.REACTIONS[settings.REACTIONS_PER_PERSON])

    assert refused.status_code == 409
    assert refused.json()["code"] == "too_many_reactions"
    assert len(shown(client, direct)[0]) == settings.REACTIONS_PER_PERSON  # nothing lost either


def test_a_group_admin_restricts_reactions_and_members_are_held_to_it(client_for, alice, bob, group, send):
    message = send(alice, group)

    changed = client_for(alice).patch(
        f"/api/v1/chats/{group.id}/", {"allowed_reactions": [THUMBS]}, format="json"
    )
    by_member = client_for(bob).patch(f"/api/v1/chats/{group.id}/", {"allowed_reactions": []}, format="json")
    refused = react(client_for(bob), group, message["id"], HEART)
    allowed = react(client_for(bob), group, message["id"], THUMBS)
    client_for(alice).patch(f"/api/v1/chats/{group.id}/", {"allowed_reactions": []}, format="json")
    none_allowed = react(client_for(alice), group, message["id"], THUMBS)
    taken_back = unreact(client_for(bob), group, message["id"], THUMBS)  # taking back stays possible

    assert changed.status_code == 200
    assert changed.json()["allowed_reactions"] == [THUMBS]
    assert changed.json()["title"] == "Trio"  # a partial change
    assert (by_member.status_code, by_member.json()["code"]) == (403, "not_admin")
    assert (refused.status_code, refused.json()["code"]) == (403, "reaction_not_allowed")
    assert allowed.status_code == 200
    assert (none_allowed.status_code, none_allowed.json()["code"]) == (403, "reaction_not_allowed")
    assert taken_back.json()["reactions"] == []
    everyone = client_for(alice).patch(
        f"/api/v1/chats/{group.id}/", {"allowed_reactions": None}, format="json"
    )
    assert everyone.json()["allowed_reactions"] == settings.REACTIONS


def test_refusals(client_for, alice, bob, carol, direct, group, send):
    message = send(alice, direct)
    elsewhere = send(alice, group)

    stranger = react(client_for(carol), direct, message["id"], THUMBS)
    unknown_emoji = react(client_for(bob), direct, message["id"], "🦄")
    no_message = react(client_for(bob), direct, elsewhere["id"], THUMBS)  # not of this chat
    client_for(alice).delete(f"/api/v1/chats/{direct.id}/messages/{message['id']}/?for_everyone=true")
    deleted = react(client_for(bob), direct, message["id"], THUMBS)

    assert (stranger.status_code, stranger.json()["code"]) == (404, "chat_not_found")
    assert unknown_emoji.status_code == 400
    assert "emoji" in unknown_emoji.json()["fields"]
    assert (no_message.status_code, no_message.json()["code"]) == (404, "message_not_found")
    assert (deleted.status_code, deleted.json()["code"]) == (409, "message_deleted")


def test_who_reacted_is_encrypted_at_rest_and_goes_with_the_message(client_for, alice, bob, direct, send):
    message = send(alice, direct)
    react(client_for(bob), direct, message["id"], THUMBS)

    [stored] = raw_column(Message, "reactions", id=message["id"])

    assert stored  # ciphertext only
    assert THUMBS not in stored
    assert f"[{bob.id}]" not in stored
    client_for(alice).delete(f"/api/v1/chats/{direct.id}/messages/{message['id']}/?for_everyone=true")
    assert Message.objects.get(pk=message["id"]).reactions is None


def test_the_config_tells_clients_every_reaction_and_limit(client_for, alice):
    config = client_for(alice).get("/api/v1/config/").json()

    assert config["reactions"] == settings.REACTIONS
    assert config["reactions_per_person"] == settings.REACTIONS_PER_PERSON
    assert config["forward_max_messages"] == 100
    assert config["scheduled_max_ahead_days"] == 365
