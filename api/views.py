"""The REST API under /v1/, in OpenAI's shapes so existing clients work.

Authentication is a personal token (`Authorization: Bearer st-...`); it acts as its user, in the
user's projects, with the user's roles. Every error is JSON: {"error": {"message", "type",
"param", "code"}}.
"""

import contextlib
import json
import logging
import re
import threading
import time
from functools import wraps

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from api.models import ApiToken
from studio.models import Action, Membership

logger = logging.getLogger("studio.api")

MAX_BODY = 1_000_000
MAX_SEED = 2**63 - 1


def error(status, message, param=None, code=None, kind="invalid_request_error"):
    return JsonResponse({"error": {"message": message, "type": kind, "param": param, "code": code}}, status=status)


def api_view(methods):
    """Token authentication, rate limit, method and size checks and JSON errors for an API view."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            header = request.headers.get("Authorization", "")
            if not header.startswith("Bearer "):
                return error(
                    401,
                    "Missing API token: send Authorization: Bearer <token> (make one on the studio's API tokens page).",
                    code="invalid_api_key",
                    kind="authentication_error",
                )
            token = ApiToken.authenticate(header[7:].strip())
            if token is None:
                return error(
                    401,
                    "The API token is not valid or was revoked.",
                    code="invalid_api_key",
                    kind="authentication_error",
                )
            limit, used, reset = count_request(token)
            headers = {
                "x-ratelimit-limit-requests": str(limit),
                "x-ratelimit-remaining-requests": str(max(0, limit - used)),
                "x-ratelimit-reset-requests": f"{reset}s",
            }
            if used > limit:
                response = error(
                    429,
                    f"Rate limit reached for this token: {limit} requests a minute. Try again in {reset} s.",
                    code="rate_limit_exceeded",
                    kind="rate_limit_error",
                )
                for name, value in {**headers, "Retry-After": str(reset)}.items():
                    response[name] = value
                return response
            slug = request.headers.get("OpenAI-Project", "").strip()
            if slug and not Membership.objects.filter(user=token.user, project__slug=slug).exists():
                response = error(
                    404,
                    f"No project {slug!r} of yours: the OpenAI-Project header (the openai client's project=) names a project by its slug.",
                    param="OpenAI-Project",
                )
            elif request.method not in methods:
                response = error(405, f"{request.method} is not allowed here; use {' or '.join(methods)}.")
                response["Allow"] = ", ".join(methods)
            elif _length(request) > MAX_BODY and not request.content_type.startswith("multipart/"):
                response = error(413, f"The request body is larger than {MAX_BODY:,} bytes.", code="request_too_large")
            else:
                request.user = token.user
                request.api_token = token
                response = view(request, *args, **kwargs)
            for name, value in headers.items():
                response[name] = value
            return response

        return wrapper

    return decorate


def _length(request):
    value = request.headers.get("Content-Length", "")
    return int(value) if value.isascii() and value.isdigit() else 0


def count_request(token):
    """(limit, requests in this minute including this one, seconds until the minute ends): one
    atomic upsert in the database, so every web process counts against the same limit."""
    from django.db import connection

    from api.models import RateWindow

    limit = token.rate_limit_per_minute or settings.API_RATE_LIMIT_PER_MINUTE
    now = time.time()
    minute = int(now // 60)
    table = connection.ops.quote_name(RateWindow._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (token_id, minute, count) VALUES (%s, %s, 1) "
            f"ON CONFLICT (token_id, minute) DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [token.id, minute],
        )
        used = cursor.fetchone()[0]
    if used == 1:  # a new minute: forget the old ones
        RateWindow.objects.filter(token=token, minute__lt=minute).delete()
    return limit, used, max(1, 60 - int(now % 60))


def object_id(value, prefix):
    """The number in an id such as run-12 (ASCII digits only, as a database id can hold), or None."""
    match = re.fullmatch(rf"{prefix}-([0-9]{{1,18}})", value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


def _nul_at(value, where=""):
    """Where in a JSON value a NUL character sits (the database cannot store one), or None."""
    if isinstance(value, str):
        return where or "body" if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        path = f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}" if where else str(key)
        if isinstance(key, str) and "\x00" in key:
            return path
        found = _nul_at(item, path)
        if found:
            return found
    return None


def _json_body(request):
    try:
        data = json.loads(request.body or b"{}")
    except ValueError as e:
        raise BadRequest(f"The body is not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.")
    where = _nul_at(data)
    if where:
        raise BadRequest(f"{where} contains a NUL character (\\u0000), which text cannot hold.", param=where)
    return data


class BadRequest(Exception):
    def __init__(self, message, param=None, status=400, code=None):
        super().__init__(message)
        self.param, self.status, self.code = param, status, code

    def response(self):
        return error(
            self.status,
            str(self),
            param=self.param,
            code=self.code,
            kind="server_error" if self.status >= 500 else "invalid_request_error",
        )


def _memberships(request):
    """The requester's memberships, narrowed to the project the OpenAI-Project header names."""
    memberships = Membership.objects.filter(user=request.user)
    slug = request.headers.get("OpenAI-Project", "").strip()
    return memberships.filter(project__slug=slug) if slug else memberships


def _project_ids(request):
    return _memberships(request).values_list("project_id", flat=True)


def _visible_runs(request):
    from training.models import TrainingRun

    return TrainingRun.objects.filter(
        project_id__in=_project_ids(request), status=TrainingRun.Status.SUCCEEDED, model_deleted_at=None
    ).select_related("project", "base_model")


def _model_object(run):
    return {
        "id": f"run-{run.id}",
        "object": "model",
        "created": int(run.created_at.timestamp()),
        "owned_by": run.project.slug,
    }


@api_view(["GET"])
def models(request):
    return JsonResponse({"object": "list", "data": [_model_object(run) for run in _visible_runs(request)]})


def _run_for(request, model):
    """The served run a `model` names: its id (run-12) or its version name in the registry."""
    from training.models import TrainingRun

    if model is None:
        raise BadRequest("model is required: an id from GET /v1/models, such as run-12.", param="model")
    if not isinstance(model, str):
        raise BadRequest("model must be a model id from GET /v1/models, such as run-12.", param="model")
    number = object_id(model, "run")
    runs = _visible_runs(request)
    run = (
        runs.filter(id=number).first()
        if number is not None
        else runs.filter(version_name__iexact=model).exclude(version_name="").first()
    )
    if run is None:
        deleted = (
            TrainingRun.objects.filter(project_id__in=_project_ids(request), model_deleted_at__isnull=False)
            .filter(id=number if number is not None else -1)
            .first()
        )
        if deleted:
            raise BadRequest(
                f"The model {model!r} was deleted through the API on {deleted.model_deleted_at:%d %b %Y}; a lead can serve it again from the Models page.",
                param="model",
                status=404,
            )
        yours = ", ".join(f"run-{i}" for i in runs.values_list("id", flat=True)[:10]) or "none yet"
        raise BadRequest(
            f"Unknown model {model!r}: use an id from GET /v1/models (yours: {yours}).", param="model", status=404
        )
    return run


def _decoding(data, default_max_tokens):
    from evaluation.core.backends import Decoding

    max_tokens = next(
        (data[k] for k in ("max_tokens", "max_completion_tokens") if data.get(k) is not None), default_max_tokens
    )
    if (
        not isinstance(max_tokens, int)
        or isinstance(max_tokens, bool)
        or not 1 <= max_tokens <= settings.API_MAX_NEW_TOKENS
    ):
        raise BadRequest(
            f"max_tokens must be a whole number from 1 to {settings.API_MAX_NEW_TOKENS}.", param="max_tokens"
        )
    values = {}
    for name, default, low, high in (("temperature", 0.0, 0, 2), ("top_p", 1.0, 0, 1)):
        value = data.get(name)
        value = default if value is None else value
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not low <= value <= high:
            raise BadRequest(f"{name} must be a number from {low} to {high}.", param=name)
        values[name] = float(value)
    if values["temperature"] < 1e-3:
        values["temperature"] = 0.0  # so small a temperature is greedy decoding (and overflows when divided by)
    if values["top_p"] == 0:
        raise BadRequest("top_p must be above 0.", param="top_p")
    seed = data.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED):
        raise BadRequest(f"seed must be a whole number from 0 to {MAX_SEED}.", param="seed")
    stop = data.get("stop")
    stop = () if stop is None else (stop,) if isinstance(stop, str) else stop
    if not isinstance(stop, (list, tuple)) or len(stop) > 4 or not all(isinstance(x, str) and x for x in stop):
        raise BadRequest("stop must be a string or a list of up to 4 non-empty strings.", param="stop")
    return Decoding(
        max_new_tokens=max_tokens,
        temperature=values["temperature"],
        top_p=values["top_p"],
        stop=tuple(stop),
        seed=seed or 0,
    )


_local = {"key": None, "backend": None, "lock": threading.Lock()}


def _kept(backend):
    """(backend, lock): a local backend stays loaded in this process between requests (the last
    one asked for; its adapters switch per request, so requests take turns). Remote backends are
    stateless clients and run concurrently."""
    from evaluation.core.backends import LocalBackend

    if not isinstance(backend, LocalBackend):
        return backend, contextlib.nullcontext()
    key = (backend.base_model, tuple(sorted(backend.adapters.items())))
    with _local["lock"]:
        if _local["key"] != key:
            _local.update(key=key, backend=backend)
        return _local["backend"], _local["lock"]


def _serve(request, run, endpoint, prompt, messages, decoding):
    """Generate one answer through the project's serving backend and log it, failures included.
    `prompt` is the rendered prompt or a function making it (a chat template may refuse the
    conversation: that is the caller's error, a 400 naming messages, and is not logged).
    Returns (generation, log row) or raises BadRequest."""
    from jinja2 import TemplateError

    from api.models import ServedCompletion
    from evaluation.core.backends import BackendError, Request
    from evaluation.evaluating import adapter_name, backend_for

    row = ServedCompletion(
        project=run.project,
        run=run,
        token=request.api_token,
        user=request.user,
        endpoint=endpoint,
        messages=[dict(m) for m in messages],
    )
    started = time.monotonic()
    try:
        if callable(prompt):
            prompt = prompt()
        backend, lock = _kept(backend_for(run.project, [run])[0])
        with lock:
            (g,) = backend.generate(
                [Request(prompt=prompt, messages=tuple(messages), adapter=adapter_name(run))], decoding
            )
    except TemplateError as e:
        raise BadRequest(f"The model's chat template refuses this conversation: {e}", param="messages") from None
    except BadRequest:
        raise
    except Exception as e:  # noqa: BLE001 - every failure to answer is logged for the monitoring page
        if not isinstance(e, (BackendError, ValueError)):
            logger.exception("Serving %s for %s failed", adapter_name(run), run.project.slug)
        row.status, row.error, row.latency_ms = (
            ServedCompletion.Status.ERROR,
            f"{type(e).__name__}: {e}"[:2000] if not isinstance(e, BackendError) else str(e)[:2000],
            (time.monotonic() - started) * 1000,
        )
        row.save()
        raise BadRequest(f"The serving backend did not answer: {e}", status=502, code="backend_unavailable") from None
    row.output, row.finish_reason, row.prompt_tokens, row.completion_tokens = (
        g.text,
        g.finish_reason,
        g.prompt_tokens,
        g.completion_tokens,
    )
    row.latency_ms = (time.monotonic() - started) * 1000
    row.save()
    return g, row


def _stream_flag(data):
    stream = data.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise BadRequest("stream must be true or false.", param="stream")
    return bool(stream)


def _stream_usage(data, g):
    options = data.get("stream_options")
    return {"usage": _usage(g)} if isinstance(options, dict) and options.get("include_usage") is True else {}


def _events(chunks):
    """Server-sent events as OpenAI streams them: one `data:` line per chunk, then [DONE]. The
    answer is generated whole first, so streaming clients get it in one chunk."""
    body = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks) + "data: [DONE]\n\n"
    response = StreamingHttpResponse(iter([body.encode()]), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    return response


def _usage(g):
    return {
        "prompt_tokens": g.prompt_tokens,
        "completion_tokens": g.completion_tokens,
        "total_tokens": g.prompt_tokens + g.completion_tokens,
    }


@api_view(["POST"])
def chat_completions(request):
    """A chat answered by a tuned model through the project's serving backend; logged, and its
    `id` is what POST /v1/feedback rates."""
    from curation.core.records import Record
    from evaluation.evaluating import _tokenizer
    from training.core.rendering import RenderError, render, template_kind

    try:
        data = _json_body(request)
        run = _run_for(request, data.get("model"))
        messages = data.get("messages")
        if (
            not isinstance(messages, list)
            or not messages
            or not all(
                isinstance(m, dict)
                and isinstance(m.get("content"), str)
                and m.get("role") in ("system", "user", "assistant")
                for m in messages
            )
        ):
            raise BadRequest(
                "messages must be a non-empty list of {role: system|user|assistant, content: text}.", param="messages"
            )
        messages = [{"role": m["role"], "content": m["content"]} for m in messages]
        decoding = _decoding(data, 256)

        def prompt():
            tokenizer = _tokenizer(run)
            if template_kind(tokenizer) == "chat":
                return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            # no chat template: the alpaca prompt the run was trained with, for one user turn
            turns = [m for m in messages if m["role"] != "system"]
            if len(turns) != 1 or turns[0]["role"] != "user":
                raise BadRequest(
                    "This model has no chat template and was trained on single questions: send one user turn.",
                    param="messages",
                )
            try:
                return render(Record.chat([*turns, {"role": "assistant", "content": ""}]), tokenizer).prompt
            except RenderError as e:
                raise BadRequest(
                    f"The conversation cannot be put in the model's prompt format: {e}", param="messages"
                ) from None

        stream = _stream_flag(data)
        g, row = _serve(request, run, "chat.completions", prompt, messages, decoding)
    except BadRequest as e:
        return e.response()
    if stream:
        head = {
            "id": row.public_id,
            "object": "chat.completion.chunk",
            "created": int(row.created_at.timestamp()),
            "model": row.model_id,
            "system_fingerprint": None,
        }
        return _events(
            [
                {
                    **head,
                    "choices": [
                        {
                            "index": 0,
                            "delta": {"role": "assistant", "content": g.text},
                            "finish_reason": None,
                            "logprobs": None,
                        }
                    ],
                },
                {
                    **head,
                    "choices": [{"index": 0, "delta": {}, "finish_reason": g.finish_reason, "logprobs": None}],
                    **_stream_usage(data, g),
                },
            ]
        )
    return JsonResponse(
        {
            "id": row.public_id,
            "object": "chat.completion",
            "created": int(row.created_at.timestamp()),
            "model": row.model_id,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": g.text},
                    "finish_reason": g.finish_reason,
                    "logprobs": None,
                }
            ],
            "usage": _usage(g),
            "system_fingerprint": None,
        }
    )


@api_view(["POST"])
def completions(request):
    """A plain completion of a prompt string by a tuned model (no chat template); logged."""
    try:
        data = _json_body(request)
        run = _run_for(request, data.get("model"))
        prompt = data.get("prompt")
        if not isinstance(prompt, str) or not prompt:
            raise BadRequest("prompt must be a non-empty string.", param="prompt")
        decoding = _decoding(data, 16)
        stream = _stream_flag(data)
        g, row = _serve(request, run, "completions", prompt, [{"role": "user", "content": prompt}], decoding)
    except BadRequest as e:
        return e.response()
    if stream:
        head = {
            "id": row.public_id,
            "object": "text_completion",
            "created": int(row.created_at.timestamp()),
            "model": row.model_id,
        }
        return _events(
            [
                {**head, "choices": [{"text": g.text, "index": 0, "finish_reason": None, "logprobs": None}]},
                {
                    **head,
                    "choices": [{"text": "", "index": 0, "finish_reason": g.finish_reason, "logprobs": None}],
                    **_stream_usage(data, g),
                },
            ]
        )
    return JsonResponse(
        {
            "id": row.public_id,
            "object": "text_completion",
            "created": int(row.created_at.timestamp()),
            "model": row.model_id,
            "choices": [{"text": g.text, "index": 0, "finish_reason": g.finish_reason, "logprobs": None}],
            "usage": _usage(g),
        }
    )


@api_view(["POST"])
def feedback(request):
    """A rating (1 bad – 5 good) of a served completion, with the answer it should have given."""
    from api.models import ServedCompletion
    from api.serving import give_feedback

    try:
        data = _json_body(request)
        completion_id = data.get("completion_id")
        chat, plain = object_id(completion_id, "chatcmpl"), object_id(completion_id, "cmpl")
        if chat is None and plain is None:
            raise BadRequest(
                "completion_id must be the id a completion returned, such as chatcmpl-42.",
                param="completion_id",
                status=404 if isinstance(completion_id, str) and completion_id else 400,
            )
        projects = _project_ids(request)
        completion = ServedCompletion.objects.filter(
            id=chat if chat is not None else plain,
            project_id__in=projects,
            endpoint="chat.completions" if chat is not None else "completions",
        ).first()
        if completion is None:
            raise BadRequest(f"No completion {completion_id!r} that you can see.", param="completion_id", status=404)
        if completion.status != ServedCompletion.Status.OK:
            raise BadRequest(
                f"{completion_id} failed (the serving backend did not answer); there is no answer to rate.",
                param="completion_id",
            )
        rating = data.get("rating")
        if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
            raise BadRequest("rating must be a whole number from 1 (bad) to 5 (good).", param="rating")
        texts = {}
        for name, limit in (("correction", 100_000), ("comment", 5_000)):
            value = data.get(name)
            value = "" if value is None else value
            if not isinstance(value, str) or len(value) > limit:
                raise BadRequest(f"{name} must be text of at most {limit:,} characters.", param=name)
            texts[name] = value
    except BadRequest as e:
        return e.response()
    given, draft = give_feedback(completion, request.user, rating, **texts)
    return JsonResponse(
        {
            "id": f"feedback-{given.id}",
            "object": "feedback",
            "completion_id": completion.public_id,
            "rating": given.rating,
            "correction": given.correction or None,
            "comment": given.comment or None,
            "created_at": int(given.created_at.timestamp()),
            "draft_example": draft.id if draft else None,
        }
    )


# --- files and fine-tuning jobs -------------------------------------------------------------------


def _project(request, action):
    """The project a request is about: the OpenAI-Project header (the openai client's `project`
    option) naming a project slug, or the user's only project where the role allows `action`."""
    from studio.models import Project

    slug = request.headers.get("OpenAI-Project", "").strip()
    memberships = Membership.objects.filter(user=request.user).select_related("project", "project__base_model")
    if slug:
        membership = memberships.filter(project__slug=slug).first()
        if membership is None:
            raise BadRequest(f"No project {slug!r} of yours.", param="OpenAI-Project", status=404)
    else:
        allowed = [m for m in memberships if m.can(action)]
        if len(allowed) != 1:
            raise BadRequest(
                "Name the project in the OpenAI-Project header (the openai client's project= option): you are in several.",
                param="OpenAI-Project",
            )
        membership = allowed[0]
    if not membership.can(action):
        raise BadRequest(f"Your role in {membership.project.slug} may not {Action(action).label}.", status=403)
    project = membership.project
    project.membership = membership
    assert isinstance(project, Project)
    return project


def _file_object(f):
    return {
        "id": f"file-{f.id}",
        "object": "file",
        "bytes": f.size,
        "created_at": int(f.created_at.timestamp()),
        "filename": f.filename,
        "purpose": f.purpose,
        "status": "processed",
        "status_details": None,
        "studio_examples": f.rows,
        "studio_findings": f.findings,
    }


@api_view(["GET", "POST"])
def files(request):
    from api.models import ApiFile
    from curation.core.dataset import check_records
    from curation.core.formats import FileError, read_rows

    try:
        if request.method == "GET":
            projects = _project_ids(request)
            return JsonResponse(
                {
                    "object": "list",
                    "data": [
                        _file_object(f) for f in ApiFile.objects.filter(project_id__in=projects).defer("content")[:100]
                    ],
                    "has_more": False,
                }
            )
        project = _project(request, Action.WRITE_EXAMPLES)
        upload = request.FILES.get("file")
        if upload is None:
            raise BadRequest("Send the file as multipart form data in the field “file”.", param="file")
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise BadRequest(
                f"The file is {upload.size:,} bytes; the limit is {settings.MAX_UPLOAD_BYTES:,}.",
                param="file",
                status=413,
            )
        purpose = request.POST.get("purpose", "fine-tune")
        if "\x00" in purpose or len(purpose) > 40:
            raise BadRequest("purpose must be text of at most 40 characters, such as fine-tune.", param="purpose")
        data = upload.read()
        try:
            rows, line_errors = read_rows(data, upload.name, max_bytes=None)
        except FileError as e:
            raise BadRequest(f"{upload.name}: {e}", param="file") from None
        if line_errors:
            listed = "; ".join(str(e) for e in line_errors[:10])
            raise BadRequest(
                f"{upload.name} was not accepted: {len(line_errors)} line(s) cannot be read: {listed}", param="file"
            )
    except BadRequest as e:
        return e.response()
    from curation.checking import project_rules

    found = check_records([r.record for r in rows], project_rules(project), label=lambda i: f"line {rows[i].line}")
    findings = [
        {"line": rows[i].line, "check": f.check, "severity": f.severity, "message": f.message}
        for i, fs in sorted(found.items())
        for f in fs
    ]
    f = ApiFile.objects.create(
        project=project,
        user=request.user,
        filename=upload.name.replace("\x00", "")[:255],
        purpose=purpose,
        size=len(data),
        content=data,
        rows=len(rows),
        findings=findings[:500],
    )
    return JsonResponse(_file_object(f))


STATUS = {
    "queued": "queued",
    "running": "running",
    "succeeded": "succeeded",
    "failed": "failed",
    "cancelled": "cancelled",
}


def _job_object(run):
    return {
        "id": f"ftjob-{run.id}",
        "object": "fine_tuning.job",
        "model": run.base_model.name,
        "created_at": int(run.created_at.timestamp()),
        "finished_at": int(run.finished_at.timestamp()) if run.finished_at else None,
        "fine_tuned_model": f"run-{run.id}" if run.status == run.Status.SUCCEEDED else None,
        "organization_id": run.project.slug,
        "status": STATUS[run.status],
        "training_file": run.training_file or None,
        "validation_file": None,
        "hyperparameters": {
            "n_epochs": run.config.get("epochs"),
            "batch_size": run.config.get("batch_size"),
            "learning_rate_multiplier": (run.config.get("learning_rate") or 2e-4) / 2e-4,
        },
        "trained_tokens": None,
        "result_files": [],
        "seed": run.config.get("seed", 0),
        "error": {"message": run.error, "code": "training_failed", "param": None} if run.error else None,
    }


def _job(request, job_id, action=Action.VIEW):
    from training.models import TrainingRun

    number = object_id(job_id, "ftjob")
    if number is None:
        raise BadRequest(f"Unknown fine-tuning job {job_id!r}.", status=404)
    projects = [m.project_id for m in _memberships(request) if m.can(action)]
    run = TrainingRun.objects.filter(id=number, project_id__in=projects).select_related("project", "base_model").first()
    if run is None:
        raise BadRequest(f"The fine-tuning job {job_id!r} does not exist or is not yours to see.", status=404)
    return run


@api_view(["GET", "POST"])
def fine_tuning_jobs(request):
    from training.models import TrainingRun

    try:
        if request.method == "GET":
            projects = _project_ids(request)
            runs = TrainingRun.objects.filter(project_id__in=projects).select_related("project", "base_model")[:100]
            return JsonResponse({"object": "list", "data": [_job_object(r) for r in runs], "has_more": False})
        project = _project(request, Action.TRAIN)
        data = _json_body(request)
        return JsonResponse(_create_job(request, project, data))
    except BadRequest as e:
        return e.response()


def _create_job(request, project, data):
    """A job from an uploaded file (its rows become approved examples frozen into their own
    version) or from an existing dataset version; hyperparameters in OpenAI's names."""
    from api.models import ApiFile
    from training.core.engine import ConfigError
    from training.models import TrainingRun
    from training.runs import launch

    base_model = project.base_model
    wanted = data.get("model")
    if wanted is not None and not isinstance(wanted, str):
        raise BadRequest("model must be the name of a base model of the project.", param="model")
    if wanted and (base_model is None or wanted not in (base_model.name, "base")):
        base_model = project.base_models.filter(name=wanted, status="ready").first()
    if base_model is None or base_model.status != "ready":
        raise BadRequest(
            f"No ready base model {wanted!r} in {project.slug}; use one from its Base models page.", param="model"
        )
    hp = data.get("hyperparameters") or {}
    if not isinstance(hp, dict):
        raise BadRequest("hyperparameters must be an object.", param="hyperparameters")
    config = {"early_stopping_patience": 0}
    for name, key in (
        ("n_epochs", "epochs"),
        ("batch_size", "batch_size"),
        ("learning_rate_multiplier", "learning_rate"),
    ):
        value = hp.get(name)
        if value in (None, "auto"):
            continue
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
            raise BadRequest(
                f"hyperparameters.{name} must be a positive number or “auto”.", param=f"hyperparameters.{name}"
            )
        config[key] = {"epochs": value, "batch_size": int(value), "learning_rate": 2e-4 * value}[key]
    seed = data.get("seed")
    if seed is not None:
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
            raise BadRequest(f"seed must be a whole number from 0 to {MAX_SEED}.", param="seed")
        config["seed"] = seed
    suffix = data.get("suffix")
    if suffix is not None and (not isinstance(suffix, str) or len(suffix) > 120):
        raise BadRequest("suffix must be text of at most 120 characters.", param="suffix")
    file_id = data.get("training_file")
    if file_id:
        number = object_id(file_id, "file")
        if number is None:
            raise BadRequest(f"Unknown file {file_id!r}.", param="training_file", status=404)
        with transaction.atomic():
            f = ApiFile.objects.select_for_update().filter(id=number, project=project).first()
            if f is None:
                raise BadRequest(f"The file {file_id!r} is not in {project.slug}.", param="training_file", status=404)
            version = f.dataset_version or _freeze_file(request, project, f, file_id, suffix, config)
    elif data.get("dataset_version"):
        version = project.dataset_versions.filter(name=str(data["dataset_version"])).first()
        if version is None:
            raise BadRequest(
                f"No dataset version {data['dataset_version']!r} in {project.slug}.",
                param="dataset_version",
                status=404,
            )
    else:
        raise BadRequest(
            "Give training_file (an uploaded file id) or dataset_version (a frozen version's name).",
            param="training_file",
        )
    try:
        run = launch(
            project,
            request.user,
            name=suffix or f"API job on {version.name}"[:120],
            version=version,
            base_model=base_model,
            config_values=config,
        )
    except ConfigError as e:
        raise BadRequest(str(e), param="hyperparameters") from None
    if file_id:
        TrainingRun.objects.filter(id=run.id).update(training_file=file_id)
    run.refresh_from_db()
    return _job_object(run)


def _freeze_file(request, project, f, file_id, suffix, config):
    """A file's rows as approved examples, frozen into a version of their own (once per file:
    later jobs from the same file train on the same version)."""
    from api.models import ApiFile
    from curation.core.formats import read_rows
    from curation.core.splits import SplitConfig
    from curation.models import Example, Job, Revision
    from curation.versions import FreezeRefused, freeze

    rows, _ = read_rows(bytes(f.content), f.filename, max_bytes=None)
    created = Example.objects.bulk_create(
        [
            Example(
                project=project,
                author=request.user,
                status=Example.Status.APPROVED,
                reviewer=request.user,
                source=f"API file {file_id} line {r.line}"[:200],
                instruction=r.record.instruction,
                input=r.record.input,
                output=r.record.output,
                messages=[dict(m) for m in r.record.messages] or None,
            )
            for r in rows
        ]
    )
    Revision.objects.bulk_create(
        [
            Revision(
                example=e,
                version=1,
                author=request.user,
                action="approved through the API",
                status=e.status,
                instruction=e.instruction,
                input=e.input,
                output=e.output,
                messages=e.messages,
            )
            for e in created
        ]
    )
    name = f"{file_id} ({suffix or 'api'})"[:120]
    if project.dataset_versions.filter(name=name).exists():
        name = f"{file_id} ({suffix or 'api'}, {timezone.now():%Y-%m-%d %H:%M:%S})"[:120]
    try:
        version = freeze(
            project,
            request.user,
            name=name,
            note=f"Frozen from {f.filename} by the API.",
            config=SplitConfig(ratios=(0.9, 0.1, 0.0), seed=config.get("seed", 0)),
            findings_override="Uploaded through the API; findings are in the file object.",
            leakage_override="Uploaded through the API.",
            examples=Example.objects.filter(id__in=[e.id for e in created]),
        )
    except FreezeRefused as e:
        raise BadRequest(str(e), param="training_file") from None
    ApiFile.objects.filter(id=f.id).update(dataset_version=version)
    # the new examples' checks against the rest of the project run as a scan job, not in this request
    if not Job.objects.filter(
        project=project, kind=Job.Kind.SCAN, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
    ).exists():
        job = Job.objects.create(project=project, kind=Job.Kind.SCAN, user=request.user)
        job.enqueue()
    return version


@api_view(["GET"])
def fine_tuning_job(request, job_id):
    try:
        return JsonResponse(_job_object(_job(request, job_id)))
    except BadRequest as e:
        return e.response()


@api_view(["GET"])
def fine_tuning_events(request, job_id):
    try:
        run = _job(request, job_id)
    except BadRequest as e:
        return e.response()
    events = []
    for p in run.points.exclude(loss=None).order_by("-step")[:50]:
        events.append(
            {
                "id": f"ftevent-{run.id}-{p.id}",
                "object": "fine_tuning.job.event",
                "created_at": int(run.created_at.timestamp()),
                "level": "info",
                "message": f"Step {p.step}/{run.total}: training loss={p.loss:.4f}",
                "type": "metrics",
                "data": {"step": p.step, "train_loss": p.loss},
            }
        )
    if run.finished:
        events.insert(
            0,
            {
                "id": f"ftevent-{run.id}-end",
                "object": "fine_tuning.job.event",
                "created_at": int((run.finished_at or run.created_at).timestamp()),
                "level": "error" if run.error else "info",
                "message": run.error or f"The job has {run.status}. New fine-tuned model: run-{run.id}",
                "type": "message",
                "data": {},
            },
        )
    return JsonResponse({"object": "list", "data": events, "has_more": False})


@api_view(["POST"])
def cancel_fine_tuning_job(request, job_id):
    from training.models import TrainingRun

    try:
        run = _job(request, job_id, Action.TRAIN)
    except BadRequest as e:
        return e.response()
    if not run.finished:
        if (
            TrainingRun.objects.filter(id=run.id, status=TrainingRun.Status.QUEUED).update(
                status=TrainingRun.Status.CANCELLED, cancel_requested=True
            )
            == 0
        ):
            TrainingRun.objects.filter(id=run.id).update(cancel_requested=True)
    run.refresh_from_db()
    return JsonResponse(_job_object(run))


@api_view(["DELETE", "GET"])
def model(request, model_id):
    """GET one model; DELETE stops serving it (leads). Its adapter and history are kept."""
    from django.utils import timezone

    from training.models import TrainingRun

    try:
        run = _run_for(request, model_id)
        if request.method == "GET":
            return JsonResponse(_model_object(run))
        if not Membership.objects.filter(user=request.user, project=run.project).first().can(Action.TRAIN):
            raise BadRequest(f"Your role in {run.project.slug} may not delete models.", status=403)
    except BadRequest as e:
        return e.response()
    TrainingRun.objects.filter(id=run.id).update(model_deleted_at=timezone.now())
    return JsonResponse({"id": model_id, "object": "model", "deleted": True})
