"""Every answer under /v1/ is JSON, errors included: Django's own 404, 405, 413 and 500 pages
become {"error": {...}} bodies an API client can read."""

import logging

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError

from api.bodies import read_chunked
from api.errors import error

logger = logging.getLogger("studio.api")

CHUNKED_OVERHEAD = 1_000_000  # a multipart upload's boundaries and form fields around the file

MESSAGES = {
    400: "The request could not be read.",
    403: "This request is not allowed.",
    404: "No such API endpoint; the endpoints are listed in /v1/openapi.json.",
    405: "This method is not allowed on this endpoint.",
    413: "The request body is too large.",
    500: "The server failed on this request; the error has been logged.",
}


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/v1/"):
            try:
                refused = read_chunked(request, settings.MAX_UPLOAD_BYTES + CHUNKED_OVERHEAD)
            except RequestDataTooBig:
                return self._error(request, 413)
            if refused:
                return refused.response()
        response = self.get_response(request)
        if (
            request.path.startswith("/v1/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            answer = self._error(request, response.status_code, allowed=response.get("Allow", ""))
            if response.has_header("Allow"):
                answer["Allow"] = response["Allow"]
            return answer
        return response

    def process_exception(self, request, exception):
        if not request.path.startswith("/v1/"):
            return None
        if isinstance(exception, RequestDataTooBig):
            return self._error(request, 413)
        if isinstance(exception, (Http404, PermissionDenied, BadRequest, SuspiciousOperation, MultiPartParserError)):
            return None  # Django answers these with their own status; __call__ makes it JSON
        logger.exception("API request %s %s failed", request.method, request.path)
        return self._error(request, 500)

    @staticmethod
    def _error(request, status, allowed=""):
        message = MESSAGES.get(status, "The request failed.")
        if status == 405 and allowed:
            methods = sorted(m.strip() for m in allowed.split(","))
            message = f"{request.method} is not allowed here; use {' or '.join(methods)}."
        if status == 404:
            message = (
                f"No API endpoint at {request.method} {request.path}; the endpoints are listed in /v1/openapi.json."
            )
        return error(
            status,
            message,
            kind="server_error" if status >= 500 else "invalid_request_error",
            code={404: "not_found", 413: "request_too_large", 500: "server_error"}.get(status),
        )
