"""Model fields that keep personal data encrypted at rest (see apps.core.crypto).

A value is sealed with its row as associated data: `<app>.<model>.<field>#<row identity>`,
where the row identity is the model's `sealed_by` fields (values fixed when the row is made and
unique to it: a message's chat and seq, a profile's user; `seal`, a random UUID, where nothing
else fits). A ciphertext copied into another row, or another column, does not open there.

So a value is sealed when its row is saved (`pre_save`, which sees the row) and opened when
the row is loaded (`RowSealedModel.from_db`, which sees it too). Querysets that skip the row
cannot write these fields (`update(text=...)` raises: save the instance), and `values()` of
them gives the stored ciphertext."""

import json
import uuid

from django.db import models

from . import crypto


class Sealed(str):
    """A ciphertext as stored, not opened (read from the database, or made for it)."""


class EncryptedTextField(models.TextField):
    """Text encrypted in the database and plain in Python.

    Each save produces a fresh nonce, so equal values have different ciphertexts: the column
    can be tested for NULL but not compared. Pair it with a BlindIndexField for exact look-ups.
    The empty string is kept as it is (it says nothing)."""

    description = "Text encrypted at rest (AES-GCM), bound to its row"

    @property
    def crypto_context(self) -> str:
        """The column's part of the associated data: `<app>.<model>.<field>`, with the label the
        rows were first sealed under (`sealed_label`) when the model has since moved apps."""
        label = getattr(self.model, "sealed_label", None) or self.model._meta.label_lower
        return f"{label}.{self.name}"

    def row_context(self, instance) -> str:
        return row_context(self.crypto_context, [getattr(instance, name) for name in self.model.sealed_by])

    def _dump(self, value) -> str:
        return value

    def _load(self, text: str):
        return text

    def seal(self, instance, value) -> Sealed:
        return Sealed(crypto.encrypt(self._dump(value), context=self.row_context(instance)))

    def open(self, instance, sealed: str):
        return self._load(crypto.decrypt(sealed, context=self.row_context(instance)))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return Sealed(value)  # opened by RowSealedModel.from_db, which has the row

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value is None or value == "" or isinstance(value, Sealed):
            return value
        return self.seal(model_instance, value)

    def get_prep_value(self, value):
        if value is None or value == "" or isinstance(value, Sealed):
            return None if value is None else str(value)
        raise TypeError(
            f"{self.crypto_context} is sealed with its row: change it on the instance and save() it, "
            "not through QuerySet.update() or bulk_update()."
        )

    def to_python(self, value):
        return value

    def get_lookup(self, lookup_name):
        # Ciphertexts are randomised: any comparison but IS NULL would silently match nothing.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (list, dict, ...) encrypted at rest as one ciphertext."""

    description = "JSON encrypted at rest (AES-GCM), bound to its row"

    def _dump(self, value) -> str:
        return json.dumps(value, separators=(",", ":"))

    def _load(self, text: str):
        return json.loads(text)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value is None or isinstance(value, Sealed):
            return value
        return self.seal(model_instance, value)

    def from_db_value(self, value, expression, connection):
        return None if value is None else Sealed(value)

    def get_prep_value(self, value):
        if value is None or isinstance(value, Sealed):
            return None if value is None else str(value)
        raise TypeError(
            f"{self.crypto_context} is sealed with its row: change it on the instance and save() it, "
            "not through QuerySet.update() or bulk_update()."
        )

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj))


def row_context(column: str, identity) -> str:
    """The associated data of a value of `column` (`<app>.<model>.<field>`) in the row whose
    `sealed_by` fields have the values `identity` (also for code that seals without an
    instance: migrations, key rotation)."""
    return column + "#" + "|".join(str(value) for value in identity)


class RowSealedModel:
    """Mixed into every model with encrypted fields: opens them when a row is loaded.

    `sealed_by` names the fields that identify the row for the associated data;
    `sealed_label`, when set, the `app.model` label its values are bound to (a model that moved
    to another app keeps its old one, so its rows still open)."""

    sealed_by: tuple[str, ...] = ("seal",)
    sealed_label: str | None = None

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        for field in cls._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                value = instance.__dict__.get(field.attname)
                if isinstance(value, Sealed):
                    instance.__dict__[field.attname] = field.open(instance, value)
        return instance


def seal_field():
    """A random row identity, for models with nothing else fixed and unique to seal with."""
    return models.UUIDField(default=uuid.uuid4, unique=True, editable=False)


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
