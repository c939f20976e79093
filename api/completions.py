"""POST /v1/chat/completions and POST /v1/completions: answers from a tuned model through the
project's serving backend, each logged as a ServedCompletion whose id POST /v1/feedback rates;
`stream: true` answers as server-sent events in OpenAI's chunk shapes."""

import json
import logging
import time
from typing import Annotated, Literal

from django.conf import settings
from django.http import StreamingHttpResponse
from ninja import Router, Schema
from pydantic import Field
from pydantic_core import PydanticCustomError, core_schema

from api.bodies import RequestBody
from api.errors import ApiError
from api.openapi import CREATED, EXAMPLE_MODEL, documented
from api.scope import served_run

logger = logging.getLogger("studio.api")
router = Router(tags=["Completions"])
MAX_SEED = 2**63 - 1


class AtMostMaxNewTokens:
    """A bound read from the API_MAX_NEW_TOKENS setting when a value is validated or the schema is
    built, so both follow the setting."""

    def __get_pydantic_core_schema__(self, source, handler):
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(self, schema, handler):
        return {**handler(schema), "maximum": settings.API_MAX_NEW_TOKENS}

    @staticmethod
    def check(value):
        if value > settings.API_MAX_NEW_TOKENS:
            raise PydanticCustomError(
                "less_than_equal", "Input should be less than or equal to {le}", {"le": settings.API_MAX_NEW_TOKENS}
            )
        return value


NewTokens = Annotated[int, Field(ge=1), AtMostMaxNewTokens()]
StopText = Annotated[str, Field(min_length=1)]


class StreamOptions(RequestBody):
    include_usage: bool | None = Field(None, description="A last chunk with the usage.")


class DecodingOptions(RequestBody):
    model: str = Field(
        description="A model id from GET /v1/models, such as run-12, or a version name from the registry. "
        "An unknown one gives 404.",
        examples=[EXAMPLE_MODEL],
    )
    max_completion_tokens: NewTokens | None = Field(
        None, description="The newer name of max_tokens; used when max_tokens is not given."
    )
    temperature: Annotated[float, Field(ge=0, le=2)] | None = Field(
        0, description="0 (the default) decodes greedily, as does anything below 0.001; above that, samples."
    )
    top_p: Annotated[float, Field(gt=0, le=1)] | None = Field(
        1, description="Nucleus sampling, when temperature is above 0."
    )
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] | None = Field(
        None, description="Seeds sampling, for repeatable answers."
    )
    n: Annotated[int, Field(ge=1, le=1)] | None = Field(1, description="How many answers: only 1 is offered.")
    user: Annotated[str, Field(max_length=256)] | None = Field(None, description="Your end user's id; not kept.")
    stream: bool | None = Field(False, description="Answer as server-sent events (the whole answer in one chunk).")
    stream_options: StreamOptions | None = Field(None, description="Only with `stream: true` (else a 400).")
    stop: StopText | Annotated[list[StopText], Field(max_length=4)] | None = Field(
        None, description="Generation stops before any of these strings (up to 4, none empty)."
    )

    def refuse_stream_options_without_stream(self):
        """OpenAI refuses stream_options on a request that does not stream (a 400 naming it)."""
        if self.stream_options is not None and not self.stream:
            raise ApiError(
                "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param="stream_options"
            )

    def decoding(self, default_max_tokens):
        from evaluation.core.backends import Decoding

        max_tokens = next(
            (n for n in (self.max_tokens, self.max_completion_tokens) if n is not None), default_max_tokens
        )
        temperature = 0.0 if self.temperature is None else self.temperature
        return Decoding(
            max_new_tokens=max_tokens,
            # so small a temperature is greedy decoding (and overflows when divided by)
            temperature=0.0 if temperature < 1e-3 else float(temperature),
            top_p=1.0 if self.top_p is None else float(self.top_p),
            stop=(self.stop,) if isinstance(self.stop, str) else tuple(self.stop or ()),
            seed=self.seed or 0,
        )

    def usage_chunks(self, head, g):
        """With stream_options.include_usage, OpenAI's last chunk: no choices, the usage."""
        if self.stream_options and self.stream_options.include_usage:
            return [{**head, "choices": [], "usage": usage(g)}]
        return []


def max_tokens_field(default):
    return Field(
        None,
        description="The most tokens to generate, 1 to API_MAX_NEW_TOKENS (a setting of the server).",
        json_schema_extra={"default": default},
    )


class TextPart(RequestBody):
    type: Literal["text"]
    text: str


class ChatMessage(RequestBody):
    role: Literal["system", "developer", "user", "assistant"] = Field(description="`developer` is taken as `system`.")
    content: str | Annotated[list[TextPart], Field(min_length=1)] = Field(
        description="Text, or a list of text parts (joined); images and audio are not offered."
    )
    name: str | None = Field(None, description="Not used.")

    def turn(self):
        content = self.content if isinstance(self.content, str) else "".join(p.text for p in self.content)
        return {"role": "system" if self.role == "developer" else self.role, "content": content}


class ChatCompletionRequest(DecodingOptions):
    messages: list[ChatMessage] = Field(min_length=1, description="The conversation so far.")
    max_tokens: NewTokens | None = max_tokens_field(256)


class CompletionRequest(DecodingOptions):
    prompt: (
        Annotated[str, Field(min_length=1)]
        | Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1, max_length=1)]
    ) = Field(description="Text, or a list of one text (one prompt a request; token ids are not taken).")

    def text(self):
        return self.prompt if isinstance(self.prompt, str) else self.prompt[0]

    max_tokens: NewTokens | None = max_tokens_field(16)


class Usage(Schema):
    prompt_tokens: int = Field(ge=0)
    completion_tokens: int = Field(ge=0)
    total_tokens: int = Field(ge=0)


class AssistantMessage(Schema):
    role: Literal["assistant"]
    content: str


class ChatChoice(Schema):
    index: Literal[0]
    message: AssistantMessage
    finish_reason: Literal["stop", "length"]
    logprobs: None


class ChatCompletion(Schema):
    id: str = Field(pattern="^chatcmpl-[0-9]+$", description="The logged answer's id; POST /v1/feedback rates it.")
    object: Literal["chat.completion"]
    created: int
    model: str = Field(pattern="^run-[0-9]+$")
    choices: list[ChatChoice] = Field(min_length=1, max_length=1)
    usage: Usage
    system_fingerprint: str | None


class CompletionChoice(Schema):
    text: str
    index: Literal[0]
    finish_reason: Literal["stop", "length"]
    logprobs: None


class Completion(Schema):
    id: str = Field(pattern="^cmpl-[0-9]+$", description="The logged answer's id; POST /v1/feedback rates it.")
    object: Literal["text_completion"]
    created: int
    model: str = Field(pattern="^run-[0-9]+$")
    choices: list[CompletionChoice] = Field(min_length=1, max_length=1)
    usage: Usage


USAGE_EXAMPLE = {"prompt_tokens": 21, "completion_tokens": 9, "total_tokens": 30}


@router.post(
    "/chat/completions",
    response=ChatCompletion,
    operation_id="createChatCompletion",
    summary="Answer a chat",
    description=(
        "The conversation is rendered with the base model's chat template and answered by the tuned model; "
        "instruction/input examples were trained as one user turn (the instruction, a blank line, the input), so "
        "ask the same way. A base model without a chat template takes one user turn, put in the alpaca prompt the "
        "run was trained with. With `stream: true` the answer comes as server-sent events in OpenAI's chunk shape "
        "(the whole answer in one chunk, then the finish reason and `data: [DONE]`), so streaming clients work; "
        "generation itself is not streamed token by token. With `stream_options.include_usage` a last chunk "
        "with no choices carries the usage. One answer a request (`n` above 1 is refused); other OpenAI fields "
        "(`tools`, `logprobs`, ...) are refused (400, unrecognized request argument), never silently ignored."
    ),
    url_name="chat-completions",
    openapi_extra=documented(
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
            "usage": USAGE_EXAMPLE,
            "system_fingerprint": None,
        },
        "The answer (server-sent events with `stream: true`).",
        stream=True,
        errors=(400, 401, 404, 413, 429, 502),
        request={
            "model": EXAMPLE_MODEL,
            "messages": [
                {"role": "system", "content": "Answer with the category as JSON."},
                {"role": "user", "content": "My parcel is late."},
            ],
            "max_tokens": 64,
            "temperature": 0,
        },
        python=(
            "reply = client.chat.completions.create(\n"
            f'    model="{EXAMPLE_MODEL}",\n'
            '    messages=[{"role": "user", "content": "My parcel is late."}],\n'
            "    max_tokens=64,\n"
            "    temperature=0,\n"
            ")\n"
            "print(reply.id, reply.choices[0].message.content)"
        ),
    ),
)
def chat_completions(request, body: ChatCompletionRequest):
    body.refuse_stream_options_without_stream()
    run = served_run(request, body.model)
    messages = [m.turn() for m in body.messages]
    g, row = serve(request, run, "chat.completions", lambda: chat_prompt(run, messages), messages, body.decoding(256))
    head = {"id": row.public_id, "created": int(row.created_at.timestamp()), "model": row.model_id}
    if body.stream:
        head = {**head, "object": "chat.completion.chunk", "system_fingerprint": None}
        delta = {"role": "assistant", "content": g.text}
        return events(
            [
                {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": None, "logprobs": None}]},
                {
                    **head,
                    "choices": [{"index": 0, "delta": {}, "finish_reason": g.finish_reason, "logprobs": None}],
                },
                *body.usage_chunks(head, g),
            ]
        )
    message = {"role": "assistant", "content": g.text}
    return {
        **head,
        "object": "chat.completion",
        "choices": [{"index": 0, "message": message, "finish_reason": g.finish_reason, "logprobs": None}],
        "usage": usage(g),
        "system_fingerprint": None,
    }


def chat_prompt(run, messages):
    """The prompt a chat becomes, asked exactly as the run was trained: its chat template, or the
    alpaca prompt (studio/core/prompts.py decides)."""
    from studio.core.prompts import RenderError, prompt_for, template_tokenizer
    from studio.core.records import Record

    asked = Record.chat([*messages, {"role": "assistant", "content": ""}])
    try:  # the template alone: a transformers tokenizer would import torch into the web process
        return prompt_for(asked, template_tokenizer(run.base_model.path)).text
    except RenderError as e:
        raise ApiError(f"The conversation cannot be put in the model's prompt format: {e}.", param="messages") from None


@router.post(
    "/completions",
    response=Completion,
    operation_id="createCompletion",
    summary="Complete a prompt",
    description="The prompt is given to the tuned model as it is, with no chat template. `stream: true` answers "
    "with server-sent events, as for chats.",
    url_name="completions",
    openapi_extra=documented(
        {
            "id": "cmpl-43",
            "object": "text_completion",
            "created": CREATED,
            "model": EXAMPLE_MODEL,
            "choices": [{"text": ' {"category": "shipping"}', "index": 0, "finish_reason": "stop", "logprobs": None}],
            "usage": USAGE_EXAMPLE,
        },
        "The completion (server-sent events with `stream: true`).",
        stream=True,
        errors=(400, 401, 404, 413, 429, 502),
        request={"model": EXAMPLE_MODEL, "prompt": "Triage the ticket: My parcel is late.", "max_tokens": 32},
        python=f'reply = client.completions.create(model="{EXAMPLE_MODEL}", prompt="Triage the ticket: My parcel is '
        'late.", max_tokens=32)\nprint(reply.choices[0].text)',
    ),
)
def completions(request, body: CompletionRequest):
    body.refuse_stream_options_without_stream()
    run = served_run(request, body.model)
    prompt = body.text()
    messages = [{"role": "user", "content": prompt}]
    g, row = serve(request, run, "completions", prompt, messages, body.decoding(16))
    head = {
        "id": row.public_id,
        "object": "text_completion",
        "created": int(row.created_at.timestamp()),
        "model": row.model_id,
    }
    if body.stream:
        return events(
            [
                {**head, "choices": [{"text": g.text, "index": 0, "finish_reason": None, "logprobs": None}]},
                {
                    **head,
                    "choices": [{"text": "", "index": 0, "finish_reason": g.finish_reason, "logprobs": None}],
                },
                *body.usage_chunks(head, g),
            ]
        )
    return {
        **head,
        "choices": [{"text": g.text, "index": 0, "finish_reason": g.finish_reason, "logprobs": None}],
        "usage": usage(g),
    }


def serve(request, run, endpoint, prompt, messages, decoding):
    """Generate one answer through the project's serving backend and log it, failures included.
    `prompt` is the rendered prompt or a function making it (a chat template may refuse the
    conversation: that is the caller's error, a 400 naming messages, and is not logged).
    Returns (generation, log row) or raises ApiError."""
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
        backend = backend_for(run.project, [run], in_process=False)[0]  # a server's client: no torch here
        (g,) = backend.generate([Request(prompt=prompt, messages=tuple(messages), adapter=adapter_name(run))], decoding)
    except TemplateError as e:
        raise ApiError(f"The model's chat template refuses this conversation: {e}", param="messages") from None
    except ApiError:
        raise
    except Exception as e:  # noqa: BLE001 - every failure to answer is logged for the monitoring page
        if not isinstance(e, (BackendError, ValueError)):
            logger.exception("Serving %s for %s failed", adapter_name(run), run.project.slug)
        row.status = ServedCompletion.Status.ERROR
        row.error = str(e)[:2000] if isinstance(e, BackendError) else f"{type(e).__name__}: {e}"[:2000]
        row.latency_ms = (time.monotonic() - started) * 1000
        row.log()
        raise ApiError(f"The serving backend did not answer: {e}", status=502, code="backend_unavailable") from None
    row.output, row.finish_reason = g.text, g.finish_reason
    row.prompt_tokens, row.completion_tokens = g.prompt_tokens, g.completion_tokens
    row.latency_ms = (time.monotonic() - started) * 1000
    row.log()
    return g, row


def events(chunks):
    """Server-sent events as OpenAI streams them: one `data:` line per chunk, then [DONE]. The
    answer is generated whole first, so streaming clients get it in one chunk."""
    body = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks) + "data: [DONE]\n\n"
    response = StreamingHttpResponse(iter([body.encode()]), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    return response


def usage(g):
    return {
        "prompt_tokens": g.prompt_tokens,
        "completion_tokens": g.completion_tokens,
        "total_tokens": g.prompt_tokens + g.completion_tokens,
    }
