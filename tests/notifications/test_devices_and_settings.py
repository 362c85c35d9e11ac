from datetime import timedelta

import pytest
from django.utils import timezone
from fcm_django.models import FCMDevice

from apps.broadcasts import services as broadcasts
from apps.chats import services as chats
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEVICES = "/api/v1/devices/"
SETTINGS = "/api/v1/notification-settings/"
TOKEN = "fcm-token-" + "x" * 140


def test_a_device_registers_once_and_a_repeat_refreshes_it(client_for, user):
    client = client_for(user)

    first = client.post(
        DEVICES, {"registration_id": TOKEN, "type": "android", "name": "Pixel"}, format="json"
    )
    again = client.post(
        DEVICES, {"registration_id": TOKEN, "type": "android", "name": "Pixel 9"}, format="json"
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert [d["name"] for d in client.get(DEVICES).json()["results"]] == ["Pixel 9"]
    assert "registration_id" not in first.json()  # the token is not echoed back


def test_a_token_still_active_for_another_account_is_refused(client_for, user):
    previous_owner = UserFactory()
    client_for(previous_owner).post(DEVICES, {"registration_id": TOKEN, "type": "ios"}, format="json")

    response = client_for(user).post(DEVICES, {"registration_id": TOKEN, "type": "ios"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "token_in_use"
    assert FCMDevice.objects.get().user_id == previous_owner.id  # their notifications stay theirs


def test_a_dead_token_registered_by_another_account_moves_to_the_new_one(client_for, user):
    previous_owner = UserFactory()
    client_for(previous_owner).post(DEVICES, {"registration_id": TOKEN, "type": "ios"}, format="json")
    FCMDevice.objects.update(active=False)

    response = client_for(user).post(DEVICES, {"registration_id": TOKEN, "type": "ios"}, format="json")

    assert response.status_code == 200
    device = FCMDevice.objects.get()
    assert (device.user_id, device.active) == (user.id, True)
    assert client_for(previous_owner).get(DEVICES).json()["results"] == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"type": "android"}, "registration_id"), ({"registration_id": TOKEN, "type": "fax"}, "type")],
)
def test_bad_device_input_is_a_field_error(client_for, user, payload, field):
    response = client_for(user).post(DEVICES, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_only_ones_own_device_can_be_unregistered(client_for, user):
    device_id = (
        client_for(user).post(DEVICES, {"registration_id": TOKEN, "type": "web"}, format="json").json()["id"]
    )

    assert client_for(UserFactory()).delete(f"{DEVICES}{device_id}/").status_code == 404
    assert client_for(user).delete(f"{DEVICES}{device_id}/").status_code == 204
    missing = client_for(user).delete(f"{DEVICES}{device_id}/")
    assert (missing.status_code, missing.json()["code"]) == (404, "device_not_found")


def test_the_global_switch(client_for, user):
    client = client_for(user)

    assert client.get(SETTINGS).json() == {"enabled": True, "mutes": []}
    assert client.patch(SETTINGS, {"enabled": False}, format="json").json()["enabled"] is False
    assert client.get(SETTINGS).json()["enabled"] is False


def test_mutes_for_ever_or_until_a_time_and_only_what_one_can_see(client_for, user):
    peer, owner = UserFactory(), UserFactory()
    chat, _ = chats.chat_direct_open(user=user, peer_id=peer.id)
    channel = broadcasts.channel_create(owner=owner, handle="mute_news", title="Mute news")
    private = broadcasts.channel_create(owner=owner, handle="mute_club", title="Club", is_public=False)
    others_chat, _ = chats.chat_direct_open(user=peer, peer_id=owner.id)
    client = client_for(user)
    later = (timezone.now() + timedelta(hours=8)).isoformat()

    client.post(f"{SETTINGS}mutes/", {"kind": "chat", "target_id": chat.id}, format="json")
    body = client.post(
        f"{SETTINGS}mutes/", {"kind": "channel", "target_id": channel.id, "until": later}, format="json"
    ).json()

    assert [(m["kind"], m["target_id"], m["until"] is None) for m in body["mutes"]] == [
        ("channel", channel.id, False),
        ("chat", chat.id, True),
    ]
    for kind, target in (("chat", others_chat.id), ("channel", private.id), ("chat", 999999)):
        refused = client.post(f"{SETTINGS}mutes/", {"kind": kind, "target_id": target}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (404, "target_not_found")
    past = client.post(
        f"{SETTINGS}mutes/",
        {"kind": "chat", "target_id": chat.id, "until": (timezone.now() - timedelta(minutes=1)).isoformat()},
        format="json",
    )
    assert past.json()["fields"]["until"][0]["code"] == "until_in_the_past"
    assert client.delete(f"{SETTINGS}mutes/chat/{chat.id}/").status_code == 204
    assert client.delete(f"{SETTINGS}mutes/chat/{chat.id}/").json()["code"] == "mute_not_found"


def test_an_expired_mute_is_not_listed(client_for, user):
    from apps.notifications.models import Mute

    peer = UserFactory()
    chat, _ = chats.chat_direct_open(user=user, peer_id=peer.id)
    Mute.objects.create(
        user=user, kind="chat", target_id=chat.id, until=timezone.now() - timedelta(minutes=1)
    )

    assert client_for(user).get(SETTINGS).json()["mutes"] == []


def test_devices_and_settings_need_authentication(api_client):
    assert api_client.get(DEVICES).status_code == 401
    assert api_client.get(SETTINGS).status_code == 401
