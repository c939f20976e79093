"""Request bodies: a JSON object with no NUL character anywhere (PostgreSQL's text cannot hold one),
read by the API's parser before pydantic validates it against the endpoint's schema."""

import json

from ninja import Schema
from ninja.parser import Parser
from pydantic import ConfigDict

from api.errors import ApiError


class RequestBody(Schema):
    """A request's schema: strict types (no "5" for 5, no true for 1), unknown fields refused (as
    OpenAI answers `Unrecognized request argument supplied`), so an option the studio does not
    offer (`tools`, `logprobs`, ...) is never silently ignored."""

    model_config = ConfigDict(strict=True, extra="forbid")


class JsonObjectParser(Parser):
    def parse_body(self, request):
        try:
            data = json.loads(request.body or b"{}")
        except ValueError as e:
            raise ApiError(f"The body is not valid JSON: {e}") from None
        if not isinstance(data, dict):
            raise ApiError("The body must be a JSON object.")
        where = nul_at(data)
        if where:
            raise ApiError(f"{where} contains a NUL character (\\u0000), which text cannot hold.", param=where)
        return data

    def parse_querydict(self, data, list_fields, request):
        for key, values in data.lists():
            if any(isinstance(v, str) and "\x00" in v for v in values):
                raise ApiError(f"{key} contains a NUL character (\\u0000), which text cannot hold.", param=key)
        return super().parse_querydict(data, list_fields, request)


def nul_at(value, where=""):
    """Where in a JSON value a NUL character sits, or None."""
    if isinstance(value, str):
        return where or "body" if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        path = f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}" if where else str(key)
        if isinstance(key, str) and "\x00" in key:
            return path
        found = nul_at(item, path)
        if found:
            return found
    return None


class Described:
    """A field's description written when the schema is built, for one that names a setting's
    current value: Annotated[UploadedFile, Described(lambda: f"at most {settings.X:,} bytes")]."""

    def __init__(self, text):
        self.text = text

    def __get_pydantic_json_schema__(self, schema, handler):
        return {**handler(schema), "description": self.text()}


def read_chunked(request, most):
    """A body sent chunked (Transfer-Encoding: chunked, no Content-Length), as the openai client
    sends a streamed upload: Django reads a body only up to its Content-Length, so it would be
    taken as empty. Where the server has de-chunked the stream and marks its end (gunicorn's
    `wsgi.input_terminated`), the body is read here (at most `most` bytes, else RequestDataTooBig)
    and given to Django as an ordinary one. Other servers' chunked bodies are refused (411)."""
    from io import BytesIO

    from django.core.exceptions import RequestDataTooBig
    from django.core.handlers.wsgi import LimitedStream

    meta = request.META
    if "chunked" not in meta.get("HTTP_TRANSFER_ENCODING", "").lower() or meta.get("CONTENT_LENGTH"):
        return None
    if not meta.get("wsgi.input_terminated"):
        return ApiError(
            "A chunked body cannot be read by this server; send a Content-Length.", status=411, code="length_required"
        )
    data = meta["wsgi.input"].read(most + 1)
    if len(data) > most:
        raise RequestDataTooBig("The chunked body is over the limit.")
    meta["CONTENT_LENGTH"] = str(len(data))
    request._stream = LimitedStream(BytesIO(data), len(data))
    return None
