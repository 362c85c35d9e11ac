"""DRF exception handler: every error an API view raises becomes `{"code", "detail"}`."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import OUTAGE_DETAIL, ApplicationError, CoreError, is_outage

logger = logging.getLogger("apps.core.errors")


def _flatten(details, prefix: str = "") -> dict[str, list[dict[str, str]]]:
    """ValidationError.get_full_details() -> {"field.sub": [{"code", "detail"}]}."""
    fields: dict[str, list[dict[str, str]]] = {}
    if isinstance(details, dict) and set(details) == {"message", "code"}:
        fields.setdefault(prefix or "non_field_errors", []).append(
            {"code": str(details["code"]), "detail": str(details["message"])}
        )
    elif isinstance(details, dict):
        for key, value in details.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, errors in _flatten(value, name).items():
                fields.setdefault(field, []).extend(errors)
    elif isinstance(details, list):
        for index, item in enumerate(details):
            nested = isinstance(item, (dict, list)) and not (
                isinstance(item, dict) and set(item) == {"message", "code"}
            )
            name = f"{prefix}.{index}" if nested and prefix else prefix
            for field, errors in _flatten(item, name).items():
                fields.setdefault(field, []).extend(errors)
    return fields


def _code_and_detail(exc: exceptions.APIException) -> tuple[str, str]:
    detail = exc.detail
    # simplejwt puts {"detail", "code", "messages"} into the detail of its token errors.
    if isinstance(detail, dict):
        return str(detail.get("code", exc.default_code)), str(detail.get("detail", exc.default_detail))
    if isinstance(detail, list):
        detail = detail[0] if detail else exc.default_detail
    return str(getattr(detail, "code", None) or exc.default_code), str(detail)


def validation_error_body(exc: exceptions.ValidationError) -> dict:
    """An input serializer's refusal as the API and the socket say it: `invalid`, the first
    problem in `detail`, and every field's errors in `fields`."""
    fields = _flatten(exc.get_full_details())
    first_field, errors = next(iter(fields.items()), ("", [{"detail": "Invalid input."}]))
    detail = errors[0]["detail"]
    if first_field and first_field != "non_field_errors":
        detail = f"{first_field}: {detail}"
    return {"code": CoreError.INVALID.value, "detail": detail, "fields": fields}


def outage_body_and_headers() -> tuple[dict, dict]:
    return (
        {"code": CoreError.SERVICE_UNAVAILABLE.value, "detail": OUTAGE_DETAIL},
        {"Retry-After": str(settings.OUTAGE_RETRY_AFTER)},
    )


def api_exception_handler(exc, context):
    if is_outage(exc):
        logger.warning("outage", extra={"error": type(exc).__name__})
        body, headers = outage_body_and_headers()
        return Response(body, status=503, headers=headers)
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status, headers=exc.headers)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: ApiJsonErrorsMiddleware answers 500 and logs it

    if isinstance(exc, exceptions.ValidationError):
        response.data = validation_error_body(exc)
    else:
        code, detail = _code_and_detail(exc)
        response.data = {"code": code, "detail": detail}
    return response
