"""What the generated OpenAPI document says besides the schemas: the API's description, its tags,
the error answers every operation shares, the rate-limit headers, examples, and a runnable call
per operation (`x-codeSamples`, the convention Redoc and others read: the official `openai`
Python client and the same request with curl).

The schemas come from the pydantic models next to the endpoints (api/served_models.py,
api/completions.py, ...); api/v1.py puts the two together. Limits that follow the settings
(API_MAX_NEW_TOKENS, MAX_UPLOAD_BYTES, API_RATE_LIMIT_PER_MINUTE) are read when the document is
built, so it always says what the server does."""

import json

from django.conf import settings

from api.errors import ErrorResponse

EXAMPLE_PROJECT = "ticket-triage"
EXAMPLE_MODEL = "run-12"
EXAMPLE_JOB = "ftjob-12"
EXAMPLE_FILE = "file-3"
CREATED = 1767225600  # 2026-01-01, in the examples
REF = "#/components/{kind}/{name}"

TAGS = [
    {
        "name": "Models",
        "description": "Tuned models: every succeeded training run of your projects that is still served, as `run-<id>`.",
    },
    {
        "name": "Completions",
        "description": "Answers from a tuned model through the project's serving backend. Every answer is logged; "
        "its `id` is what feedback rates.",
    },
    {
        "name": "Feedback",
        "description": "Ratings and corrections of served answers; the project's rule can turn them into draft "
        "examples in curation.",
    },
    {"name": "Files", "description": "Training files, parsed and checked like an import in the browser."},
    {
        "name": "Fine-tuning",
        "description": "Training runs started from an uploaded file or a frozen dataset version, in OpenAI's job shapes.",
    },
    {"name": "Schema", "description": "This description of the API."},
]
ERRORS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    413: "TooLarge",
    429: "RateLimited",
    502: "BadGateway",
}


def ref(name, kind="schemas"):
    return {"$ref": REF.format(kind=kind, name=name)}


RATE_HEADERS = {
    "x-ratelimit-limit-requests": ref("RateLimitLimit", "headers"),
    "x-ratelimit-remaining-requests": ref("RateLimitRemaining", "headers"),
    "x-ratelimit-reset-requests": ref("RateLimitReset", "headers"),
}


def documented(example, description, errors, python, stream=False, request=None, curl_form=None):
    """An operation's `openapi_extra`: its answer's description, example and headers, the error
    answers it can give, the example request, and the openai client call its code samples show."""
    content = {"application/json": {"example": example}}
    if stream:
        content["text/event-stream"] = {
            "schema": {
                "type": "object",
                "description": "Server-sent events: `data: <chunk JSON>`, then `data: [DONE]`.",
                "required": ["data"],
                "properties": {"data": {"type": "string", "description": "A chunk as JSON, or [DONE] at the end."}},
            }
        }
    extra = {
        "responses": {
            200: {"description": description, "headers": RATE_HEADERS, "content": content},
            **{status: ref(ERRORS[status], "responses") for status in errors},
        },
        "x-python": python,
    }
    if request is not None:
        extra["requestBody"] = {"content": {"application/json": {"example": request}}}
    if curl_form:
        extra["x-curl-form"] = curl_form
        extra["requestBody"] = {
            "content": {"multipart/form-data": {"encoding": {"file": {"contentType": "application/octet-stream"}}}}
        }
    return extra


def complete(schema, server_url):
    """The generated document made whole: description, tags, security, shared components, the
    servers (this one), and code samples pointed at it."""
    schema = json.loads(json.dumps(schema))  # plain JSON: the status codes become strings
    server_url = server_url.rstrip("/")
    schema["info"] = info()
    schema["servers"] = [{"url": server_url, "description": "this studio"}]
    schema["tags"] = TAGS
    error = ErrorResponse.model_json_schema(ref_template=REF.format(kind="schemas", name="{model}"))
    components = schema["components"]
    components["schemas"].update({**error.pop("$defs"), "ErrorResponse": error})
    components["headers"] = HEADERS
    components["responses"] = error_responses()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            operation["x-codeSamples"] = samples(server_url, method, path, operation)
    return {key: schema[key] for key in ("openapi", "info", "servers", "tags", "paths", "components")}


def info():
    return {
        "title": "Studio API",
        "version": "1",
        "summary": "An OpenAI-style API for the models tuned in the studio.",
        "description": (
            "The studio's tuned models, training files and fine-tuning jobs in OpenAI's shapes, so the official "
            "`openai` clients work with `base_url` set to this server's `/v1`.\n\n"
            "**Authentication**: a personal token from the *API tokens* page, sent as `Authorization: Bearer st-...`. "
            "It acts as its owner, in the owner's projects, with the owner's roles.\n\n"
            "**Project**: endpoints that create something in a project take the `OpenAI-Project` header "
            "(the openai client's `project=` option) naming the project's slug; it may be left out by someone in "
            "only one project whose role allows the action. Sent with any request, it narrows lists and lookups to "
            "that project; a header naming no project of yours is refused (404, `param` OpenAI-Project).\n\n"
            '**Errors** are JSON, `{"error": {"message", "type", "param", "code"}}`, for every status under `/v1/`: '
            "fields that do not fit the schema (400, `param` names the field), unknown paths (404), methods an "
            "endpoint does not take (405), bodies over the limit (413) and server failures (500) included.\n\n"
            f"**Rate limit**: {settings.API_RATE_LIMIT_PER_MINUTE} requests a minute per token unless the token "
            "carries its own limit. Every authenticated answer carries `x-ratelimit-limit-requests`, "
            "`x-ratelimit-remaining-requests` and `x-ratelimit-reset-requests`; past the limit the answer is 429 "
            "with `Retry-After`."
        ),
    }


HEADERS = {
    "RateLimitLimit": {
        "description": "Requests a minute this token may make.",
        "schema": {"type": "integer", "minimum": 1},
    },
    "RateLimitRemaining": {"description": "Requests left in this minute.", "schema": {"type": "integer", "minimum": 0}},
    "RateLimitReset": {
        "description": "Time until the minute's count starts again, e.g. `42s`.",
        "schema": {"type": "string", "pattern": "^[0-9]+s$"},
    },
    "RetryAfter": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    },
}


def error_responses():
    def answer(description, message, code=None, kind="invalid_request_error", param=None, headers=None):
        response = {
            "description": description,
            "content": {
                "application/json": {
                    "schema": ref("ErrorResponse"),
                    "example": {"error": {"message": message, "type": kind, "param": param, "code": code}},
                }
            },
        }
        if headers:
            response["headers"] = headers
        return response

    return {
        "BadRequest": answer(
            "The request is not valid: `param` names the field.",
            f"max_tokens: Input should be less than or equal to {settings.API_MAX_NEW_TOKENS}.",
            param="max_tokens",
        ),
        "Unauthorized": answer(
            "No token, or a token that is not valid or was revoked.",
            "The API token is not valid or was revoked.",
            code="invalid_api_key",
            kind="authentication_error",
        ),
        "Forbidden": answer(
            "Your role in the project does not allow this.",
            f"Your role in {EXAMPLE_PROJECT} may not launch training runs.",
        ),
        "NotFound": answer(
            "No such thing, or not one you can see.",
            "Unknown model 'run-99': use an id from GET /v1/models (yours: run-12).",
            param="model",
        ),
        "MethodNotAllowed": answer("The endpoint does not take this method.", "DELETE is not allowed here; use GET."),
        "TooLarge": answer(
            "The body is over the limit: 1 MB for JSON, MAX_UPLOAD_BYTES for a file.",
            "The request body is larger than 1,000,000 bytes.",
            code="request_too_large",
        ),
        "RateLimited": answer(
            "Too many requests from this token this minute.",
            "Rate limit reached for this token: 600 requests a minute. Try again in 42 s.",
            code="rate_limit_exceeded",
            kind="rate_limit_error",
            headers={"Retry-After": ref("RetryAfter", "headers"), **RATE_HEADERS},
        ),
        "BadGateway": answer(
            "The serving backend (TGI, vLLM or the in-process model) did not answer.",
            "The serving backend did not answer: connection refused",
            code="backend_unavailable",
            kind="server_error",
        ),
    }


def samples(server_url, method, path, operation):
    """[openai Python client, curl] for an operation, from its x-python call and its example body."""
    python = operation.pop("x-python")
    form = operation.pop("x-curl-form", None)
    needs_project = any(p["in"] == "header" and p["name"] == "OpenAI-Project" for p in operation.get("parameters", ()))
    public = "security" not in operation
    if public:
        operation["security"] = []
        setup = f'from openai import OpenAI\n\nclient = OpenAI(base_url="{server_url}/v1", api_key="unused")\n\n'
    else:
        project = f', project="{EXAMPLE_PROJECT}"' if needs_project else ""
        setup = (
            "import os\n\nfrom openai import OpenAI\n\n"
            f'client = OpenAI(base_url="{server_url}/v1", api_key=os.environ["STUDIO_API_KEY"]{project})\n\n'
        )
    url = server_url + path.replace("{model_id}", EXAMPLE_MODEL).replace("{job_id}", EXAMPLE_JOB)
    url = url.replace("{file_id}", EXAMPLE_FILE)
    lines = [f"curl {url}" if method == "get" else f"curl -X {method.upper()} {url}"]
    if not public:
        lines.append('-H "Authorization: Bearer $STUDIO_API_KEY"')
    if needs_project:
        lines.append(f'-H "OpenAI-Project: {EXAMPLE_PROJECT}"')
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        lines.append('-H "Content-Type: application/json"')
        lines.append("-d " + _shell_quote(json.dumps(body["example"], indent=2)))
    for field in form or ():
        lines.append(f"-F {field}")
    return [
        {"lang": "Python", "label": "openai", "source": setup + python},
        {"lang": "Shell", "label": "curl", "source": " \\\n  ".join(lines)},
    ]


def _shell_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def resolve(spec, node):
    """node with a top-level $ref (a local one, '#/...') followed, repeatedly."""
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node
