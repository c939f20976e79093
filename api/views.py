"""The REST API under /v1/, in OpenAI's shapes so existing clients work.

Authentication is a personal token (`Authorization: Bearer st-...`); it acts as its user, in the
user's projects, with the user's roles. Every error is JSON: {"error": {"message", "type",
"param", "code"}}.
"""

import json
import time
from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from api.models import ApiToken
from studio.models import Membership

MAX_BODY = 1_000_000


def error(status, message, param=None, code=None, kind="invalid_request_error"):
    return JsonResponse({"error": {"message": message, "type": kind, "param": param, "code": code}}, status=status)


def api_view(methods):
    """Token authentication, method check and JSON errors for an API view."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            header = request.headers.get("Authorization", "")
            if not header.startswith("Bearer "):
                return error(401, "Missing API token: send Authorization: Bearer <token> (create one on your Account page).", code="invalid_api_key", kind="authentication_error")
            token = ApiToken.authenticate(header[7:].strip())
            if token is None:
                return error(401, "The API token is not valid or was revoked.", code="invalid_api_key", kind="authentication_error")
            if request.method not in methods:
                return error(405, f"{request.method} is not allowed here; use {' or '.join(methods)}.")
            if int(request.headers.get("Content-Length") or 0) > MAX_BODY and not request.content_type.startswith("multipart/"):
                return error(413, f"The request body is larger than {MAX_BODY:,} bytes.")
            request.user = token.user
            request.api_token = token
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _json_body(request):
    try:
        data = json.loads(request.body or b"{}")
    except ValueError as e:
        raise BadRequest(f"The body is not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.")
    return data


class BadRequest(Exception):
    def __init__(self, message, param=None, status=400):
        super().__init__(message)
        self.param, self.status = param, status


def _visible_runs(user):
    from training.models import TrainingRun

    projects = Membership.objects.filter(user=user).values_list("project_id", flat=True)
    return TrainingRun.objects.filter(project_id__in=projects, status=TrainingRun.Status.SUCCEEDED).select_related("project", "base_model")


def _model_object(run):
    return {"id": f"run-{run.id}", "object": "model", "created": int(run.created_at.timestamp()), "owned_by": run.project.slug}


@api_view(["GET"])
def models(request):
    return JsonResponse({"object": "list", "data": [_model_object(run) for run in _visible_runs(request.user)]})


def _run_for(user, model):
    if not isinstance(model, str) or not model.startswith("run-") or not model[4:].isdigit():
        raise BadRequest(f"Unknown model {model!r}: use an id from GET /v1/models, such as run-12.", param="model", status=404)
    run = _visible_runs(user).filter(id=int(model[4:])).first()
    if run is None:
        raise BadRequest(f"The model {model!r} does not exist or you have no access to it.", param="model", status=404)
    return run


@api_view(["POST"])
def chat_completions(request):
    from evaluation.core.backends import BackendError, Decoding, Request
    from evaluation.evaluating import _tokenizer, adapter_name, backend_for
    from training.core.rendering import template_kind

    try:
        data = _json_body(request)
        run = _run_for(request.user, data.get("model"))
        messages = data.get("messages")
        if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) and isinstance(m.get("content"), str) and m.get("role") in ("system", "user", "assistant") for m in messages):
            raise BadRequest("messages must be a non-empty list of {role: system|user|assistant, content: text}.", param="messages")
        max_tokens = data.get("max_tokens") or data.get("max_completion_tokens") or 256
        if not isinstance(max_tokens, int) or not 1 <= max_tokens <= settings.API_MAX_NEW_TOKENS:
            raise BadRequest(f"max_tokens must be a whole number from 1 to {settings.API_MAX_NEW_TOKENS}.", param="max_tokens")
        temperature = data.get("temperature", 0.0)
        if not isinstance(temperature, (int, float)) or not 0 <= temperature <= 2:
            raise BadRequest("temperature must be a number from 0 to 2.", param="temperature")
        stop = data.get("stop") or ()
        stop = (stop,) if isinstance(stop, str) else tuple(stop)
    except BadRequest as e:
        return error(e.status, str(e), param=e.param)
    backend, _ = backend_for(run.project, [run])
    tokenizer = _tokenizer(run)
    prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True) if template_kind(tokenizer) == "chat" else "\n".join(m["content"] for m in messages)
    started = time.monotonic()
    try:
        (g,) = backend.generate([Request(prompt=prompt, messages=tuple(messages), adapter=adapter_name(run))], Decoding(max_new_tokens=max_tokens, temperature=float(temperature), top_p=float(data.get("top_p") or 1.0), stop=stop, seed=int(data.get("seed") or 0)))
    except BackendError as e:
        return error(502, str(e), kind="server_error", code="backend_unavailable")
    return JsonResponse({
        "id": f"chatcmpl-{run.id}-{int(time.time() * 1000)}", "object": "chat.completion", "created": int(time.time()), "model": f"run-{run.id}",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": g.text}, "finish_reason": g.finish_reason, "logprobs": None}],
        "usage": {"prompt_tokens": g.prompt_tokens, "completion_tokens": g.completion_tokens, "total_tokens": g.prompt_tokens + g.completion_tokens},
        "system_fingerprint": f"studio-{round(time.monotonic() - started, 3)}s",
    })
