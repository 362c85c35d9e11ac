import pytest

from apps.chats import services

pytestmark = pytest.mark.django_db

UPDATES = "/api/v1/updates/"


def test_offline_member_gets_every_missed_event_once_in_order(client_for, alice, bob, direct, send):
    client = client_for(bob)
    since = client.get(f"{UPDATES}state/").json()["pts"]
    first = send(alice, direct, "one")
    second = send(alice, direct, "two")
    services.message_edit(user=alice, chat_id=direct.id, message_id=first["id"], text="ONE")
    services.message_delete(user=alice, chat_id=direct.id, message_id=second["id"], for_everyone=True)
    services.chat_read(user=alice, chat_id=direct.id, seq=2)

    body = client.get(UPDATES, {"since": since}).json()

    updates = body["updates"]
    assert [u["type"] for u in updates] == ["message.new", "message.new", "message.edited", "message.deleted"]
    assert [u["pts"] for u in updates] == list(range(since + 1, since + 5))
    # Rendered as the messages are now: the edit shows in both entries, the deleted one is empty.
    assert updates[0]["message"]["text"] == "ONE"
    assert updates[2]["message"]["text"] == "ONE"
    assert updates[1]["message"]["deleted"] is True
    assert updates[1]["message"]["text"] == ""
    assert updates[3] == {
        "pts": since + 4,
        "type": "message.deleted",
        "chat_id": direct.id,
        "message_id": second["id"],
        "seq": second["seq"],
        "for_everyone": True,
    }
    assert body["pts"] == since + 4
    assert body["has_more"] is False
    assert client.get(UPDATES, {"since": body["pts"]}).json() == {
        "updates": [],
        "pts": since + 4,
        "has_more": False,
    }


def test_read_receipts_reach_the_other_members_log(client_for, alice, bob, direct, send):
    send(alice, direct, "seen?")
    since = client_for(alice).get(f"{UPDATES}state/").json()["pts"]

    services.chat_read(user=bob, chat_id=direct.id, seq=1)

    updates = client_for(alice).get(UPDATES, {"since": since}).json()["updates"]
    assert updates == [{"pts": since + 1, "type": "read", "chat_id": direct.id, "user_id": bob.id, "seq": 1}]


def test_membership_changes_are_logged_for_the_members(client_for, alice, bob, carol, group):
    since = client_for(carol).get(f"{UPDATES}state/").json()["pts"]

    services.chat_member_remove(actor=alice, chat_id=group.id, user_id=bob.id)

    updates = client_for(carol).get(UPDATES, {"since": since}).json()["updates"]
    assert [(u["type"], u["user_ids"]) for u in updates] == [("chat.member.removed", [bob.id])]
    bob_updates = client_for(bob).get(UPDATES, {"since": 0}).json()["updates"]
    assert bob_updates[-1]["type"] == "chat.member.removed"


def test_updates_come_in_pages(client_for, alice, bob, direct, send):
    for index in range(5):
        send(alice, direct, f"m{index}")
    client = client_for(bob)

    first = client.get(UPDATES, {"since": 0, "limit": 2}).json()
    second = client.get(UPDATES, {"since": first["pts"], "limit": 2}).json()
    third = client.get(UPDATES, {"since": second["pts"], "limit": 2}).json()

    texts = [u["message"]["text"] for page in (first, second, third) for u in page["updates"]]
    assert texts == ["m0", "m1", "m2", "m3", "m4"]
    assert (first["has_more"], second["has_more"], third["has_more"]) == (True, True, False)


def test_a_gap_too_large_answers_too_long(client_for, alice, bob, direct, send, settings):
    settings.UPDATES_MAX_GAP = 3
    for index in range(5):
        send(alice, direct, f"m{index}")

    body = client_for(bob).get(UPDATES, {"since": 0}).json()

    assert body == {"too_long": True, "pts": 5}


def test_a_trimmed_log_answers_too_long(client_for, alice, bob, direct, send):
    from apps.updates.models import Update

    for index in range(3):
        send(alice, direct, f"m{index}")
    Update.objects.filter(user_id=bob.id, pts=1).delete()

    assert client_for(bob).get(UPDATES, {"since": 0}).json() == {"too_long": True, "pts": 3}
    assert len(client_for(bob).get(UPDATES, {"since": 1}).json()["updates"]) == 2


@pytest.mark.parametrize("query", [{}, {"since": "x"}, {"since": -1}])
def test_updates_need_a_valid_since(client_for, alice, query):
    response = client_for(alice).get(UPDATES, query)

    assert response.status_code == 400
    assert "since" in response.json()["fields"]


def test_update_payloads_are_encrypted_at_rest(alice, bob, direct, send):
    from apps.updates.models import Update
    from tests.stores import raw_column

    send(alice, direct, "top secret plan")

    rows = raw_column(Update, "payload", user_id=bob.id)
    assert rows
    assert all("secret" not in row for row in rows)
