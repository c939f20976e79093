"""The chat playground: one conversation turn put to the base model and tuned runs side by side,
with the same decoding, through the project's serving backend (the web process only calls a
server; it never loads a model). A reply can become a curation draft."""

from dataclasses import dataclass

from evaluation.blinding import visible_runs

MAX_MESSAGE_CHARS = 8000
BASE = "base"


class PlaygroundError(ValueError):
    """Why the turn could not be asked, for the person at the page."""


@dataclass
class Reply:
    key: str  # "base" or "run-<id>"
    name: str
    text: str = ""
    tokens: int = 0
    seconds: float = 0.0
    finish_reason: str = ""


def servable_runs(project):
    """Runs the requesting member may see that can be served (an adapter, or a full fine-tune's
    model folder), newest first."""
    from training.models import TrainingRun

    runs = (
        visible_runs(project)
        .filter(status__in=(TrainingRun.Status.SUCCEEDED, TrainingRun.Status.CANCELLED))
        .select_related("base_model")
        .order_by("-id")
    )
    from evaluation.evaluating import served_folder

    return [run for run in runs if served_folder(run)[0] is not None]


def messages_for(system, message):
    turns = [{"role": "system", "content": system}] if system.strip() else []
    return turns + [{"role": "user", "content": message}]


def ask(project, runs, with_base, system, message, decoding):
    """[Reply] of the base model (when `with_base`) and each run to one turn. Raises
    PlaygroundError with a reason a person can act on."""
    from jinja2 import TemplateError

    from evaluation.core.backends import BackendError, Request
    from evaluation.evaluating import adapter_name, backend_for
    from studio.core.prompts import RenderError, prompt_for, template_tokenizer
    from studio.core.records import Record

    if not message.strip():
        raise PlaygroundError("Write a message to send.")
    if len(message) > MAX_MESSAGE_CHARS:
        raise PlaygroundError(f"The message is {len(message):,} characters; at most {MAX_MESSAGE_CHARS:,}.")
    if not runs:
        raise PlaygroundError("Choose at least one tuned run (the base model answers beside it).")
    bases = {run.base_model_id for run in runs}
    if len(bases) > 1:
        raise PlaygroundError(
            "These runs tune different base models, which one server does not hold together: "
            "choose runs of one base model."
        )
    base_model = runs[0].base_model
    turns = messages_for(system, message)
    try:  # the template alone: a transformers tokenizer would import torch into the web process
        prompt = prompt_for(
            Record.chat([*turns, {"role": "assistant", "content": ""}]), template_tokenizer(base_model.path)
        ).text
    except (RenderError, TemplateError) as e:
        raise PlaygroundError(f"The conversation cannot be put in {base_model.name}'s prompt format: {e}") from None
    replies = ([Reply(BASE, f"{base_model.name} (base)")] if with_base else []) + [
        Reply(adapter_name(run), run.name) for run in runs
    ]
    requests = [Request(prompt=prompt, messages=tuple(turns), adapter="" if r.key == BASE else r.key) for r in replies]
    try:
        backend = backend_for(project, runs, in_process=False)[0]
        generations = backend.generate(requests, decoding)
    except (BackendError, ValueError) as e:
        raise PlaygroundError(f"The serving backend did not answer: {e}") from None
    for reply, g in zip(replies, generations):
        reply.text, reply.tokens, reply.seconds, reply.finish_reason = (
            g.text,
            g.completion_tokens,
            g.seconds,
            g.finish_reason,
        )
    return replies
