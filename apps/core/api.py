"""Helpers shared by the apps' API views and the socket's frames: `parse` (input serializers,
with JSON's types kept strict), `render` (output serializers), the document id and text
fields, and the schema's statement of a rule across fields (`SchemaRule`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.validators import MaxLengthValidator
from django.http import QueryDict
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError

from . import documents
from .validation import TEXT_TOO_LONG


class DocumentIdField(serializers.Field):
    """The id of a message, post or comment: an opaque string to clients ("42" in SQL, an
    ObjectId's hex in MongoDB; apps.core.documents)."""

    default_error_messages = {"invalid": "Not a valid id."}

    def to_internal_value(self, data):
        try:
            return documents.parse_id(data)
        except ValueError:
            self.fail("invalid")

    def to_representation(self, value):
        return documents.dump_id(value)


class DocumentIdFieldSchema(OpenApiSerializerFieldExtension):
    """In the schema, a document id has the pattern of the configured store's ids."""

    target_class = DocumentIdField

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "pattern": documents.id_pattern()}


class _TooLong(MaxLengthValidator):
    code = TEXT_TOO_LONG


class TextField(serializers.CharField):
    """A message's, post's or comment's text: kept as written (no trimming), at most `limit`
    characters (`text_too_long`, as apps.core.validation.checked_text says it). Blank text is
    the service's to refuse (`text_empty`; a message with files may have none): `may_be_blank`
    says in the schema whether it can be taken."""

    def __init__(self, *, limit: int, may_be_blank: bool = True, **kwargs):
        self.may_be_blank = may_be_blank
        super().__init__(allow_blank=True, trim_whitespace=False, **kwargs)
        self.validators.append(_TooLong(limit, f"At most {limit} characters."))


# The JSON type each kind of field takes, as the schema states it. DRF itself is lenient (an
# IntegerField takes "5", a BooleanField takes 0, a CharField takes 5); a body is held to the
# schema instead, so what the schema refuses is refused.
_JSON_TYPES: list[tuple[type, tuple[type, ...], str]] = [
    (serializers.BooleanField, (bool,), "true or false"),
    (serializers.IntegerField, (int,), "an integer"),
    (serializers.FloatField, (int, float), "a number"),
    (serializers.CharField, (str,), "a string"),
    (serializers.ChoiceField, (str,), "a string"),
    (serializers.DateTimeField, (str,), "a string (an ISO 8601 time)"),
    (serializers.UUIDField, (str,), "a string (a UUID)"),
    (DocumentIdField, (str,), "a string (an id)"),
    (serializers.ListField, (list,), "a list"),
    (serializers.ListSerializer, (list,), "a list"),
    (serializers.Serializer, (dict,), "an object"),
    (serializers.DictField, (dict,), "an object"),
]


def _json_type(field) -> tuple[tuple[type, ...], str] | None:
    if hasattr(field, "json_types"):  # a field that states its own, as its schema does
        return field.json_types
    for field_class, types, label in _JSON_TYPES:
        if isinstance(field, field_class):
            return types, label
    return None  # JSONField and the like take any JSON


def _type_errors(field, value) -> list | dict | None:
    """What is wrong with the JSON types of `value` for `field`, in DRF's error layout; None
    when nothing is."""
    if value is None:
        return None  # allow_null is the field's to judge
    expected = _json_type(field)
    if expected is None:
        return None
    types, label = expected
    if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
        return [ErrorDetail(f"Must be {label}.", code="wrong_type")]
    max_length = getattr(field, "max_length", None)
    if isinstance(value, str) and max_length is not None and len(value) > max_length:
        # As the schema counts: the text as sent (a CharField counts it after trimming).
        return [
            ErrorDetail(f"Ensure this field has no more than {max_length} characters.", code="max_length")
        ]
    if isinstance(field, (serializers.ListField, serializers.ListSerializer)):  # both have a child
        for item in value:
            errors = _type_errors(field.child, item)
            if errors:
                return errors
    elif isinstance(field, serializers.Serializer):
        nested = {
            name: errors
            for name, child in field.fields.items()
            if not child.read_only and name in value and (errors := _type_errors(child, value[name]))
        }
        return nested or None
    return None


_BOUND_FIELDS: dict[type, object] = {}


def _with_bound_fields(serializer):
    """The serializer, with its class's fields bound once for all its instances. DRF copies
    and binds every declared field for every instance (60 % of parsing a message.send frame:
    190 µs, measured); an input serializer's fields keep no state while they validate, and
    ours use no context, so one bound set serves every request and frame."""
    fields = _BOUND_FIELDS.get(type(serializer))
    if fields is None:
        fields = _BOUND_FIELDS.setdefault(type(serializer), serializer.fields)
    serializer.__dict__["fields"] = fields  # `fields` is a cached_property
    return serializer


def parse(serializer_class, data) -> dict:
    """Validate a request's (or a socket frame's) data with an input serializer: a 400 in the
    one error shape if invalid. A JSON body must have the types the schema states; a query
    string is all text, and its fields convert it."""
    serializer = _with_bound_fields(serializer_class(data=data))
    if isinstance(data, dict) and not isinstance(data, QueryDict):
        errors = _type_errors(serializer, data)
        if errors:
            raise ValidationError(errors)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def parse_one_of(serializer_classes: dict[str, type], discriminator: str, data) -> dict:
    """Parse a body that has one shape per value of its `discriminator` field (a oneOf in the
    schema: drf_spectacular's PolymorphicProxySerializer over the same classes)."""
    chosen = data.get(discriminator) if isinstance(data, dict) else None
    if not isinstance(chosen, str) or chosen not in serializer_classes:
        detail = f"Must be one of: {', '.join(serializer_classes)}."
        raise ValidationError({discriminator: [ErrorDetail(detail, code="invalid_choice")]})
    return parse(serializer_classes[chosen], data)


class SchemaRule:
    """An input serializer's rule across its fields, stated in the API schema as JSON Schema
    (apps.core.schema.AutoSchema merges `schema_rule` into the serializer's component); the
    service enforces it."""

    @staticmethod
    def text_or_attachments() -> dict:
        return {
            "anyOf": [
                {"required": ["text"], "properties": {"text": {"pattern": r"\S"}}},
                {"required": ["attachments"], "properties": {"attachments": {"minItems": 1}}},
            ],
            "description": "Text that is not blank, or at least one attachment (or both).",
        }


# --- Responses ---------------------------------------------------------------------------------

_RENDERERS: dict[type, Callable[[Any], Any]] = {}


def render(serializer_class: type[serializers.Serializer], data):
    """`data` (a selector's dict, or a list of them) as the output serializer declares it: its
    declared fields, nested ones as their serializers declare them, nothing else. A declared
    field that is missing is a bug (KeyError: a 500, and the suite's schema test fails).

    DRF's own `Serializer(data).data` would convert every value again: 0.28 ms for one message,
    1.1 ms for a page of 50 (measured; this takes 0.14 ms for the page). Selectors already give
    JSON-ready values, so this only holds their keys to the declaration. An output serializer with
    `open_ended = True` keeps keys it does not declare (an update carries its kind's fields)."""
    renderer = _RENDERERS.get(serializer_class)
    if renderer is None:
        renderer = _RENDERERS.setdefault(serializer_class, _compile(serializer_class()))
    return renderer(data)


def _compile(field) -> Callable[[Any], Any]:
    if isinstance(field, serializers.ListSerializer):
        child = _compile(field.child)
        return lambda items: None if items is None else [child(item) for item in items]
    if not isinstance(field, serializers.Serializer):
        return lambda value: value
    parts = [
        (name, _compile(child), child.required)
        for name, child in field.fields.items()
        if not child.write_only
    ]
    keep_all = getattr(field, "open_ended", False)
    name_of = type(field).__name__

    def render_one(value):
        if value is None:
            return None
        out = dict(value) if keep_all else {}
        for name, part, required in parts:
            if name in value:
                out[name] = part(value[name])
            elif required:
                raise KeyError(f"{name_of}.{name} is declared, and the data has none")
        return out

    return render_one
