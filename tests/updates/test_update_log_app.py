"""The update log as an app of its own: its models moved from chats without their data
moving, and any app appends to it without the log knowing that app."""

import pytest
from django.db import connections, router
from django.db.migrations.executor import MigrationExecutor

from apps.core import crypto, documents
from apps.core.fields import Sealed, row_context
from apps.updates import kinds
from apps.updates.models import Update
from apps.updates.selectors import updates_since
from apps.updates.services import updates_append
from tests.factories import UserFactory


@pytest.mark.django_db
def test_an_unregistered_kind_is_kept_and_read_back_as_given():
    user = UserFactory()
    with documents.atomic():
        pts = updates_append(user_ids=[user.id], kind="test.plain", payload={"n": 1, "who": "ann"})

    assert updates_since(user_id=user.id, since=0)["updates"] == [
        {"pts": pts[user.id], "type": "test.plain", "n": 1, "who": "ann"}
    ]


@pytest.mark.django_db
def test_a_registered_kind_keeps_a_reference_and_is_rendered_when_read(monkeypatch):
    """What chats does for messages, with a kind of this test's own."""
    now = {"42": "as it is now"}
    handling = kinds.Kind(
        reference=lambda payload: {"thing_id": payload["thing"]["id"]},
        render=lambda user_id, refs: [
            {"thing": {"id": r["thing_id"], "text": now[r["thing_id"]]}} for r in refs
        ],
    )
    monkeypatch.setitem(kinds._KINDS, "test.thing", handling)
    user = UserFactory()
    with documents.atomic():
        updates_append(
            user_ids=[user.id], kind="test.thing", payload={"thing": {"id": "42", "text": "as sent"}}
        )

    row = Update.objects.get(user_id=user.id, kind="test.thing")
    assert row.payload == {"thing_id": "42"}  # no copy of the content
    assert updates_since(user_id=user.id, since=0)["updates"][0]["thing"] == {
        "id": "42",
        "text": "as it is now",
    }


def test_a_kind_cannot_be_registered_twice_differently():
    first = kinds.kind_of("message.new")

    with pytest.raises(RuntimeError, match="registered twice"):
        kinds.register(["message.new"], kinds.Kind(reference=dict, render=lambda u, r: r))
    assert kinds.kind_of("message.new") is first


@pytest.mark.django_db
def test_rows_sealed_before_the_move_still_open():
    """Rows keep the chats app's label in their associated data (`sealed_label`)."""
    user = UserFactory()
    with documents.atomic():
        updates_append(user_ids=[user.id], kind="test.plain", payload={"n": 7})
    row = Update.objects.get(user_id=user.id)
    legacy = crypto.encrypt('{"n": 8}', context=row_context("chats.update.payload", [user.id, row.pts]))
    Update.objects.filter(pk=row.pk).update(payload=Sealed(legacy))

    assert Update.objects.get(pk=row.pk).payload == {"n": 8}


@pytest.mark.django_db(transaction=True)
def test_migrating_across_the_move_keeps_the_tables_and_their_rows():
    user = UserFactory()
    with documents.atomic():
        updates_append(user_ids=[user.id], kind="test.plain", payload={"n": 1})
    connection = connections[router.db_for_write(Update)]  # the document store's database
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()

    executor.migrate([("chats", "0003_update_log_references"), ("updates", None)])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM chats_update WHERE user_id = %s", [user.id])
        assert cursor.fetchone()[0] == 1  # back before the move: the log is the chats app's again
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(leaves)

    assert updates_since(user_id=user.id, since=0)["updates"] == [{"pts": 1, "type": "test.plain", "n": 1}]
