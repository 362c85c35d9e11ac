"""The OpenAPI schema as the API behaves: inputs as its serializers take them, and errors.

Text fields state what DRF's CharField takes (AutoSchema), and an empty optional query
parameter counts as not given (describe_query).

Every error the API answers has one shape (apps.core.exceptions): `{"code", "detail"}`, and
`fields` when the request's data was wrong. A view declares only what it returns when it works;
add_error_responses adds to every operation the errors the shared machinery can answer, so the
schema lists every status a client must handle:

- 400: the request's data or query is wrong (each view's input serializer, its limits included);
- 401: no token, or a bad, expired or revoked one (any operation that reads a token);
- 403: the person may not do this (not a member, blocked, banned, not the owner);
- 404: a thing named in the path, or in the data, does not exist for this person;
- 409: the request conflicts with what is stored (a taken handle, a deleted message);
- 413: the body is larger than the server takes;
- 415: an upload whose bytes are of a type not accepted;
- 429: a rate limit; `Retry-After` says when to try again;
- 503: a store the request needs is down; `Retry-After` says when to try again.
"""

from __future__ import annotations

import drf_spectacular.openapi
from rest_framework import serializers

ERROR_SCHEMA_NAME = "Error"

ERROR_DESCRIPTIONS = {
    "400": "The request's data or query is not valid: `code` says how, `fields` says where.",
    "401": "No token, or an expired, revoked or malformed one.",
    "403": "You may not do this (not a member, blocked, banned, not yours).",
    "404": "There is no such thing, or it is not visible to you.",
    "409": "This conflicts with what is stored (taken, already done, deleted).",
    "413": "The body is larger than the server takes.",
    "415": "This type of file is not accepted (judged from its bytes, not its name).",
    "429": "Too many requests: retry after `Retry-After` seconds.",
    "503": "A store this request needs is down: retry after `Retry-After` seconds.",
}

_WRITES = {"post", "put", "patch", "delete"}


# The one error shape of the API (apps.core.exceptions), the schema's `Error` component.
_FIELD_ERROR = {
    "type": "object",
    "properties": {"code": {"type": "string"}, "detail": {"type": "string"}},
    "required": ["code", "detail"],
}
ERROR_COMPONENT = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "A stable, machine-readable reason, e.g. `not_member`."},
        "detail": {"type": "string", "description": "A sentence for a person."},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": _FIELD_ERROR},
            "description": 'Each field that is wrong, with its errors: `{"text": [{"code", "detail"}]}`.',
        },
    },
    "required": ["code", "detail"],
}


def _statuses(path: str, method: str, operation: dict) -> list[str]:
    parameters = operation.get("parameters", [])
    statuses = []
    if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
        statuses.append("400")
    if operation.get("security"):
        statuses += ["401", "403"]
    if "{" in path or method in _WRITES:
        statuses.append("404")
    if method in _WRITES:
        statuses.append("409")
    if "requestBody" in operation:
        statuses.append("413")
        if "multipart/form-data" in operation["requestBody"].get("content", {}):
            statuses.append("415")
    return [*statuses, "429", "503"]


# DRF's CharField refuses NUL characters (PostgreSQL cannot store them) and, when it trims
# whitespace and may not be blank, text of only whitespace.
_NO_NUL = r"^[^\x00]*$"
_NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"


class AutoSchema(drf_spectacular.openapi.AutoSchema):
    """drf-spectacular's, with each text field's schema saying what its CharField takes."""

    _direction = None

    def _map_basic_serializer(self, serializer, direction):
        outer, self._direction = self._direction, direction
        try:
            schema = super()._map_basic_serializer(serializer, direction)
        finally:
            self._direction = outer
        rule = getattr(serializer, "schema_rule", None)
        return {**schema, **rule} if rule and direction == "request" else schema

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)  # a RegexValidator's pattern, limits
        if (
            self._direction == "request"
            and isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            and not ({"pattern", "format", "enum"} & schema.keys())
        ):
            may_be_blank = field.allow_blank or not field.trim_whitespace
            not_blank = not getattr(field, "may_be_blank", may_be_blank)
            schema["pattern"] = _NOT_BLANK if not_blank else _NO_NUL


def describe_query(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: an optional query parameter given empty
    (`?status=`) counts as not given, as DRF's fields read a query string."""
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result


def _body_required(operation: dict, schemas: dict) -> None:
    """A body with required fields (or one of several shapes) must be sent: an absent body is
    read as `{}`, which its serializer refuses."""
    body = operation.get("requestBody")
    if not body:
        return
    for content in body.get("content", {}).values():
        schema = content.get("schema", {})
        if "$ref" in schema:
            schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
        if schema.get("required") or "oneOf" in schema or "anyOf" in schema:
            body["required"] = True


def add_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_SCHEMA_NAME] = ERROR_COMPONENT
    reference = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}
    retry_after = {
        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying."}
    }
    schemas = result["components"]["schemas"]
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            _body_required(operation, schemas)
            responses = operation.setdefault("responses", {})
            for status in _statuses(path, method, operation):
                if status in responses:
                    continue  # the view documented it itself
                response = {
                    "description": ERROR_DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": reference}},
                }
                if status in {"429", "503"}:
                    response["headers"] = retry_after
                responses[status] = response
    return result
