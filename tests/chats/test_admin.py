import pytest

from apps.chats.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(django_user_model):
    return django_user_model.objects.create_superuser(username="mod", password="x-admin-pass-123")


def test_message_list_shows_no_text_and_detail_shows_it_decrypted(client, moderator, alice, direct, send):
    message = send(alice, direct, "private words")
    client.force_login(moderator)

    listing = client.get("/admin/chats/message/")
    detail = client.get(f"/admin/chats/message/{message['id']}/change/")

    assert listing.status_code == 200
    assert b"private words" not in listing.content
    assert detail.status_code == 200
    assert b"private words" in detail.content


def test_delete_for_everyone_action_erases_and_tells_the_members(
    client_for, client, moderator, alice, bob, direct, send
):
    message = send(alice, direct, "report me")
    client.force_login(moderator)

    response = client.post(
        "/admin/chats/message/",
        {"action": "delete_for_everyone", "_selected_action": [message["id"]]},
        follow=True,
    )

    assert response.status_code == 200
    erased = Message.objects.get(pk=message["id"])
    assert (erased.deleted, erased.text) == (True, "")
    updates = client_for(bob).get("/api/v1/updates/", {"since": 0}).json()["updates"]
    assert updates[-1]["type"] == "message.deleted"
    assert updates[-1]["message_id"] == message["id"]


def test_admin_pages_of_every_app_render(client, moderator, alice, bob, direct, send):
    send(alice, direct, "x")
    client.force_login(moderator)

    for path in (
        "/admin/chats/chat/",
        f"/admin/chats/chat/{direct.id}/change/",
        "/admin/profiles/profile/",
        "/admin/contacts/invitation/",
        "/admin/contacts/contact/",
        "/admin/contacts/block/",
        "/admin/files/file/",
        "/admin/accounts/user/",
        "/admin/accounts/user/?q=alice@example.org",
    ):
        assert client.get(path).status_code == 200, path


def test_user_admin_finds_a_user_by_exact_email_through_the_blind_index(client, moderator, alice):
    client.force_login(moderator)

    found = client.get("/admin/accounts/user/", {"q": "ALICE@example.org"})
    page = client.get(f"/admin/accounts/user/{alice.id}/change/")

    assert b">alice<" in found.content
    assert b"alice@example.org" in page.content  # shown decrypted
