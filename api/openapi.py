"""The OpenAPI 3.1 description of the API under /v1/, built in code so that its limits follow the
settings (API_MAX_NEW_TOKENS, MAX_UPLOAD_BYTES, API_RATE_LIMIT_PER_MINUTE). It is served at
/v1/openapi.json, rendered as the API docs page (api/docs_views.py), and tests/api/test_openapi.py
checks it against api/urls.py and fuzzes the live server with it.

Each operation carries `x-codeSamples` (the convention Redoc and others read): a runnable call
with the official `openai` Python client and the same request with curl.
"""

import json

from django.conf import settings

OPENAPI_VERSION = "3.1.0"
EXAMPLE_PROJECT = "ticket-triage"
EXAMPLE_MODEL = "run-12"
EXAMPLE_JOB = "ftjob-12"
EXAMPLE_FILE = "file-3"
CREATED = 1767225600  # 2026-01-01, in the examples

TAGS = [
    {
        "name": "Models",
        "description": "Tuned models: every succeeded training run of your projects that is still served, as `run-<id>`.",
    },
    {
        "name": "Completions",
        "description": "Answers from a tuned model through the project's serving backend. Every answer is logged; its `id` is what feedback rates.",
    },
    {
        "name": "Feedback",
        "description": "Ratings and corrections of served answers; the project's rule can turn them into draft examples in curation.",
    },
    {"name": "Files", "description": "Training files, parsed and checked like an import in the browser."},
    {
        "name": "Fine-tuning",
        "description": "Training runs started from an uploaded file or a frozen dataset version, in OpenAI's job shapes.",
    },
    {"name": "Schema", "description": "This description of the API."},
]


def ref(name, kind="schemas"):
    return {"$ref": f"#/components/{kind}/{name}"}


def nullable(schema):
    """A schema that also allows null (OpenAPI 3.1: a type list)."""
    schema = dict(schema)
    kind = schema["type"]
    schema["type"] = [*(kind if isinstance(kind, list) else [kind]), "null"]
    return schema


def build_schema(server_url="http://localhost:8000"):
    """The whole document as a dict; server_url is where the studio answers (no trailing slash)."""
    server_url = server_url.rstrip("/")
    max_tokens = settings.API_MAX_NEW_TOKENS
    paths = _paths(max_tokens)
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            operation["x-codeSamples"] = _samples(server_url, method, path, operation)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Studio API",
            "version": "1",
            "summary": "An OpenAI-style API for the models tuned in the studio.",
            "description": (
                "The studio's tuned models, training files and fine-tuning jobs in OpenAI's shapes, so the official "
                "`openai` clients work with `base_url` set to this server's `/v1`.\n\n"
                "**Authentication**: a personal token from the *API tokens* page, sent as `Authorization: Bearer st-...`. "
                "It acts as its owner, in the owner's projects, with the owner's roles.\n\n"
                "**Project**: endpoints that create something in a project take the `OpenAI-Project` header "
                "(the openai client's `project=` option) naming the project's slug; it may be left out by someone in only one project "
                "whose role allows the action. Sent with any request, it narrows lists and lookups to that project; a header naming "
                "no project of yours is refused (404, `param` OpenAI-Project).\n\n"
                '**Errors** are JSON, `{"error": {"message", "type", "param", "code"}}`, for every status under `/v1/`: '
                "unknown paths (404), methods an endpoint does not take (405), bodies over the limit (413) and server failures (500) included.\n\n"
                f"**Rate limit**: {settings.API_RATE_LIMIT_PER_MINUTE} requests a minute per token unless the token carries its own limit. "
                "Every authenticated answer carries `x-ratelimit-limit-requests`, `x-ratelimit-remaining-requests` and `x-ratelimit-reset-requests`; "
                "past the limit the answer is 429 with `Retry-After`."
            ),
        },
        "servers": [{"url": server_url, "description": "this studio"}],
        "security": [{"bearerAuth": []}],
        "tags": TAGS,
        "paths": paths,
        "components": _components(max_tokens),
    }


# --- paths ----------------------------------------------------------------------------------------


def _json_body(name, example, description=None):
    body = {"required": True, "content": {"application/json": {"schema": ref(name), "example": example}}}
    if description:
        body["description"] = description
    return body


def _ok(name, example, description, stream=False):
    content = {"application/json": {"schema": ref(name), "example": example}}
    if stream:
        content["text/event-stream"] = {
            "schema": {"type": "string", "description": "`data: <chunk JSON>` events, then `data: [DONE]`."}
        }
    return {"200": {"description": description, "headers": RATE_HEADERS, "content": content}}


def _errors(*statuses):
    names = {
        400: "BadRequest",
        401: "Unauthorized",
        403: "Forbidden",
        404: "NotFound",
        413: "TooLarge",
        429: "RateLimited",
        502: "BadGateway",
    }
    return {str(s): ref(names[s], "responses") for s in statuses}


RATE_HEADERS = {
    "x-ratelimit-limit-requests": ref("RateLimitLimit", "headers"),
    "x-ratelimit-remaining-requests": ref("RateLimitRemaining", "headers"),
    "x-ratelimit-reset-requests": ref("RateLimitReset", "headers"),
}


def _paths(max_tokens):
    model_example = {"id": EXAMPLE_MODEL, "object": "model", "created": CREATED, "owned_by": EXAMPLE_PROJECT}
    job_example = {
        "id": EXAMPLE_JOB,
        "object": "fine_tuning.job",
        "model": "Tiny",
        "created_at": CREATED,
        "finished_at": None,
        "fine_tuned_model": None,
        "organization_id": EXAMPLE_PROJECT,
        "status": "queued",
        "training_file": EXAMPLE_FILE,
        "validation_file": None,
        "hyperparameters": {"n_epochs": 3, "batch_size": 8, "learning_rate_multiplier": 1.0},
        "trained_tokens": None,
        "result_files": [],
        "seed": 0,
        "error": None,
    }
    file_example = {
        "id": EXAMPLE_FILE,
        "object": "file",
        "bytes": 48213,
        "created_at": CREATED,
        "filename": "train.jsonl",
        "purpose": "fine-tune",
        "status": "processed",
        "status_details": None,
        "studio_examples": 200,
        "studio_findings": [
            {"line": 17, "check": "pii", "severity": "warning", "message": "an e-mail address in the output"}
        ],
    }
    usage = {"prompt_tokens": 21, "completion_tokens": 9, "total_tokens": 30}
    chat_request = {
        "model": EXAMPLE_MODEL,
        "messages": [
            {"role": "system", "content": "Answer with the category as JSON."},
            {"role": "user", "content": "My parcel is late."},
        ],
        "max_tokens": 64,
        "temperature": 0,
    }
    completion_request = {"model": EXAMPLE_MODEL, "prompt": "Triage the ticket: My parcel is late.", "max_tokens": 32}
    feedback_request = {
        "completion_id": "chatcmpl-42",
        "rating": 2,
        "correction": '{"category": "shipping"}',
        "comment": "Wrong category.",
    }
    job_request = {
        "model": "Tiny",
        "training_file": EXAMPLE_FILE,
        "hyperparameters": {"n_epochs": 3, "batch_size": 8, "learning_rate_multiplier": 1.0},
        "suffix": "support-v2",
        "seed": 0,
    }
    return {
        "/v1/models": {
            "get": {
                "operationId": "listModels",
                "tags": ["Models"],
                "summary": "List tuned models",
                "description": "The succeeded training runs of every project you are a member of, whose model has not been deleted.",
                "responses": {
                    **_ok("ModelList", {"object": "list", "data": [model_example]}, "The models you can use."),
                    **_errors(401, 429),
                },
                "x-python": "for model in client.models.list():\n    print(model.id, model.owned_by)",
            },
        },
        "/v1/models/{model_id}": {
            "parameters": [ref("ModelId", "parameters")],
            "get": {
                "operationId": "retrieveModel",
                "tags": ["Models"],
                "summary": "Retrieve a model",
                "responses": {**_ok("Model", model_example, "The model."), **_errors(401, 404, 429)},
                "x-python": f'model = client.models.retrieve("{EXAMPLE_MODEL}")\nprint(model.owned_by)',
            },
            "delete": {
                "operationId": "deleteModel",
                "tags": ["Models"],
                "summary": "Stop serving a model",
                "description": "Leads only. The model leaves `GET /v1/models` and is no longer served; its adapter and history are kept.",
                "responses": {
                    **_ok(
                        "DeletedModel",
                        {"id": EXAMPLE_MODEL, "object": "model", "deleted": True},
                        "The model is no longer served.",
                    ),
                    **_errors(401, 403, 404, 429),
                },
                "x-python": f'client.models.delete("{EXAMPLE_MODEL}")',
            },
        },
        "/v1/chat/completions": {
            "post": {
                "operationId": "createChatCompletion",
                "tags": ["Completions"],
                "summary": "Answer a chat",
                "description": (
                    "The conversation is rendered with the base model's chat template and answered by the tuned model; "
                    "instruction/input examples were trained as one user turn (the instruction, a blank line, the input), so ask the same way. "
                    "A base model without a chat template takes one user turn, put in the alpaca prompt the run was trained with. "
                    "With `stream: true` the answer comes as server-sent events in OpenAI's chunk shape (the whole answer in one chunk, "
                    "then the finish reason and `data: [DONE]`), so streaming clients work; generation itself is not streamed token by token. "
                    "Other OpenAI fields (`n`, `tools`, ...) are ignored: one answer comes back."
                ),
                "requestBody": _json_body("ChatCompletionRequest", chat_request),
                "responses": {
                    **_ok(
                        "ChatCompletion",
                        {
                            "id": "chatcmpl-42",
                            "object": "chat.completion",
                            "created": CREATED,
                            "model": EXAMPLE_MODEL,
                            "choices": [
                                {
                                    "index": 0,
                                    "message": {"role": "assistant", "content": '{"category": "shipping"}'},
                                    "finish_reason": "stop",
                                    "logprobs": None,
                                }
                            ],
                            "usage": usage,
                            "system_fingerprint": None,
                        },
                        "The answer (server-sent events with `stream: true`).",
                        stream=True,
                    ),
                    **_errors(400, 401, 404, 413, 429, 502),
                },
                "x-python": (
                    "reply = client.chat.completions.create(\n"
                    f'    model="{EXAMPLE_MODEL}",\n'
                    '    messages=[{"role": "user", "content": "My parcel is late."}],\n'
                    "    max_tokens=64,\n"
                    "    temperature=0,\n"
                    ")\n"
                    "print(reply.id, reply.choices[0].message.content)"
                ),
            },
        },
        "/v1/completions": {
            "post": {
                "operationId": "createCompletion",
                "tags": ["Completions"],
                "summary": "Complete a prompt",
                "description": "The prompt is given to the tuned model as it is, with no chat template. `stream: true` answers with server-sent events, as for chats.",
                "requestBody": _json_body("CompletionRequest", completion_request),
                "responses": {
                    **_ok(
                        "Completion",
                        {
                            "id": "cmpl-43",
                            "object": "text_completion",
                            "created": CREATED,
                            "model": EXAMPLE_MODEL,
                            "choices": [
                                {
                                    "text": ' {"category": "shipping"}',
                                    "index": 0,
                                    "finish_reason": "stop",
                                    "logprobs": None,
                                }
                            ],
                            "usage": usage,
                        },
                        "The completion (server-sent events with `stream: true`).",
                        stream=True,
                    ),
                    **_errors(400, 401, 404, 413, 429, 502),
                },
                "x-python": f'reply = client.completions.create(model="{EXAMPLE_MODEL}", prompt="Triage the ticket: My parcel is late.", max_tokens=32)\nprint(reply.choices[0].text)',
            },
        },
        "/v1/feedback": {
            "post": {
                "operationId": "createFeedback",
                "tags": ["Feedback"],
                "summary": "Rate a served answer",
                "description": (
                    "A rating from 1 (bad) to 5 (good) of an answer from `/v1/chat/completions` or `/v1/completions`, "
                    "optionally with the answer the model should have given. When the project's feedback rule matches, "
                    "the answer becomes a draft example in curation (`draft_example`). The openai client has no method for it: "
                    "use its generic `post`."
                ),
                "requestBody": _json_body("FeedbackRequest", feedback_request),
                "responses": {
                    **_ok(
                        "Feedback",
                        {
                            "id": "feedback-7",
                            "object": "feedback",
                            "completion_id": "chatcmpl-42",
                            "rating": 2,
                            "correction": '{"category": "shipping"}',
                            "comment": "Wrong category.",
                            "created_at": CREATED,
                            "draft_example": 311,
                        },
                        "The feedback, as recorded.",
                    ),
                    **_errors(400, 401, 404, 413, 429),
                },
                "x-python": (
                    'feedback = client.post("/feedback", cast_to=dict, body={\n'
                    f'    "completion_id": reply.id,  # e.g. {feedback_request["completion_id"]}\n'
                    '    "rating": 2,\n'
                    '    "correction": \'{"category": "shipping"}\',\n'
                    "})\n"
                    'print(feedback["id"], feedback["draft_example"])'
                ),
            },
        },
        "/v1/files": {
            "get": {
                "operationId": "listFiles",
                "tags": ["Files"],
                "summary": "List files",
                "description": "The latest 100 files uploaded to any of your projects.",
                "responses": {
                    **_ok("FileList", {"object": "list", "data": [file_example], "has_more": False}, "The files."),
                    **_errors(401, 429),
                },
                "x-python": "for f in client.files.list():\n    print(f.id, f.filename, f.studio_examples)",
            },
            "post": {
                "operationId": "createFile",
                "tags": ["Files"],
                "summary": "Upload a training file",
                "description": (
                    "JSONL, JSON or CSV (by the file name's extension, else by its first character), with alpaca "
                    "(`instruction`, `input`, `output`), chat (`messages`) or prompt/completion rows, as in the browser import. "
                    "A line that cannot be read refuses the whole file, naming the line; the checks' findings come back in "
                    "`studio_findings`. Needs a role that may write examples."
                ),
                "parameters": [ref("OpenAIProject", "parameters")],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": ref("FileUpload"),
                            "encoding": {"file": {"contentType": "application/octet-stream"}},
                        }
                    },
                },
                "responses": {
                    **_ok("File", file_example, "The file, parsed and checked."),
                    **_errors(400, 401, 403, 404, 413, 429),
                },
                "x-python": 'f = client.files.create(file=open("train.jsonl", "rb"), purpose="fine-tune")\nprint(f.id, f.studio_examples, f.studio_findings)',
                "x-curl-form": ["purpose=fine-tune", "file=@train.jsonl"],
            },
        },
        "/v1/fine_tuning/jobs": {
            "get": {
                "operationId": "listFineTuningJobs",
                "tags": ["Fine-tuning"],
                "summary": "List fine-tuning jobs",
                "description": "The latest 100 training runs of your projects, newest first.",
                "responses": {
                    **_ok(
                        "FineTuningJobList", {"object": "list", "data": [job_example], "has_more": False}, "The jobs."
                    ),
                    **_errors(401, 429),
                },
                "x-python": "for job in client.fine_tuning.jobs.list():\n    print(job.id, job.status, job.fine_tuned_model)",
            },
            "post": {
                "operationId": "createFineTuningJob",
                "tags": ["Fine-tuning"],
                "summary": "Start a fine-tuning job",
                "description": (
                    "Leads only. From `training_file` (an uploaded file: its rows become approved examples, frozen into a version of "
                    "their own with a 90/10 train/validation split) or from `dataset_version` (the name of a frozen version). "
                    "The job is a LoRA training run of the project's base model, queued for a GPU worker."
                ),
                "parameters": [ref("OpenAIProject", "parameters")],
                "requestBody": _json_body("FineTuningJobRequest", job_request),
                "responses": {
                    **_ok("FineTuningJob", job_example, "The queued job."),
                    **_errors(400, 401, 403, 404, 413, 429),
                },
                "x-python": (
                    "job = client.fine_tuning.jobs.create(\n"
                    '    model="Tiny",\n'
                    f'    training_file="{EXAMPLE_FILE}",\n'
                    '    hyperparameters={"n_epochs": 3, "batch_size": 8},\n'
                    '    suffix="support-v2",\n'
                    ")\n"
                    '# or from a frozen dataset version: extra_body={"dataset_version": "v1"}\n'
                    "print(job.id, job.status)"
                ),
            },
        },
        "/v1/fine_tuning/jobs/{job_id}": {
            "parameters": [ref("JobId", "parameters")],
            "get": {
                "operationId": "retrieveFineTuningJob",
                "tags": ["Fine-tuning"],
                "summary": "Retrieve a fine-tuning job",
                "responses": {
                    **_ok(
                        "FineTuningJob",
                        {
                            **job_example,
                            "status": "succeeded",
                            "finished_at": CREATED + 900,
                            "fine_tuned_model": EXAMPLE_MODEL,
                        },
                        "The job.",
                    ),
                    **_errors(401, 404, 429),
                },
                "x-python": f'job = client.fine_tuning.jobs.retrieve("{EXAMPLE_JOB}")\nprint(job.status, job.fine_tuned_model)',
            },
        },
        "/v1/fine_tuning/jobs/{job_id}/events": {
            "parameters": [ref("JobId", "parameters")],
            "get": {
                "operationId": "listFineTuningEvents",
                "tags": ["Fine-tuning"],
                "summary": "List a job's events",
                "description": "The job's end (when it has finished) and then its latest 50 training-loss points, newest first.",
                "responses": {
                    **_ok(
                        "FineTuningEventList",
                        {
                            "object": "list",
                            "has_more": False,
                            "data": [
                                {
                                    "id": "ftevent-12-end",
                                    "object": "fine_tuning.job.event",
                                    "created_at": CREATED + 900,
                                    "level": "info",
                                    "message": "The job has succeeded. New fine-tuned model: run-12",
                                    "type": "message",
                                    "data": {},
                                },
                                {
                                    "id": "ftevent-12-318",
                                    "object": "fine_tuning.job.event",
                                    "created_at": CREATED,
                                    "level": "info",
                                    "message": "Step 40/40: training loss=1.5021",
                                    "type": "metrics",
                                    "data": {"step": 40, "train_loss": 1.5021},
                                },
                            ],
                        },
                        "The events.",
                    ),
                    **_errors(401, 404, 429),
                },
                "x-python": f'for event in client.fine_tuning.jobs.list_events("{EXAMPLE_JOB}"):\n    print(event.level, event.message)',
            },
        },
        "/v1/fine_tuning/jobs/{job_id}/cancel": {
            "parameters": [ref("JobId", "parameters")],
            "post": {
                "operationId": "cancelFineTuningJob",
                "tags": ["Fine-tuning"],
                "summary": "Cancel a fine-tuning job",
                "description": "Leads only. A queued job is cancelled at once; a running one stops at its next step. A finished job is returned unchanged.",
                "responses": {
                    **_ok("FineTuningJob", {**job_example, "status": "cancelled"}, "The job."),
                    **_errors(401, 404, 413, 429),
                },
                "x-python": f'job = client.fine_tuning.jobs.cancel("{EXAMPLE_JOB}")\nprint(job.status)',
            },
        },
        "/v1/openapi.json": {
            "get": {
                "operationId": "getOpenAPISchema",
                "tags": ["Schema"],
                "summary": "This API's OpenAPI schema",
                "description": "No token needed.",
                "security": [],
                "responses": {
                    "200": {
                        "description": "The OpenAPI 3.1 document.",
                        "content": {
                            "application/json": {"schema": {"type": "object", "required": ["openapi", "info", "paths"]}}
                        },
                    }
                },
                "x-python": 'schema = client.get("/openapi.json", cast_to=dict)\nprint(sorted(schema["paths"]))',
            },
        },
    }


def _samples(server_url, method, path, operation):
    """[openai Python client, curl] for an operation, from its x-python call and its example body."""
    python = operation.pop("x-python")
    form = operation.pop("x-curl-form", None)
    needs_project = any(p.get("$ref", "").endswith("/OpenAIProject") for p in operation.get("parameters", []))
    if operation.get("security") == []:
        setup = f'from openai import OpenAI\n\nclient = OpenAI(base_url="{server_url}/v1", api_key="unused")\n\n'
    else:
        project = f', project="{EXAMPLE_PROJECT}"' if needs_project else ""
        setup = f'import os\n\nfrom openai import OpenAI\n\nclient = OpenAI(base_url="{server_url}/v1", api_key=os.environ["STUDIO_API_KEY"]{project})\n\n'
    url = server_url + path.replace("{model_id}", EXAMPLE_MODEL).replace("{job_id}", EXAMPLE_JOB)
    lines = [f"curl {url}" if method == "get" else f"curl -X {method.upper()} {url}"]
    if operation.get("security") != []:
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


# --- components -------------------------------------------------------------------------------


def _components(max_tokens):
    id_pattern = {"run": "^run-[0-9]+$", "job": "^ftjob-[0-9]+$", "file": "^file-[0-9]+$"}
    usage = {
        "type": "object",
        "required": ["prompt_tokens", "completion_tokens", "total_tokens"],
        "properties": {
            "prompt_tokens": {"type": "integer", "minimum": 0},
            "completion_tokens": {"type": "integer", "minimum": 0},
            "total_tokens": {"type": "integer", "minimum": 0},
        },
    }
    max_tokens_schema = nullable(
        {
            "type": "integer",
            "minimum": 1,
            "maximum": max_tokens,
            "description": f"The most tokens to generate, 1 to {max_tokens} (the API_MAX_NEW_TOKENS setting).",
        }
    )
    decoding = {
        "max_completion_tokens": nullable(
            {
                "type": "integer",
                "minimum": 1,
                "maximum": max_tokens,
                "description": "The newer name of max_tokens; used when max_tokens is not given.",
            }
        ),
        "temperature": nullable(
            {
                "type": "number",
                "minimum": 0,
                "maximum": 2,
                "default": 0,
                "description": "0 (the default) decodes greedily, as does anything below 0.001; above that, samples.",
            }
        ),
        "top_p": nullable(
            {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": 1,
                "default": 1,
                "description": "Nucleus sampling, when temperature is above 0.",
            }
        ),
        "seed": nullable(
            {
                "type": "integer",
                "minimum": 0,
                "maximum": 2**63 - 1,
                "description": "Seeds sampling, for repeatable answers.",
            }
        ),
        "stream": nullable(
            {
                "type": "boolean",
                "default": False,
                "description": "Answer as server-sent events (the whole answer in one chunk).",
            }
        ),
        "stop": {
            "description": "Generation stops before any of these strings (up to 4, none empty).",
            "oneOf": [
                {"type": "string", "minLength": 1},
                {"type": "array", "maxItems": 4, "items": {"type": "string", "minLength": 1}},
                {"type": "null"},
            ],
        },
    }
    finding = {
        "type": "object",
        "required": ["line", "check", "severity", "message"],
        "properties": {
            "line": {"type": "integer"},
            "check": {"type": "string", "description": "format, length, repetition, pii, duplicate or contradiction"},
            "severity": {"type": "string", "enum": ["error", "warning"]},
            "message": {"type": "string"},
        },
    }
    error = {
        "type": "object",
        "required": ["message", "type", "param", "code"],
        "properties": {
            "message": {"type": "string", "description": "What went wrong and where, for a person."},
            "type": {
                "type": "string",
                "enum": ["invalid_request_error", "authentication_error", "rate_limit_error", "server_error"],
            },
            "param": {"type": ["string", "null"], "description": "The field or header at fault, when there is one."},
            "code": {
                "type": ["string", "null"],
                "description": "invalid_api_key, rate_limit_exceeded, request_too_large, backend_unavailable, not_found, server_error, or null.",
            },
        },
    }

    def error_response(description, example_message, code=None, kind="invalid_request_error", param=None, headers=None):
        response = {
            "description": description,
            "content": {
                "application/json": {
                    "schema": ref("ErrorResponse"),
                    "example": {"error": {"message": example_message, "type": kind, "param": param, "code": code}},
                }
            },
        }
        if headers:
            response["headers"] = headers
        return response

    return {
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "st-...",
                "description": "A personal API token from the API tokens page; it acts as you, with your roles.",
            },
        },
        "parameters": {
            "OpenAIProject": {
                "name": "OpenAI-Project",
                "in": "header",
                "required": False,
                "description": "The slug of the project to act in (the openai client's `project=`). May be left out by someone in only one project whose role allows the action.",
                "schema": {"type": "string"},
                "example": EXAMPLE_PROJECT,
            },
            "ModelId": {
                "name": "model_id",
                "in": "path",
                "required": True,
                "description": "A model id from GET /v1/models.",
                "schema": {"type": "string"},
                "example": EXAMPLE_MODEL,
            },
            "JobId": {
                "name": "job_id",
                "in": "path",
                "required": True,
                "description": "A job id from GET /v1/fine_tuning/jobs.",
                "schema": {"type": "string"},
                "example": EXAMPLE_JOB,
            },
        },
        "headers": {
            "RateLimitLimit": {
                "description": "Requests a minute this token may make.",
                "schema": {"type": "integer", "minimum": 1},
            },
            "RateLimitRemaining": {
                "description": "Requests left in this minute.",
                "schema": {"type": "integer", "minimum": 0},
            },
            "RateLimitReset": {
                "description": "Time until the minute's count starts again, e.g. `42s`.",
                "schema": {"type": "string", "pattern": "^[0-9]+s$"},
            },
            "RetryAfter": {
                "description": "Seconds to wait before trying again.",
                "required": True,
                "schema": {"type": "integer", "minimum": 1},
            },
        },
        "responses": {
            "BadRequest": error_response(
                "The request is not valid: `param` names the field.",
                "max_tokens must be a whole number from 1 to 2048.",
                param="max_tokens",
            ),
            "Unauthorized": error_response(
                "No token, or a token that is not valid or was revoked.",
                "The API token is not valid or was revoked.",
                code="invalid_api_key",
                kind="authentication_error",
            ),
            "Forbidden": error_response(
                "Your role in the project does not allow this.",
                f"Your role in {EXAMPLE_PROJECT} may not launch training runs.",
            ),
            "NotFound": error_response(
                "No such thing, or not one you can see.",
                "The model 'run-99' does not exist or you have no access to it.",
                param="model",
            ),
            "MethodNotAllowed": error_response(
                "The endpoint does not take this method.", "DELETE is not allowed here; use GET."
            ),
            "TooLarge": error_response(
                "The body is over the limit: 1 MB for JSON, MAX_UPLOAD_BYTES for a file.",
                "The request body is larger than 1,000,000 bytes.",
                code="request_too_large",
            ),
            "RateLimited": error_response(
                "Too many requests from this token this minute.",
                "Rate limit reached for this token: 600 requests a minute. Try again in 42 s.",
                code="rate_limit_exceeded",
                kind="rate_limit_error",
                headers={"Retry-After": ref("RetryAfter", "headers"), **RATE_HEADERS},
            ),
            "BadGateway": error_response(
                "The serving backend (TGI, vLLM or the in-process model) did not answer.",
                "The serving backend did not answer: connection refused",
                code="backend_unavailable",
                kind="server_error",
            ),
        },
        "schemas": {
            "Error": error,
            "ErrorResponse": {"type": "object", "required": ["error"], "properties": {"error": ref("Error")}},
            "Model": {
                "type": "object",
                "required": ["id", "object", "created", "owned_by"],
                "properties": {
                    "id": {"type": "string", "pattern": id_pattern["run"]},
                    "object": {"const": "model"},
                    "created": {"type": "integer"},
                    "owned_by": {"type": "string", "description": "The project's slug."},
                },
            },
            "ModelList": {
                "type": "object",
                "required": ["object", "data"],
                "properties": {"object": {"const": "list"}, "data": {"type": "array", "items": ref("Model")}},
            },
            "DeletedModel": {
                "type": "object",
                "required": ["id", "object", "deleted"],
                "properties": {"id": {"type": "string"}, "object": {"const": "model"}, "deleted": {"const": True}},
            },
            "ChatMessage": {
                "type": "object",
                "required": ["role", "content"],
                "properties": {
                    "role": {"type": "string", "enum": ["system", "user", "assistant"]},
                    "content": {"type": "string", "description": "Text only."},
                },
            },
            "ChatCompletionRequest": {
                "type": "object",
                "required": ["model", "messages"],
                "properties": {
                    "model": {
                        "type": "string",
                        "description": "A model id from GET /v1/models, such as run-12. An unknown one gives 404.",
                        "examples": [EXAMPLE_MODEL],
                    },
                    "messages": {
                        "type": "array",
                        "minItems": 1,
                        "items": ref("ChatMessage"),
                        "description": "The conversation so far.",
                    },
                    "max_tokens": {**max_tokens_schema, "default": 256},
                    **decoding,
                },
            },
            "ChatCompletion": {
                "type": "object",
                "required": ["id", "object", "created", "model", "choices", "usage"],
                "properties": {
                    "id": {
                        "type": "string",
                        "pattern": "^chatcmpl-[0-9]+$",
                        "description": "The logged answer's id; POST /v1/feedback rates it.",
                    },
                    "object": {"const": "chat.completion"},
                    "created": {"type": "integer"},
                    "model": {"type": "string", "pattern": id_pattern["run"]},
                    "choices": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["index", "message", "finish_reason"],
                            "properties": {
                                "index": {"const": 0},
                                "message": {
                                    "type": "object",
                                    "required": ["role", "content"],
                                    "properties": {"role": {"const": "assistant"}, "content": {"type": "string"}},
                                },
                                "finish_reason": {"type": "string", "enum": ["stop", "length"]},
                                "logprobs": {"type": "null"},
                            },
                        },
                    },
                    "usage": ref("Usage"),
                    "system_fingerprint": {"type": ["string", "null"]},
                },
            },
            "CompletionRequest": {
                "type": "object",
                "required": ["model", "prompt"],
                "properties": {
                    "model": {
                        "type": "string",
                        "description": "A model id from GET /v1/models, such as run-12. An unknown one gives 404.",
                        "examples": [EXAMPLE_MODEL],
                    },
                    "prompt": {"type": "string", "minLength": 1, "description": "Text only (not a list of prompts)."},
                    "max_tokens": {**max_tokens_schema, "default": 16},
                    **decoding,
                },
            },
            "Completion": {
                "type": "object",
                "required": ["id", "object", "created", "model", "choices", "usage"],
                "properties": {
                    "id": {
                        "type": "string",
                        "pattern": "^cmpl-[0-9]+$",
                        "description": "The logged answer's id; POST /v1/feedback rates it.",
                    },
                    "object": {"const": "text_completion"},
                    "created": {"type": "integer"},
                    "model": {"type": "string", "pattern": id_pattern["run"]},
                    "choices": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["text", "index", "finish_reason"],
                            "properties": {
                                "text": {"type": "string"},
                                "index": {"const": 0},
                                "finish_reason": {"type": "string", "enum": ["stop", "length"]},
                                "logprobs": {"type": "null"},
                            },
                        },
                    },
                    "usage": ref("Usage"),
                },
            },
            "Usage": usage,
            "FeedbackRequest": {
                "type": "object",
                "required": ["completion_id", "rating"],
                "properties": {
                    "completion_id": {
                        "type": "string",
                        "description": "The `id` a completion answer returned (chatcmpl-42 or cmpl-42). One that is unknown or not yours to see gives 404.",
                        "examples": ["chatcmpl-42"],
                    },
                    "rating": {"type": "integer", "minimum": 1, "maximum": 5, "description": "1 (bad) to 5 (good)."},
                    "correction": nullable(
                        {
                            "type": "string",
                            "maxLength": 100_000,
                            "description": "The answer the model should have given.",
                        }
                    ),
                    "comment": nullable({"type": "string", "maxLength": 5_000, "description": "A note for the team."}),
                },
            },
            "Feedback": {
                "type": "object",
                "required": [
                    "id",
                    "object",
                    "completion_id",
                    "rating",
                    "correction",
                    "comment",
                    "created_at",
                    "draft_example",
                ],
                "properties": {
                    "id": {"type": "string", "pattern": "^feedback-[0-9]+$"},
                    "object": {"const": "feedback"},
                    "completion_id": {"type": "string", "pattern": "^(chatcmpl|cmpl)-[0-9]+$"},
                    "rating": {"type": "integer", "minimum": 1, "maximum": 5},
                    "correction": {"type": ["string", "null"], "description": "null when none was given."},
                    "comment": {"type": ["string", "null"]},
                    "created_at": {"type": "integer", "description": "Unix seconds."},
                    "draft_example": {
                        "type": ["integer", "null"],
                        "description": "The draft example the project's feedback rule made from this answer, if it made one.",
                    },
                },
            },
            "File": {
                "type": "object",
                "required": [
                    "id",
                    "object",
                    "bytes",
                    "created_at",
                    "filename",
                    "purpose",
                    "status",
                    "status_details",
                    "studio_examples",
                    "studio_findings",
                ],
                "properties": {
                    "id": {"type": "string", "pattern": id_pattern["file"]},
                    "object": {"const": "file"},
                    "bytes": {"type": "integer", "minimum": 0},
                    "created_at": {"type": "integer"},
                    "filename": {"type": "string"},
                    "purpose": {"type": "string"},
                    "status": {"const": "processed"},
                    "status_details": {"type": "null"},
                    "studio_examples": {"type": "integer", "minimum": 0, "description": "Examples read from the file."},
                    "studio_findings": {
                        "type": "array",
                        "items": finding,
                        "description": "What the checks found (the first 500).",
                    },
                },
            },
            "FileList": {
                "type": "object",
                "required": ["object", "data", "has_more"],
                "properties": {
                    "object": {"const": "list"},
                    "data": {"type": "array", "items": ref("File")},
                    "has_more": {"type": "boolean"},
                },
            },
            "FileUpload": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "contentMediaType": "application/octet-stream",
                        "description": f"The file, UTF-8, at most {settings.MAX_UPLOAD_BYTES:,} bytes (the MAX_UPLOAD_BYTES setting).",
                    },
                    "purpose": {
                        "type": "string",
                        "maxLength": 40,
                        "default": "fine-tune",
                        "description": "Kept with the file.",
                    },
                },
            },
            "FineTuningJobRequest": {
                "type": "object",
                "description": "Give training_file or dataset_version.",
                "properties": {
                    "model": nullable(
                        {
                            "type": "string",
                            "description": "A ready base model of the project by name (or `base`); the project's base model when left out.",
                        }
                    ),
                    "training_file": nullable(
                        {
                            "type": "string",
                            "description": "An uploaded file's id (file-3) in this project.",
                            "examples": [EXAMPLE_FILE],
                        }
                    ),
                    "dataset_version": nullable(
                        {
                            "type": "string",
                            "description": "The name of a frozen dataset version of this project, used when there is no training_file.",
                            "examples": ["v1"],
                        }
                    ),
                    "hyperparameters": nullable(
                        {
                            "type": "object",
                            "properties": {
                                "n_epochs": {
                                    "description": "Epochs, above 0 and at most 100.",
                                    "oneOf": [
                                        {"const": "auto"},
                                        {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
                                        {"type": "null"},
                                    ],
                                },
                                "batch_size": {
                                    "description": "Rows a step, 1 to 1024.",
                                    "oneOf": [
                                        {"const": "auto"},
                                        {"type": "integer", "minimum": 1, "maximum": 1024},
                                        {"type": "null"},
                                    ],
                                },
                                "learning_rate_multiplier": {
                                    "description": "Times the default learning rate of 2e-4; the result must be below 1.",
                                    "oneOf": [
                                        {"const": "auto"},
                                        {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 5000},
                                        {"type": "null"},
                                    ],
                                },
                            },
                        }
                    ),
                    "suffix": nullable({"type": "string", "maxLength": 120, "description": "Names the run."}),
                    "seed": nullable(
                        {
                            "type": "integer",
                            "minimum": 0,
                            "maximum": 2**63 - 1,
                            "description": "Seeds the split and the training.",
                        }
                    ),
                },
            },
            "FineTuningJob": {
                "type": "object",
                "required": [
                    "id",
                    "object",
                    "model",
                    "created_at",
                    "finished_at",
                    "fine_tuned_model",
                    "organization_id",
                    "status",
                    "training_file",
                    "validation_file",
                    "hyperparameters",
                    "trained_tokens",
                    "result_files",
                    "seed",
                    "error",
                ],
                "properties": {
                    "id": {"type": "string", "pattern": id_pattern["job"]},
                    "object": {"const": "fine_tuning.job"},
                    "model": {"type": "string", "description": "The base model's name."},
                    "created_at": {"type": "integer"},
                    "finished_at": {"type": ["integer", "null"]},
                    "fine_tuned_model": {
                        "type": ["string", "null"],
                        "description": "The model id (run-12) once the job has succeeded.",
                    },
                    "organization_id": {"type": "string", "description": "The project's slug."},
                    "status": {"type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled"]},
                    "training_file": {"type": ["string", "null"]},
                    "validation_file": {"type": "null"},
                    "hyperparameters": {
                        "type": "object",
                        "required": ["n_epochs", "batch_size", "learning_rate_multiplier"],
                        "properties": {
                            "n_epochs": {"type": ["number", "null"]},
                            "batch_size": {"type": ["integer", "null"]},
                            "learning_rate_multiplier": {"type": "number"},
                        },
                    },
                    "trained_tokens": {"type": "null"},
                    "result_files": {"type": "array", "maxItems": 0},
                    "seed": {"type": "integer"},
                    "error": {
                        "type": ["object", "null"],
                        "required": ["message", "code", "param"],
                        "properties": {
                            "message": {"type": "string"},
                            "code": {"const": "training_failed"},
                            "param": {"type": "null"},
                        },
                    },
                },
            },
            "FineTuningJobList": {
                "type": "object",
                "required": ["object", "data", "has_more"],
                "properties": {
                    "object": {"const": "list"},
                    "data": {"type": "array", "items": ref("FineTuningJob")},
                    "has_more": {"type": "boolean"},
                },
            },
            "FineTuningEvent": {
                "type": "object",
                "required": ["id", "object", "created_at", "level", "message", "type", "data"],
                "properties": {
                    "id": {"type": "string"},
                    "object": {"const": "fine_tuning.job.event"},
                    "created_at": {"type": "integer"},
                    "level": {"type": "string", "enum": ["info", "error"]},
                    "message": {"type": "string"},
                    "type": {"type": "string", "enum": ["message", "metrics"]},
                    "data": {
                        "type": "object",
                        "properties": {"step": {"type": "integer"}, "train_loss": {"type": "number"}},
                    },
                },
            },
            "FineTuningEventList": {
                "type": "object",
                "required": ["object", "data", "has_more"],
                "properties": {
                    "object": {"const": "list"},
                    "data": {"type": "array", "items": ref("FineTuningEvent")},
                    "has_more": {"type": "boolean"},
                },
            },
        },
    }


def resolve(spec, node):
    """node with a top-level $ref (a local one, '#/...') followed, repeatedly."""
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node
