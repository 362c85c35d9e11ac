"""Model fields that keep personal data encrypted at rest (see apps.core.crypto)."""

import json

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Text encrypted in the database and plain in Python.

    Each save produces a fresh nonce, so equal values have different ciphertexts: the column
    can be tested for NULL but not compared. Pair it with a BlindIndexField for exact look-ups.
    """

    description = "Text encrypted at rest (AES-GCM)"

    @property
    def crypto_context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return crypto.decrypt(value, context=self.crypto_context)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return crypto.encrypt(value, context=self.crypto_context)

    def get_lookup(self, lookup_name):
        # Ciphertexts are randomised: any comparison but IS NULL would silently match nothing.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):
    """HMAC of another field's normalised value, kept in step on every save."""

    description = "HMAC blind index of another field"

    def __init__(self, *args, source: str, kind: str, **kwargs):
        self.source = source
        self.kind = kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("null", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        for key, default in (("max_length", 64), ("editable", False), ("null", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.source)
        index = crypto.blind_index(value, kind=self.kind) if value else None
        setattr(model_instance, self.attname, index)
        return index


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (list, dict, ...) encrypted at rest as one ciphertext."""

    description = "JSON encrypted at rest (AES-GCM)"

    def from_db_value(self, value, expression, connection):
        text = super().from_db_value(value, expression, connection)
        return None if text is None else json.loads(text)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        return crypto.encrypt(json.dumps(value, separators=(",", ":")), context=self.crypto_context)

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj))
