import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.contacts import services
from apps.contacts.models import Contact, Invitation
from apps.profiles.services import profile_update
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INVITATIONS = "/api/v1/contacts/invitations/"


@pytest.fixture
def ann(db):
    return UserFactory(username="ann", email="ann@example.org", phone="+15550100001")


@pytest.fixture
def ben(db):
    return UserFactory(username="ben")


def invite(client, user_id):
    return client.post(INVITATIONS, {"user_id": user_id}, format="json")


def act(client, invitation_id, action):
    return client.post(f"{INVITATIONS}{invitation_id}/{action}/")


def contact_ids(client):
    return [row["user"]["id"] for row in client.get("/api/v1/contacts/").json()["results"]]


def test_invite_then_accept_makes_both_contacts(client_for, ann, ben):
    created = invite(client_for(ann), ben.id)

    assert created.status_code == 201
    assert created.json() | {"created_at": None} == {
        "id": created.json()["id"],
        "from_user": ann.id,
        "to_user": ben.id,
        "status": "pending",
        "created_at": None,
        "decided_at": None,
    }
    incoming = client_for(ben).get(INVITATIONS, {"direction": "incoming"}).json()["results"]
    assert [i["id"] for i in incoming] == [created.json()["id"]]

    accepted = act(client_for(ben), created.json()["id"], "accept")

    assert accepted.json()["status"] == "accepted"
    assert contact_ids(client_for(ann)) == [ben.id]
    assert contact_ids(client_for(ben)) == [ann.id]


def test_deny_and_cancel_end_an_invitation_without_contacts(client_for, ann, ben):
    first = invite(client_for(ann), ben.id).json()
    assert act(client_for(ben), first["id"], "deny").json()["status"] == "denied"
    second = invite(client_for(ann), ben.id).json()
    assert act(client_for(ann), second["id"], "cancel").json()["status"] == "cancelled"

    assert contact_ids(client_for(ann)) == []
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("actor", "action", "status", "code"),
    [
        ("inviter", "accept", 403, "not_invitee"),
        ("inviter", "deny", 403, "not_invitee"),
        ("invitee", "cancel", 403, "not_inviter"),
        ("stranger", "accept", 404, "invitation_not_found"),
    ],
)
def test_only_the_right_party_decides(client_for, ann, ben, actor, action, status, code):
    invitation = invite(client_for(ann), ben.id).json()
    who = {"inviter": ann, "invitee": ben, "stranger": UserFactory()}[actor]

    response = act(client_for(who), invitation["id"], action)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert Invitation.objects.get(pk=invitation["id"]).status == "pending"


@pytest.mark.parametrize("first", ["accept", "deny", "cancel"])
def test_a_decided_invitation_cannot_be_decided_again(client_for, ann, ben, first):
    invitation = invite(client_for(ann), ben.id).json()
    act(client_for(ann if first == "cancel" else ben), invitation["id"], first)

    response = act(client_for(ben), invitation["id"], "accept")

    assert response.status_code == 409
    assert response.json()["code"] == "invitation_not_pending"


def test_a_second_invitation_to_the_same_person_returns_the_pending_one(client_for, ann, ben):
    first = invite(client_for(ann), ben.id)
    again = invite(client_for(ann), ben.id)

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Invitation.objects.count() == 1


def test_inviting_someone_who_invited_you_accepts_theirs(client_for, ann, ben):
    theirs = invite(client_for(ben), ann.id).json()

    response = invite(client_for(ann), ben.id)

    assert response.json()["id"] == theirs["id"]
    assert response.json()["status"] == "accepted"
    assert contact_ids(client_for(ann)) == [ben.id]


def test_invitation_refusals(client_for, ann, ben):
    client = client_for(ann)
    assert invite(client, ann.id).json()["code"] == "cannot_invite_self"
    assert invite(client, 999999).status_code == 404
    services.user_block(user=ben, blocked_id=ann.id)
    assert invite(client, ben.id).json()["code"] == "blocked"
    assert invite(client_for(ben), ann.id).status_code == 403  # the blocker cannot invite either
    services.user_unblock(user=ben, blocked_id=ann.id)
    invitation = invite(client, ben.id).json()
    act(client_for(ben), invitation["id"], "accept")
    already = invite(client, ben.id)
    assert (already.status_code, already.json()["code"]) == (409, "already_contacts")


def test_blocking_ends_pending_invitations(client_for, ann, ben):
    invitation = invite(client_for(ann), ben.id).json()

    assert client_for(ben).post("/api/v1/blocks/", {"user_id": ann.id}, format="json").status_code == 201

    assert Invitation.objects.get(pk=invitation["id"]).status == "denied"
    blocked = client_for(ben).get("/api/v1/blocks/").json()["results"]
    assert [row["user"]["id"] for row in blocked] == [ann.id]
    assert client_for(ben).delete(f"/api/v1/blocks/{ann.id}/").status_code == 204
    assert client_for(ben).delete(f"/api/v1/blocks/{ann.id}/").status_code == 404


def test_removing_a_contact_removes_both_directions(client_for, ann, ben):
    invitation = invite(client_for(ann), ben.id).json()
    act(client_for(ben), invitation["id"], "accept")

    assert client_for(ben).delete(f"/api/v1/contacts/{ann.id}/").status_code == 204

    assert contact_ids(client_for(ann)) == []
    assert contact_ids(client_for(ben)) == []
    assert client_for(ben).delete(f"/api/v1/contacts/{ann.id}/").json()["code"] == "not_a_contact"


def test_contact_list_cache_follows_changes(client_for, ann, ben, after_commit):
    client = client_for(ann)
    assert contact_ids(client) == []  # cached empty
    invitation = invite(client, ben.id).json()

    with after_commit():
        act(client_for(ben), invitation["id"], "accept")
    assert contact_ids(client) == [ben.id]

    with after_commit():
        client.delete(f"/api/v1/contacts/{ben.id}/")
    assert contact_ids(client) == []


def test_contact_list_query_count_does_not_grow_with_its_length(client_for, ann):
    client = client_for(ann)

    def add(count):
        for _ in range(count):
            other = UserFactory()
            invitation, _ = services.invitation_send(from_user=ann, to_user_id=other.id)
            services.invitation_accept(user=other, invitation_id=invitation.id)

    def queries():
        """Queries of a contact list with nothing but the auth state cached."""
        from django.core.cache import cache

        cache.clear()
        client.get("/api/v1/auth/me/")
        with CaptureQueriesContext(connection) as captured:
            client.get("/api/v1/contacts/")
        return len(captured)

    add(2)
    few = queries()
    add(6)
    many = queries()

    assert len(contact_ids(client)) == 8
    assert few == many


def test_invitation_list_pages_and_filters(client_for, ann):
    others = [UserFactory() for _ in range(3)]
    for other in others:
        invite(client_for(other), ann.id)
    client = client_for(ann)

    first = client.get(INVITATIONS, {"limit": 2, "status": "pending"}).json()
    second = client.get(INVITATIONS, {"limit": 2, "before": first["results"][-1]["id"]}).json()

    assert [i["from_user"] for i in first["results"] + second["results"]] == [o.id for o in reversed(others)]
    assert (first["has_more"], second["has_more"]) == (True, False)
    assert client.get(INVITATIONS, {"direction": "sideways"}).status_code == 400


def test_invitations_are_logged_for_both_people(client_for, ann, ben):
    invite(client_for(ann), ben.id)

    updates = client_for(ben).get("/api/v1/updates/", {"since": 0}).json()["updates"]

    assert [(u["type"], u["invitation"]["from_user"]) for u in updates] == [("contact.invitation", ann.id)]


def test_lookup_finds_only_people_who_allow_it_and_answers_alike_otherwise(
    client_for, ann, ben, after_commit
):
    client = client_for(ben)

    hidden = client.post("/api/v1/contacts/lookup/", {"email": "ann@example.org"}, format="json")
    nobody = client.post("/api/v1/contacts/lookup/", {"email": "nobody@example.org"}, format="json")
    with after_commit():
        profile_update(user=ann, discoverable=True)
    found = client.post("/api/v1/contacts/lookup/", {"phone": "+1 555 010 0001"}, format="json")

    assert hidden.status_code == nobody.status_code == 200
    assert hidden.json() == nobody.json() == {"results": []}
    assert [p["id"] for p in found.json()["results"]] == [ann.id]


def test_lookup_by_username_finds_anyone_in_any_case_but_not_who_blocked_you(client_for, ann, ben):
    cat = UserFactory(username="cat")
    client = client_for(ben)

    found = client.post("/api/v1/contacts/lookup/", {"username": ann.username.upper()}, format="json")
    nobody = client.post("/api/v1/contacts/lookup/", {"username": "nobody_here"}, format="json")
    client_for(cat).post("/api/v1/blocks/", {"user_id": ben.id}, format="json")
    blocker = client.post("/api/v1/contacts/lookup/", {"username": cat.username}, format="json")
    malformed = client.post("/api/v1/contacts/lookup/", {"username": "a b"}, format="json")

    assert [(p["id"], p["username"]) for p in found.json()["results"]] == [(ann.id, ann.username)]
    assert nobody.status_code == blocker.status_code == 200
    assert nobody.json() == blocker.json() == {"results": []}
    assert malformed.status_code == 400
    assert "username" in malformed.json()["fields"]


def test_lookup_needs_exactly_one_of_username_email_or_phone(client_for, ben):
    client = client_for(ben)

    for body in ({}, {"username": "ann", "email": "ann@example.org"}):
        response = client.post("/api/v1/contacts/lookup/", body, format="json")
        assert response.status_code == 400
        assert response.json()["fields"]["non_field_errors"][0]["code"] == "lookup_needs_one"


def test_lookup_is_rate_limited(client_for, ben, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "lookup": "3/hour"}
    client = client_for(ben)

    statuses = [
        client.post("/api/v1/contacts/lookup/", {"email": f"x{i}@example.org"}, format="json").status_code
        for i in range(5)
    ]

    assert statuses == [200, 200, 200, 429, 429]


def test_a_contact_action_that_fails_leaves_no_update_log_rows(monkeypatch, ann, ben):
    """The log rows live in the document store (a database of its own in the split-store pass):
    they must roll back with the invitation."""
    from apps.updates.models import Update

    invitation, _ = services.invitation_send(from_user=ann, to_user_id=ben.id)
    logged = Update.objects.count()

    def fail(*user_ids):
        raise RuntimeError("failed after the log rows were written")

    monkeypatch.setattr(services, "_contact_lists_changed", fail)
    with pytest.raises(RuntimeError):
        services.invitation_accept(user=ben, invitation_id=invitation.id)

    assert Update.objects.count() == logged
    assert Invitation.objects.get(pk=invitation.pk).status == "pending"


@pytest.mark.django_db(transaction=True)
def test_the_update_log_refuses_writes_outside_a_transaction(ann):
    from apps.updates.services import updates_append

    with pytest.raises(RuntimeError, match="transactional"):
        updates_append(user_ids=[ann.id], kind="contact.invitation", payload={})
