"""manage.py export_user_data and delete_user."""

import json

import pytest
from django.core.management import CommandError, call_command

from apps.moderation.models import AuditLog
from apps.notifications import services as notifications

pytestmark = pytest.mark.django_db(transaction=True)


def test_export_gives_one_persons_data_decrypted_as_json(direct, abusive_message, tmp_path, capsys):
    _chat, alice, _bob = direct
    alice.email = "alice@example.org"
    alice.save()
    out = tmp_path / "alice.json"

    call_command("export_user_data", "alice", "--output", str(out))

    data = json.loads(out.read_text())
    assert data["account"]["email"] == "alice@example.org"
    assert data["profile"]["display_name"] == "Alice A."
    assert [m["text"] for m in data["messages_sent"]] == ["you will regret this"]
    assert "messages_sent: 1" in capsys.readouterr().err
    assert AuditLog.objects.filter(
        action="export_user_data", target_id=alice.id, actor_username="manage.py"
    ).exists()


def test_an_unknown_user_is_an_error_that_says_what_to_give():
    with pytest.raises(CommandError, match="username or a numeric id") as raised:
        call_command("export_user_data", "nobody_here")
    assert raised.value.returncode == 2


def test_delete_user_erases_personal_data_and_leaves_messages_from_a_deleted_account(
    direct, abusive_message, client_for, login, password, capsys
):
    chat, alice, bob = direct
    alice.email = "alice@example.org"
    alice.save()
    alice_client = client_for(alice)
    notifications.device_register(user=alice, registration_id="tok-alice", type="ios")

    call_command("delete_user", "alice", "--dry-run")
    assert "dry run" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--yes"):
        call_command("delete_user", "alice")
    call_command("delete_user", "alice", "--yes", "--reason", "asked by the user")

    alice.refresh_from_db()
    assert (alice.username, alice.email, alice.is_active, alice.has_usable_password()) == (
        f"deleted{alice.id}",
        None,
        False,
        False,
    )
    assert alice_client.get("/api/v1/chats/").status_code == 401
    history = client_for(bob).get(f"/api/v1/chats/{chat.id}/messages/").json()["results"]
    assert [m["text"] for m in history] == ["you will regret this"]
    sender = client_for(bob).get(f"/api/v1/profiles/{alice.id}/")
    assert (sender.status_code, sender.json().get("display_name")) == (200, "Deleted account")
    assert "devices and notification settings: 1 removed" in capsys.readouterr().out
    assert AuditLog.objects.filter(
        action="delete_user", target_id=alice.id, reason="asked by the user"
    ).exists()
