from django.db import models


class DocumentModel(models.Model):
    """Base of models kept in the document store (telegram.routers.DocumentRouter).

    They refer to relational rows by plain ids, never by foreign keys: the two stores may be
    different databases.
    """

    document_store = True

    class Meta:
        abstract = True
