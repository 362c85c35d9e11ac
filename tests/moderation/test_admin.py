"""The moderators' admin, through Django's test client: the queue, content in place, the
decision form, who may read private messages, and the audit of every view."""

import pytest
from django.contrib.auth.models import Group

from apps.moderation.models import AuditLog, Report
from apps.moderation.permissions import MODERATORS, PERMISSIONS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
QUEUE = "/admin/moderation/report/"


@pytest.fixture
def as_moderator(client, moderator):
    client.force_login(moderator)
    return client


def reported(client_for, reporters, kind, target_id, reason="abuse"):
    for person in reporters:
        response = client_for(person).post(
            "/api/v1/reports/", {"kind": kind, "target_id": target_id, "reason": reason}, format="json"
        )
        assert response.status_code in (200, 201), response.content


def test_the_moderators_group_has_exactly_the_permissions_moderation_needs():
    group = Group.objects.get(name=MODERATORS)
    granted = {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }
    assert granted == set(PERMISSIONS)
    assert not any(name.startswith(("moderation.delete_", "moderation.change_audit")) for name in granted)


def test_the_queue_puts_the_most_reported_first(as_moderator, client_for, channel, direct):
    _chat, alice, bob = direct
    reported(client_for, [UserFactory() for _ in range(3)], "channel", channel.id, "spam")
    reported(client_for, [bob], "user", alice.id)

    page = as_moderator.get(QUEUE).content.decode()

    assert page.index("channel " + str(channel.id)) < page.index("user " + str(alice.id))
    assert "spam: 3" in page


def test_opening_a_report_shows_the_content_in_place_and_audits_the_view(
    as_moderator, moderator, client_for, direct, abusive_message
):
    _chat, _alice, bob = direct
    reported(client_for, [bob], "message", abusive_message["id"])
    case = Report.objects.get()

    page = as_moderator.get(f"{QUEUE}{case.pk}/change/").content.decode()

    assert "you will regret this" in page
    (view,) = AuditLog.objects.filter(action="view_content")
    assert (view.actor_id, view.target_kind, view.target_id) == (
        moderator.id,
        "message",
        abusive_message["id"],
    )


def test_deciding_in_the_form_bans_at_once_and_needs_a_reason(
    as_moderator, client_for, login, direct, abusive_message
):
    _chat, alice, bob = direct
    alice_client = client_for(alice)
    reported(client_for, [bob], "message", abusive_message["id"])
    case = Report.objects.get()
    url = f"{QUEUE}{case.pk}/change/"

    no_reason = as_moderator.post(url, {"decision": "ban", "note": "", **_inline_management()})
    assert no_reason.status_code == 200
    assert "Say why" in no_reason.content.decode()
    assert alice_client.get("/api/v1/chats/").status_code == 200

    decided = as_moderator.post(url, {"decision": "ban", "note": "threats", **_inline_management()})

    assert decided.status_code == 302
    assert alice_client.get("/api/v1/chats/").status_code == 401
    case.refresh_from_db()
    assert case.status == "resolved"
    assert AuditLog.objects.filter(action="ban_user", target_id=alice.id, reason="threats").exists()


def _inline_management():
    # The report's entries are shown inline (read-only); the form still posts their management form.
    return {
        "entries-TOTAL_FORMS": "0",
        "entries-INITIAL_FORMS": "0",
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "0",
    }


def test_staff_outside_the_group_cannot_read_private_messages(client, direct, abusive_message, moderator):
    from django.contrib.auth.models import Permission

    clerk = UserFactory(username="clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_message"))
    url = f"/admin/chats/message/{abusive_message['id']}/change/"

    client.force_login(clerk)
    clerk_page = client.get(url).content.decode()
    client.force_login(moderator)
    moderator_page = client.get(url).content.decode()

    assert "you will regret this" not in clerk_page
    assert "hidden" in clerk_page
    assert "you will regret this" in moderator_page
    assert list(AuditLog.objects.values_list("actor_id", "action")) == [(moderator.id, "view_message")]


def test_nobody_can_edit_or_delete_the_audit_log_in_the_admin(admin_client, moderator):
    from apps.moderation.services import audit

    entry = audit(actor=moderator, action="ban_user", target_kind="user", target_id=1, reason="x")

    assert admin_client.get("/admin/moderation/auditlog/").status_code == 200
    assert (
        admin_client.post(f"/admin/moderation/auditlog/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert (
        admin_client.post(f"/admin/moderation/auditlog/{entry.pk}/change/", {"reason": "y"}).status_code
        == 403
    )
    entry.refresh_from_db()
    assert entry.reason == "x"


def test_a_user_without_moderation_rights_cannot_open_the_queue(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(QUEUE).status_code == 403


def test_ban_and_unban_from_the_user_list(as_moderator, client_for, login, password):
    target = UserFactory(username="troll")
    target_client = client_for(target)

    as_moderator.post("/admin/accounts/user/", {"action": "ban", "_selected_action": [target.pk]})
    assert target_client.get("/api/v1/chats/").status_code == 401
    as_moderator.post("/admin/accounts/user/", {"action": "unban", "_selected_action": [target.pk]})
    assert login(target, password)["access"]
    assert list(AuditLog.objects.order_by("id").values_list("action", flat=True)) == [
        "ban_user",
        "unban_user",
    ]


def test_reading_a_post_in_the_admin_is_audited(as_moderator, moderator, channel):
    from apps.broadcasts import services as broadcasts

    post = broadcasts.post_create(user=channel.owner, channel_id=channel.id, text="members only news")

    page = as_moderator.get(f"/admin/broadcasts/post/{post.id}/change/").content.decode()

    assert "members only news" in page
    assert list(AuditLog.objects.values_list("actor_id", "action", "target_id")) == [
        (moderator.id, "view_post", str(post.id))
    ]


def test_the_queue_shows_open_reports_and_others_on_request(
    as_moderator, moderator, client_for, channel, direct
):
    from apps.moderation import services

    _chat, alice, bob = direct
    reported(client_for, [bob], "user", alice.id)
    reported(client_for, [bob], "channel", channel.id, "spam")
    services.report_decide(
        moderator=moderator, report=Report.objects.get(kind="user"), decision="dismiss", note="banter"
    )

    queue = as_moderator.get(QUEUE).content.decode()
    everything = as_moderator.get(QUEUE + "?status=all").content.decode()

    assert f"channel {channel.id}" in queue
    assert f"user {alice.id}" not in queue
    assert f"user {alice.id}" in everything
