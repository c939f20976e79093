from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from curation import drafts
from evaluation.blinding import visible_evaluations, visible_runs
from evaluation.evaluating import METRICS, TUNED, start
from studio.access import project_view
from studio.models import Action

LABELS = {
    "exact_match": "Exact match",
    "token_f1": "Token F1",
    "rouge1": "ROUGE-1",
    "rouge2": "ROUGE-2",
    "rougeL": "ROUGE-L",
    "json_valid": "Valid JSON",
    "schema_valid": "Matches the schema",
    "length_words": "Length (words)",
}
PAGE = 20


@project_view(Action.EVALUATE)
@require_POST
def start_evaluation(request, project, run_id):
    run = get_object_or_404(visible_runs(project), id=run_id)
    if run.status != run.Status.SUCCEEDED and run.status != run.Status.CANCELLED:
        messages.error(request, "Only a finished run with an adapter can be evaluated.")
        return redirect("training:run", project.slug, run.id)
    evaluation = start(run, request.user)
    return redirect("evaluation:evaluation", project.slug, evaluation.id)


@project_view(Action.VIEW)
@require_GET
def evaluation_detail(request, project, evaluation_id):
    ev = get_object_or_404(visible_evaluations(project).select_related("training_run"), id=evaluation_id)
    rows = []
    for m in METRICS:
        data = ev.summary.get("metrics", {}).get(m)
        if data:
            scale = 1 if m == "length_words" else 100
            # rates on their own 0-100% scale (a 5% F1 is a short bar); lengths up to the longer side
            top = max(data["base"], data[TUNED], 1e-9) if m == "length_words" else 1.0
            rows.append(
                {
                    "name": LABELS[m],
                    "key": m,
                    "base": data["base"] * scale,
                    "tuned": data[TUNED] * scale,
                    "diff": data["diff"] * scale,
                    "low": data["low"] * scale,
                    "high": data["high"] * scale,
                    "percent": scale == 100,
                    "base_bar": 100 * data["base"] / top,
                    "tuned_bar": 100 * data[TUNED] / top,
                    "scale": f"0 to {top:.0f} words" if m == "length_words" else "0 to 100%",
                    "better": data["low"] > 0 if m != "length_words" else None,
                    "worse": data["high"] < 0 if m != "length_words" else None,
                }
            )
    page = max(0, int(request.GET.get("page", "0"))) if request.GET.get("page", "0").isdigit() else 0
    items = []
    if ev.status == ev.Status.SUCCEEDED:
        generations = list(
            ev.generations.select_related("item").order_by("item_id", "side")[page * PAGE * 2 : (page + 1) * PAGE * 2]
        )
        by_item = {}
        for g in generations:
            by_item.setdefault(g.item_id, {"item": g.item})[g.side] = g
        items = list(by_item.values())
    context = {
        "project": project,
        "ev": ev,
        "rows": rows,
        "items": items,
        "page": page,
        "more": len(items) == PAGE,
        "tuned": TUNED,
        "can_write": project.membership.can(Action.WRITE_EXAMPLES),
        "judges": list(project.judges.all()) if project.membership.can(Action.EVALUATE) else [],
        "judge_runs": list(ev.judge_runs.select_related("judge")[:10])
        if project.membership.can(Action.EVALUATE)
        else [],
    }
    from evaluation.models import SuccessGate

    gate = SuccessGate.objects.filter(project=project).first()
    context["gate"] = gate.result(ev) if gate and ev.status == ev.Status.SUCCEEDED else None
    template = "evaluation/evaluation.html#evaluation-live" if request.htmx else "evaluation/evaluation.html"
    return render(request, template, context)


@project_view(Action.WRITE_EXAMPLES)
@require_POST
def to_curation(request, project, evaluation_id, item_id):
    """Turn a test example the tuned model got wrong into a correction task in curation: a draft
    holding the tuned model's answer, the reference beside it, linked to where it came from."""
    ev = get_object_or_404(visible_evaluations(project), id=evaluation_id)
    tuned = get_object_or_404(ev.generations.select_related("item"), item_id=item_id, side=TUNED)
    item = tuned.item
    source = f"evaluation {ev.id} of {ev.training_run.name}, test example #{item.example_id or item.id}"
    example, created = drafts.correction_once(
        project,
        request.user,
        item.record(),
        tuned.text,
        who=f"the tuned model ({ev.training_run.name})",
        source=source,
        action="from an evaluation",
        origin_run_id=ev.training_run_id,
    )
    if created:
        messages.success(
            request,
            f"Draft #{example.id} holds the tuned model's answer, with the reference beside it in a comment: correct it.",
        )
    else:
        messages.info(request, f"Already in curation as #{example.id}.")
    return redirect("curation:example", project.slug, example.id)


@project_view(Action.MANAGE_PROJECT)
def serving_backend(request, project):
    """Where this project's outputs are generated, with a connection test and the serving recipe
    for its runs' adapters."""
    from pathlib import Path

    from django.conf import settings

    from evaluation.core.backends import (
        CONNECTION_TEST_TIMEOUT,
        BackendError,
        Decoding,
        OpenAIBackend,
        PublicOnlyBackend,
        Request,
        TGIBackend,
    )
    from evaluation.forms import ServingBackendForm
    from evaluation.models import ServingBackend

    current = ServingBackend.objects.filter(project=project).first()
    initial = (
        {
            "kind": current.kind,
            "base_url": current.base_url,
            "base_model_name": current.base_model_name,
            "timeout": current.timeout,
            "concurrency": current.concurrency,
        }
        if current
        else None
    )
    form = ServingBackendForm(request.POST or None, initial=initial)
    test_result = ""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ServingBackend.objects.update_or_create(project=project, defaults=d)
        if request.POST.get("action") == "test" and d["kind"] != "local":
            timeout = min(d["timeout"], CONNECTION_TEST_TIMEOUT)
            backend = (
                TGIBackend(d["base_url"], timeout=timeout, retries=0)
                if d["kind"] == "tgi"
                else OpenAIBackend(d["base_url"], d["base_model_name"], timeout=timeout, retries=0)
            )
            if not settings.SERVING_ALLOW_PRIVATE:  # checked, and the connection held to what was checked
                backend = PublicOnlyBackend(backend, d["base_url"], settings.SERVING_TRUSTED_HOSTS)
            try:
                (g,) = backend.generate(
                    [Request(prompt="Hello", messages=({"role": "user", "content": "Hello"},))],
                    Decoding(max_new_tokens=8),
                )
                test_result = f"The server answered ({g.completion_tokens} tokens)."
            except BackendError as e:
                test_result = f"No answer: {e}"
        else:
            messages.success(request, "Serving settings saved; new evaluations and studies use them.")
            return redirect("evaluation:serving-backend", project.slug)
    # one server per base model, with every adapter trained on it (the registry has one line per model)
    from evaluation.registry import project_recipe

    by_base = {}
    for run in (
        project.training_runs.filter(status="succeeded", model_deleted_at=None)
        .select_related("base_model")
        .order_by("id")
    ):
        if run.output_dir and (Path(run.output_dir) / "adapter").is_dir():
            by_base.setdefault(run.base_model, []).append(run)
    recipes = [(base, runs, *project_recipe(base.path, runs)) for base, runs in by_base.items()]
    return render(
        request,
        "evaluation/serving_backend.html",
        {"project": project, "form": form, "test_result": test_result, "recipes": recipes},
    )


@project_view(Action.MANAGE_PROJECT)
def regression_prompts(request, project):
    """The project's regression set: general prompts every evaluation also answers."""
    from evaluation.models import RegressionPrompt

    error = ""
    if request.method == "POST":
        if request.POST.get("delete", "").isdigit():
            RegressionPrompt.objects.filter(project=project, id=int(request.POST["delete"])).delete()
            return redirect("evaluation:regression", project.slug)
        prompt = request.POST.get("prompt", "").strip()
        if not prompt:
            error = "Write the prompt."
        else:
            RegressionPrompt.objects.create(
                project=project,
                prompt=prompt,
                reference=request.POST.get("reference", "").strip(),
                created_by=request.user,
            )
            messages.success(request, "Added to the regression set; the next evaluation answers it too.")
            return redirect("evaluation:regression", project.slug)
    return render(
        request,
        "evaluation/regression.html",
        {"project": project, "prompts": project.regression_prompts.all(), "error": error},
    )
