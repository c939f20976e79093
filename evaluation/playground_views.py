"""The chat playground's page: ask the base model and tuned runs one turn side by side, and keep a
reply as a curation draft."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from evaluation.playground import BASE, MAX_MESSAGE_CHARS, PlaygroundError, ask, servable_runs
from studio.access import project_view, require
from studio.models import Action

MAX_NEW_TOKENS = 1024


def _decoding(params):
    """(Decoding, error) from the form: temperature 0-2 (0: greedy), 1-1024 new tokens."""
    from evaluation.core.backends import Decoding

    try:
        temperature = float(params.get("temperature") or 0)
        max_new_tokens = int(params.get("max_new_tokens") or 256)
    except ValueError:
        return Decoding(), "Temperature and the number of new tokens must be numbers."
    if not 0 <= temperature <= 2:
        return Decoding(), "Temperature must be from 0 (greedy) to 2."
    if not 1 <= max_new_tokens <= MAX_NEW_TOKENS:
        return Decoding(), f"New tokens must be from 1 to {MAX_NEW_TOKENS}."
    return Decoding(max_new_tokens=max_new_tokens, temperature=temperature, seed=0), ""


@project_view(Action.EVALUATE)
def playground(request, project):
    runs = servable_runs(project)
    params = request.POST if request.method == "POST" else request.GET
    chosen_ids = {int(i) for i in params.getlist("run") if i.isdigit()}
    chosen = [run for run in runs if run.id in chosen_ids] if request.method == "POST" else runs[:1]
    with_base = params.get("base") == "1" if request.method == "POST" else True
    system, message = params.get("system", ""), params.get("message", "")
    decoding, error = _decoding(params)
    replies = None
    if request.method == "POST" and not error:
        try:
            replies = ask(project, chosen, with_base, system, message, decoding)
        except PlaygroundError as e:
            error = str(e)
    context = {
        "project": project,
        "runs": runs,
        "chosen": {run.id for run in chosen},
        "with_base": with_base,
        "system": system,
        "message": message,
        "temperature": params.get("temperature", "0"),
        "max_new_tokens": params.get("max_new_tokens", "256"),
        "max_message": MAX_MESSAGE_CHARS,
        "error": error,
        "replies": replies,
        "base_key": BASE,
        "can_draft": project.membership.can(Action.WRITE_EXAMPLES),
    }
    template = "evaluation/playground.html#replies" if request.htmx else "evaluation/playground.html"
    return render(request, template, context, status=400 if error and request.method == "POST" else 200)


@project_view(Action.EVALUATE)
@require_POST
def playground_draft(request, project):
    """A reply kept as a curation draft: the message as its prompt (a chat when there is a system
    prompt), the reply as its answer, to correct or approve like any example."""
    from curation import checking, drafts
    from evaluation.playground import messages_for
    from studio.core.records import Record

    require(project.membership, Action.WRITE_EXAMPLES)
    system, message, reply = (
        request.POST.get("system", ""),
        request.POST.get("message", ""),
        request.POST.get("reply", ""),
    )
    model = request.POST.get("model", "")[:80]
    if not message.strip() or len(message) > MAX_MESSAGE_CHARS:
        messages.error(request, "The draft needs the message it answers.")
        return redirect("evaluation:playground", project.slug)
    if system.strip():
        record = Record.chat([*messages_for(system, message), {"role": "assistant", "content": reply}])
    else:
        record = Record(instruction=message, input="", output=reply)
    example = drafts.new_draft(
        project,
        request.user,
        record,
        source=f"playground: {model}" if model else "playground",
        action="from the playground",
        origin_run_id=int(model[4:]) if model.startswith("run-") and model[4:].isdigit() else None,
    )
    checking.check_example(example)
    messages.success(
        request, f"Draft #{example.id} holds the reply{f' of {model}' if model else ''}: correct it, then submit it."
    )
    return redirect("curation:example", project.slug, example.id)
