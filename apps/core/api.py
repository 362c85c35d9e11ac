"""Helpers shared by the apps' API views."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import documents


@extend_schema_field(OpenApiTypes.STR)
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


def parse(serializer_class, data) -> dict:
    """Validate request data with an input serializer; a 400 in the one error shape if invalid."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
