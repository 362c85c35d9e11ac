"""Routes document-shaped models (messages, update log, posts, comments, profiles) to the
document store.

A model opts in with the class attribute `document_store = True` (see
`apps.core.models.DocumentModel`). The store's alias is `settings.DOCUMENT_STORE_ALIAS`:
`default` unless a separate document database is configured, in which case relational and
document models never share a transaction, and document models hold plain ids, never
foreign keys across the two.
"""

from django.conf import settings


def is_document_model(model) -> bool:
    return bool(getattr(model, "document_store", False))


def _live_model(app_label: str, model_name: str, historical=None):
    """The live model a migration's operation is about. A model that has since moved to another
    app (the update log, from chats to updates) is found by its table, which did not move: the
    historical model's, or Django's default `<app>_<model>` when an operation names only the
    model. Else the historical model itself, if any."""
    from django.apps import apps

    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        pass
    table = historical._meta.db_table if historical is not None else f"{app_label}_{model_name}"
    return next((model for model in apps.get_models() if model._meta.db_table == table), historical)


class DocumentRouter:
    def _alias(self, model):
        return settings.DOCUMENT_STORE_ALIAS if is_document_model(model) else "default"

    def db_for_read(self, model, **hints):
        return self._alias(model)

    def db_for_write(self, model, **hints):
        return self._alias(model)

    def allow_relation(self, obj1, obj2, **hints):
        return self._alias(type(obj1)) == self._alias(type(obj2))

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The live model, not the historical one in `hints` (migrations' models do not keep
        # class attributes such as `document_store`).
        model = None
        if model_name is not None:
            model = _live_model(app_label, model_name, hints.get("model"))
        if model is None:
            # An operation that names no model (RunPython, RunSQL of third-party apps) runs
            # where the relational tables are; document-store data migrations must name
            # their model in `hints`.
            return db == "default"
        return db == self._alias(model)
