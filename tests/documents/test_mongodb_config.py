"""The MongoDB document store, checked as far as it can be without a MongoDB server (none can
be installed on the machines this suite runs on; `make test-mongo` runs the document apps'
tests against a real one). A subprocess starts the app with MONGODB_URI at a closed port, and
django-mongodb-backend builds for real what the app would send: fields, routes, migrations,
index specs and query pipelines (tests/documents/mongo_probe.py)."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

OBJECT_ID = "django_mongodb_backend.fields.auto.ObjectIdAutoField"
OBJECT_ID_REF = "django_mongodb_backend.fields.objectid.ObjectIdField"
SAMPLE = "65f1c0ffee0123456789abcd"


@pytest.fixture(scope="module")
def probe():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "telegram.settings.test",
        # Nothing listens on port 9: any attempt to reach a server would fail the probe.
        "MONGODB_URI": "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=300&connectTimeoutMS=300",
    }
    env.pop("DOCUMENTS_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "tests.documents.mongo_probe"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_mongodb_uri_makes_the_documents_alias_a_mongodb_database(probe):
    assert (probe["alias"], probe["engine"], probe["vendor"]) == (
        "documents",
        "django_mongodb_backend",
        "mongodb",
    )


def test_document_models_get_objectid_keys_and_refer_to_documents_by_objectid(probe):
    fields = probe["fields"]
    for label in (
        "chats.Message",
        "updates.Update",
        "broadcasts.Post",
        "broadcasts.Comment",
        "profiles.Profile",
    ):
        assert fields[label]["id"] == OBJECT_ID, label
    assert fields["core.OutboxEvent"]["id"] == OBJECT_ID
    assert fields["chats.Message"]["reply_to"] == OBJECT_ID_REF
    assert fields["chats.HiddenMessage"]["message_id"] == OBJECT_ID_REF
    assert fields["broadcasts.Comment"]["post_id"] == OBJECT_ID_REF
    # keyed by the user: an int, as in SQL
    assert fields["updates.UpdateState"] == {"user_id": "django.db.models.fields.BigIntegerField"}


def test_documents_go_to_mongodb_and_relational_models_stay_in_postgres(probe):
    for label, alias in probe["write_to"].items():
        relational = label in ("accounts.User", "chats.Chat", "broadcasts.Channel", "moderation.Report")
        assert alias == ("default" if relational else "documents"), label
        assert probe["migrate_on"][label] == [alias], label
    # Third-party data migrations (simplejwt's) run only where their tables are.
    assert probe["third_party_data_migrations_on"] == ["default"]


def test_the_migrations_match_the_models_under_mongodb(probe):
    """Models and migrations choose fields through the same functions: no migration is
    missing (and none would be made) when MONGODB_URI is set."""
    assert probe["missing_migrations"] == {}


def test_migrate_would_create_the_unique_and_lookup_indexes(probe):
    message = probe["indexes"]["chats.Message"]
    assert message["chats_message_unique_seq"]["key"] == {"chat_id": 1, "seq": 1}
    assert message["chats_message_unique_seq"]["unique"] is True
    # The SQL index skips rows without a client_msg_id; MongoDB's (no IS NULL in partial indexes)
    # skips them by type.
    client_id = message["chats_message_unique_client_id"]
    assert client_id["unique"] is True
    assert client_id["partialFilterExpression"]["client_msg_id"] == {"$type": "string"}
    assert probe["indexes"]["updates.Update"]["chats_update_unique_pts"]["key"] == {"user_id": 1, "pts": 1}
    assert probe["indexes"]["broadcasts.Comment"]["broadcasts__post_id_77850d_idx"]["key"] == {
        "post_id": 1,
        "_id": 1,
    }
    assert probe["indexes"]["core.OutboxEvent"]["outbox_unpublished"]["key"] == {"created_at": 1}


def test_the_hot_queries_compile_to_pipelines_their_indexes_serve(probe):
    pipelines = probe["pipelines"]
    assert pipelines["history"][0] == {"$match": {"chat_id": 7}}
    assert pipelines["history"][-2:] == [{"$sort": {"seq": -1}}, {"$limit": 40}]
    assert pipelines["updates_since"][0] == {"$match": {"$and": [{"pts": {"$gt": 10}}, {"user_id": 3}]}}
    assert pipelines["updates_since"][-2:] == [{"$sort": {"pts": 1}}, {"$limit": 100}]
    comments = pipelines["comments_after"]
    assert {"post_id": SAMPLE} in comments[0]["$match"]["$and"]
    assert {"_id": {"$gt": SAMPLE}} in comments[0]["$match"]["$and"]
    assert comments[-2:] == [{"$sort": {"_id": 1}}, {"$limit": 51}]
    assert pipelines["outbox_sweep"][-2:] == [{"$sort": {"created_at": 1}}, {"$limit": 500}]
    assert pipelines["hidden"][-1] == {"$project": {"message_id": 1}}


def test_changes_use_mongodb_transactions_not_row_locks(probe):
    assert probe["store_transaction"] == "django_mongodb_backend.transaction.Atomic"
    assert probe["locked_uses_select_for_update"] is False


def test_clients_ids_are_objectids_and_anything_else_is_refused(probe):
    assert probe["parsed_id"] == "bson.objectid.ObjectId"
    assert set(probe["refused_ids"]) == {"'42'", "'xyz'", "''", "None"}
    assert probe["urls"]["post_by_objectid"] == {"post_id": "bson.objectid.ObjectId"}
    assert probe["urls"]["message_by_objectid"] == {
        "chat_id": "builtins.int",
        "message_id": "bson.objectid.ObjectId",
    }
    assert probe["urls"]["post_by_int"] is None  # a 404
