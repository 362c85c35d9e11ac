import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse

from .errors import CoreError, is_outage
from .exceptions import outage_body_and_headers

logger = logging.getLogger("apps.core.errors")

API_PREFIX = "/api/"
_STATUS_CODES = {
    403: (CoreError.PERMISSION_DENIED, "You do not have permission to perform this action."),
    404: (CoreError.NOT_FOUND, "Not found."),
    405: (CoreError.METHOD_NOT_ALLOWED, "Method not allowed."),
    500: (CoreError.SERVER_ERROR, "Internal server error. It has been logged."),
}


def _json_error(status: int) -> JsonResponse:
    code, detail = _STATUS_CODES[status]
    return JsonResponse({"code": code.value, "detail": detail}, status=status)


class ApiJsonErrorsMiddleware:
    """Under /api/, answers what Django would answer in HTML (unknown URL, uncaught error) in the
    API's JSON error shape instead.

    Sync-only, like the whole chain (telegram.handlers.SyncChainASGIHandler runs it as one sync
    call in the request's thread)."""

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code in _STATUS_CODES
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return _json_error(response.status_code)
        return response

    def process_exception(self, request, exception):
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, Http404):
            return _json_error(404)
        if isinstance(exception, PermissionDenied):
            return _json_error(403)
        if is_outage(exception):
            logger.warning("outage", extra={"path": request.path, "error": type(exception).__name__})
            body, headers = outage_body_and_headers()
            return JsonResponse(body, status=503, headers=headers)
        logger.exception("unhandled error", extra={"path": request.path, "method": request.method})
        return _json_error(500)
