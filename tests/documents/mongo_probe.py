"""What the app does with MONGODB_URI set, found without a MongoDB server (none can run on
the machines the suite runs on): run as `python -m tests.documents.mongo_probe` with
MONGODB_URI pointing at a closed port, it prints JSON that test_mongodb_config.py checks.

pymongo connects lazily, so settings, models, the router, migrations, the index specs that
`migrate` would send and the aggregation pipelines of the app's hot queries are all built
for real by django-mongodb-backend; only sending them is left to `make test-mongo`.
"""

import json

import django

django.setup()

from bson import ObjectId  # noqa: E402
from django.apps import apps  # noqa: E402
from django.db import connections, router  # noqa: E402
from django.db.migrations.autodetector import MigrationAutodetector  # noqa: E402
from django.db.migrations.loader import MigrationLoader  # noqa: E402
from django.db.migrations.state import ProjectState  # noqa: E402
from django.db.models import Index, UniqueConstraint  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402

from apps.broadcasts.models import Channel, Comment, Post  # noqa: E402
from apps.chats.models import Chat, HiddenMessage, Message  # noqa: E402
from apps.core import documents  # noqa: E402
from apps.core.models import OutboxEvent  # noqa: E402
from apps.profiles.models import Profile  # noqa: E402
from apps.updates.models import Update, UpdateState  # noqa: E402

DOCUMENT_MODELS = [Message, HiddenMessage, Update, UpdateState, Post, Comment, Profile, OutboxEvent]
RELATIONAL_MODELS = [
    Chat,
    Channel,
    apps.get_model("accounts", "User"),
    apps.get_model("moderation", "Report"),
]
SAMPLE = ObjectId("65f1c0ffee0123456789abcd")


def field_class(field) -> str:
    return f"{type(field).__module__}.{type(field).__name__}"


def pipeline(queryset) -> list:
    compiler = queryset.query.get_compiler(using=queryset.db)
    compiler.pre_sql_setup()
    return compiler.build_query(compiler.columns).get_pipeline()


def index_specs(model, editor) -> dict:
    specs = {}
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint):
            index = Index(fields=constraint.fields, name=constraint.name, condition=constraint.condition)
            specs[constraint.name] = index.get_pymongo_index_model(model, editor, unique=True).document
    for index in model._meta.indexes:
        specs[index.name] = index.get_pymongo_index_model(model, editor).document
    return specs


def url_kwargs(path: str):
    try:
        return {name: field_class(value) for name, value in resolve(path).kwargs.items()}
    except Resolver404:
        return None


def main() -> dict:
    connection = connections[documents.store_alias()]
    editor = connection.SchemaEditorClass(connection)
    loader = MigrationLoader(None, ignore_no_migrations=True)
    changes = MigrationAutodetector(loader.project_state(), ProjectState.from_apps(apps)).changes(
        graph=loader.graph
    )
    bad_ids = {}
    for value in ("42", "xyz", "", None):
        try:
            documents.parse_id(value)
        except ValueError:
            bad_ids[repr(value)] = "refused"
    return {
        "alias": documents.store_alias(),
        "engine": connection.settings_dict["ENGINE"],
        "vendor": connection.vendor,
        "fields": {
            model._meta.label: {
                field.name: field_class(field)
                for field in model._meta.concrete_fields
                if field.primary_key or field.name in ("reply_to", "message_id", "post_id")
            }
            for model in DOCUMENT_MODELS
        },
        "write_to": {
            model._meta.label: router.db_for_write(model) for model in DOCUMENT_MODELS + RELATIONAL_MODELS
        },
        "migrate_on": {
            model._meta.label: [db for db in connections if router.allow_migrate_model(db, model)]
            for model in DOCUMENT_MODELS + RELATIONAL_MODELS
        },
        "third_party_data_migrations_on": [
            db for db in connections if router.allow_migrate(db, "token_blacklist")
        ],
        "missing_migrations": {
            app: [str(op) for m in ms for op in m.operations] for app, ms in changes.items()
        },
        "indexes": {model._meta.label: index_specs(model, editor) for model in DOCUMENT_MODELS},
        "pipelines": {
            "history": pipeline(Message.objects.filter(chat_id=7).order_by("-seq")[:40]),
            "updates_since": pipeline(Update.objects.filter(user_id=3, pts__gt=10).order_by("pts")[:100]),
            "comments_after": pipeline(
                Comment.objects.filter(post_id=SAMPLE, deleted=False, id__gt=SAMPLE).order_by("id")[:51]
            ),
            "outbox_sweep": pipeline(
                OutboxEvent.objects.filter(published_at__isnull=True).order_by("created_at")[:500]
            ),
            "hidden": pipeline(
                HiddenMessage.objects.filter(user_id=3, chat_id=7).values_list("message_id", flat=True)
            ),
        },
        "locked_uses_select_for_update": documents.locked(Message.objects.all()).query.select_for_update,
        "store_transaction": field_class(documents._store_atomic()),
        "parsed_id": field_class(documents.parse_id(str(SAMPLE))),
        "refused_ids": bad_ids,
        "urls": {
            "post_by_objectid": url_kwargs(f"/api/v1/posts/{SAMPLE}/"),
            "post_by_int": url_kwargs("/api/v1/posts/42/"),
            "message_by_objectid": url_kwargs(f"/api/v1/chats/7/messages/{SAMPLE}/"),
        },
    }


if __name__ == "__main__":
    print(json.dumps(main(), default=str))
