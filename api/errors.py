"""Errors of the API in OpenAI's shape, {"error": {"message", "type", "param", "code"}}, from one
exception handler: the API's own refusals (ApiError), pydantic's validation errors (a 400 naming
the field in `param`) and ninja's own exceptions. api/middleware.py gives Django's answers under
/v1/ (404, 405, 413, 500) the same shape."""

from typing import Literal

from django.http import Http404, JsonResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import Field

KINDS = {401: "authentication_error", 429: "rate_limit_error"}


class ApiError(Exception):
    """A refusal with the status, the field at fault and the code an API client sees."""

    def __init__(self, message, param=None, status=400, code=None, headers=None):
        super().__init__(message)
        self.param, self.status, self.code, self.headers = param, status, code, headers or {}

    def response(self):
        kind = "server_error" if self.status >= 500 else KINDS.get(self.status, "invalid_request_error")
        response = error(self.status, str(self), param=self.param, code=self.code, kind=kind)
        for name, value in self.headers.items():
            response[name] = value
        return response


def error(status, message, param=None, code=None, kind="invalid_request_error"):
    return JsonResponse({"error": {"message": message, "type": kind, "param": param, "code": code}}, status=status)


class Error(Schema):
    message: str = Field(description="What went wrong and where, for a person.")
    type: Literal["invalid_request_error", "authentication_error", "rate_limit_error", "server_error"]
    param: str | None = Field(description="The field or header at fault, when there is one.")
    code: str | None = Field(
        description="invalid_api_key, rate_limit_exceeded, request_too_large, backend_unavailable, not_found, "
        "server_error, or null."
    )


class ErrorResponse(Schema):
    error: Error


def missing_token():
    return ApiError(
        "Missing API token: send Authorization: Bearer <token> (make one on the studio's API tokens page).",
        status=401,
        code="invalid_api_key",
    )


def handle(request, exc):
    """The API's one exception handler (registered for Exception on the NinjaAPI)."""
    if isinstance(exc, HttpError) and isinstance(exc.__cause__, ApiError):
        exc = exc.__cause__  # the body parser's refusal, which ninja wraps
    if isinstance(exc, ApiError):
        return exc.response()
    if isinstance(exc, ValidationError):
        return invalid(exc.errors).response()
    if isinstance(exc, AuthenticationError):
        return missing_token().response()
    if isinstance(exc, HttpError):
        return ApiError(str(exc), status=exc.status_code).response()
    if isinstance(exc, Http404):
        return ApiError(str(exc) or "Not found.", status=404, code="not_found").response()
    raise exc  # a server error: api/middleware.py logs it and answers a JSON 500


def invalid(errors):
    """A 400 for pydantic's errors: the first field at fault in `param`, what it should be in the
    message (every alternative, for a field that takes several kinds of value)."""
    param = param_of(errors[0]["loc"])
    if errors[0]["type"] == "extra_forbidden":
        return ApiError(f"Unrecognized request argument supplied: {param}.", param=param)
    said = [e["msg"] for e in errors if param_of(e["loc"]) == param]
    return ApiError(f"{param}: {' or '.join(dict.fromkeys(said))}.", param=param)


def param_of(loc):
    """A field's name from pydantic's error location: ("body", "body", "messages", 0, "content")
    is messages[0].content. The location's source and parameter name are dropped, and so is what
    follows the name of a union's member ("int", "literal['auto']", "list[constrained-str]")."""
    source, *rest = loc
    if source == "header" and rest:
        return rest[0]
    if source == "body" and len(rest) > 1:
        rest = rest[1:]
    path = ""
    for part in rest:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.isidentifier() and part not in UNION_MEMBERS:
            path += f".{part}" if path else part
        else:
            break
    return path or source


UNION_MEMBERS = {"int", "float", "str", "bool", "dict", "list", "none", "bytes"}
