"""Users report what they can see; reports of one thing merge; moderators' decisions act at once
and are audited."""

import pytest
from django.db import connection

from apps.moderation import services
from apps.moderation.models import AuditLog, Report
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
REPORTS = "/api/v1/reports/"


def report(client, kind, target_id, reason="abuse", **extra):
    return client.post(
        REPORTS, {"kind": kind, "target_id": target_id, "reason": reason, **extra}, format="json"
    )


def test_reports_of_one_message_merge_and_one_reporter_counts_once(client_for, direct, abusive_message):
    from apps.chats import services as chats

    _chat, alice, bob = direct
    carol = UserFactory()
    group = chats.chat_group_create(creator=alice, title="G", member_ids=[bob.id, carol.id])
    stored, _, _ = chats.message_send(sender=alice, chat_id=group.id, text="spam spam")

    first = report(client_for(bob), "message", stored["id"], "spam", comment="again and again")
    again = report(client_for(bob), "message", stored["id"], "spam")
    other = report(client_for(carol), "message", stored["id"], "abuse")

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    merged = Report.objects.get()
    assert (merged.kind, merged.target_id, merged.reports_count, merged.author_id) == (
        "message",
        stored["id"],
        2,
        alice.id,
    )


def test_only_what_the_reporter_can_see_can_be_reported(client_for, abusive_message, channel):
    outsider = client_for(UserFactory())

    assert report(outsider, "message", abusive_message["id"]).status_code == 404
    assert report(outsider, "message", 10**9).json()["code"] == "target_not_found"
    assert report(outsider, "channel", channel.id, "spam").status_code == 201
    assert not Report.objects.filter(kind="message").exists()


def test_bad_reports_are_field_errors_and_self_reports_are_refused(client_for, user):
    client = client_for(user)

    bad_kind = report(client, "planet", 1)
    bad_reason = report(client, "user", 1, reason="meh")
    self_report = report(client, "user", user.id)

    assert bad_kind.status_code == bad_reason.status_code == 400
    assert "kind" in bad_kind.json()["fields"]
    assert "reason" in bad_reason.json()["fields"]
    assert self_report.json()["code"] == "cannot_report_self"
    assert report(type(client)(), "user", user.id).status_code == 401


def test_a_new_report_after_a_decision_opens_a_new_case(client_for, moderator, channel):
    reporter = client_for(UserFactory())
    report(reporter, "channel", channel.id, "spam")
    services.report_decide(
        moderator=moderator, report=Report.objects.get(), decision=services.Decision.DISMISS, note="fine"
    )

    assert report(reporter, "channel", channel.id, "spam").status_code == 201
    assert list(Report.objects.order_by("id").values_list("status", flat=True)) == ["dismissed", "open"]


def test_remove_and_ban_deletes_for_everyone_revokes_tokens_and_audits(
    client_for, login, moderator, direct, abusive_message
):
    chat, alice, bob = direct
    alice_client = client_for(alice)
    report(client_for(bob), "message", abusive_message["id"])
    case = Report.objects.get()

    services.report_decide(
        moderator=moderator, report=case, decision=services.Decision.REMOVE_AND_BAN, note="threats"
    )

    history = client_for(bob).get(f"/api/v1/chats/{chat.id}/messages/").json()["results"]
    assert [m for m in history if m["id"] == abusive_message["id"]] == []
    assert alice_client.get("/api/v1/chats/").status_code == 401
    case.refresh_from_db()
    assert (case.status, case.closed_by_id, case.note) == ("resolved", moderator.id, "threats")
    assert list(AuditLog.objects.order_by("id").values_list("action", "target_id", "reason")) == [
        ("remove_message", abusive_message["id"], "threats"),
        ("ban_user", str(alice.id), "threats"),
        ("report_resolved", abusive_message["id"], "threats"),
    ]


def test_the_audit_log_cannot_be_changed_or_deleted(moderator):
    entry = services.audit(actor=moderator, action="ban_user", target_kind="user", target_id=1, reason="x")

    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.all().update(reason="rewritten")
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()


@pytest.mark.postgres
def test_on_postgres_the_database_itself_refuses_to_rewrite_the_log(moderator):
    from django.db import DatabaseError, transaction

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL")
    entry = services.audit(actor=moderator, action="ban_user", target_kind="user", target_id=1)

    for statement in ("UPDATE moderation_auditlog SET reason = 'x'", "DELETE FROM moderation_auditlog"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    assert AuditLog.objects.get().pk == entry.pk
