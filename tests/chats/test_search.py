"""Search in one's chats over encrypted text: by words and prefixes, in every chat one is in or
in one, newest first and paged; never what one may not see, never deleted or edited-away
words; and the index holds keyed hashes, never words."""

import pytest

from apps.chats.models import MessageTerm
from apps.chats.search import terms
from apps.core import documents
from tests.stores import raw_column

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/messages/search/"


def found(client, q, **params):
    response = client.get(SEARCH, {"q": q, **params})
    assert response.status_code == 200, response.content
    return [m["text"] for m in response.json()["results"]]


def test_words_and_prefixes_are_found_in_every_chat_newest_first(client_for, alice, bob, direct, group, send):
    send(bob, direct, "Lunch at the Riverside café?")
    send(alice, group, "The river is high today")
    send(bob, group, "Bring umbrellas")
    client = client_for(alice)

    assert found(client, "river") == ["The river is high today", "Lunch at the Riverside café?"]
    assert found(client, "RIVERS") == ["Lunch at the Riverside café?"]  # a prefix, any case
    assert found(client, "river high") == ["The river is high today"]  # every word
    assert found(client, "cafe") == []  # accents are kept: "café" is another word
    assert found(client, "café") == ["Lunch at the Riverside café?"]
    assert found(client, "umbrella") == ["Bring umbrellas"]


def test_a_search_sees_only_the_searchers_chats_and_what_they_may_see(
    client_for, alice, bob, carol, direct, group, send
):
    send(alice, direct, "secret plan for the party")  # alice and bob only
    hidden = send(bob, group, "party hats for everyone")
    client_for(carol).delete(f"/api/v1/chats/{group.id}/messages/{hidden['id']}/")  # for carol only

    assert found(client_for(carol), "party") == []
    assert found(client_for(bob), "party") == ["party hats for everyone", "secret plan for the party"]


def test_deleted_and_edited_away_words_are_not_found(client_for, alice, bob, direct, send):
    edited = send(alice, direct, "meet at noon")
    deleted = send(alice, direct, "meet at the station")
    client = client_for(alice)
    client.patch(
        f"/api/v1/chats/{direct.id}/messages/{edited['id']}/", {"text": "meet at dusk"}, format="json"
    )
    client.delete(f"/api/v1/chats/{direct.id}/messages/{deleted['id']}/?for_everyone=true")

    assert found(client_for(bob), "noon") == []
    assert found(client_for(bob), "dusk") == ["meet at dusk"]
    assert found(client_for(bob), "station") == []
    assert not MessageTerm.objects.filter(message_id=deleted["id"]).exists()


def test_in_one_chat_and_paged(client_for, alice, bob, direct, group, send):
    for number in range(5):
        send(alice, direct, f"note {number} about hiking")
    send(alice, group, "hiking in the group")
    client = client_for(bob)

    in_chat = client.get(f"/api/v1/chats/{direct.id}/messages/", {"q": "hiking", "limit": 3}).json()
    older = client.get(
        f"/api/v1/chats/{direct.id}/messages/",
        {"q": "hiking", "limit": 3, "before_seq": in_chat["results"][-1]["seq"]},
    ).json()
    first = client.get(SEARCH, {"q": "hiking", "limit": 4}).json()
    second = client.get(SEARCH, {"q": "hiking", "limit": 4, "before": first["next"]}).json()

    assert [m["text"] for m in in_chat["results"] + older["results"]] == [
        f"note {n} about hiking" for n in range(4, -1, -1)
    ]
    assert (in_chat["has_more"], older["has_more"]) == (True, False)
    texts = [m["text"] for m in first["results"] + second["results"]]
    assert texts == ["hiking in the group"] + [f"note {n} about hiking" for n in range(4, -1, -1)]
    assert (first["has_more"], second["has_more"], second["next"]) == (True, False, None)


def test_refusals(client_for, alice, carol, direct):
    short = client_for(alice).get(SEARCH, {"q": "a b"})
    missing = client_for(alice).get(SEARCH)
    stranger = client_for(carol).get(f"/api/v1/chats/{direct.id}/messages/", {"q": "hello"})

    assert (short.status_code, short.json()["fields"]["q"][0]["code"]) == (400, "query_too_short")
    assert missing.status_code == 400
    assert (stranger.status_code, stranger.json()["code"]) == (404, "chat_not_found")


def test_the_index_holds_keyed_hashes_never_words(alice, direct, send):
    message = send(alice, direct, "pineapple pizza")

    tokens = raw_column(MessageTerm, "token", message_id=documents.parse_id(message["id"]))

    assert len(tokens) == len(terms("pineapple pizza"))  # pin, pine, ..., pineapple, piz, pizz, pizza
    assert not any(word in token for token in tokens for word in ("pine", "pizz", "apple"))


def test_a_key_rotation_keeps_finding_and_search_reindex_moves_the_index_to_the_new_key(
    client_for, alice, bob, direct, send, settings, capsys
):
    import base64

    from django.core.management import call_command

    old = "old:" + base64.b64encode(b"o" * 32).decode()
    new = "new:" + base64.b64encode(b"n" * 32).decode()
    others = list(settings.FIELD_ENCRYPTION_KEYS)  # the fixtures' accounts were written under these
    settings.FIELD_ENCRYPTION_KEYS = [old, *others]
    message = send(alice, direct, "lighthouse keeper")
    unindexed = send(alice, direct, "lighthouse tour")
    MessageTerm.objects.filter(message_id=documents.parse_id(unindexed["id"])).delete()  # as before search

    settings.FIELD_ENCRYPTION_KEYS = [new, old, *others]  # rotated, not reindexed yet
    before = found(client_for(bob), "keeper")
    call_command("search_reindex")

    tokens = raw_column(MessageTerm, "token", message_id=documents.parse_id(message["id"]))
    assert before == ["lighthouse keeper"]  # found under the old key meanwhile
    assert {token.split(".")[0] for token in tokens} == {"new"}
    assert "indexed 2 of 2 messages under key new" in capsys.readouterr().out
    assert found(client_for(bob), "lighthouse") == ["lighthouse tour", "lighthouse keeper"]
