"""Evaluation runs in the database: generate base and tuned outputs for a training run's test
split with identical decoding, score them, and summarise tuned versus base."""

from pathlib import Path

from django.db import transaction

from curation.models import Example
from evaluation.core.backends import Decoding, LocalBackend, Request
from evaluation.core.metrics import field_report, paired_bootstrap, perplexity, score, split_by
from evaluation.models import EvaluationRun, Generation
from studio.core.adapters import is_prompt_learning
from studio.core.prompts import RenderError, load_tokenizer, prompt_for, render
from studio.core.records import Record

TUNED = "tuned"
METRICS = ("exact_match", "token_f1", "rouge1", "rouge2", "rougeL", "json_valid", "schema_valid", "length_words")


def start(training_run, user, decoding=None):
    decoding = decoding or Decoding()
    with transaction.atomic():
        run = EvaluationRun.objects.create(
            project=training_run.project,
            training_run=training_run,
            decoding=decoding.as_dict(),
            backend={"kind": "local"},
            created_by=user,
        )
        run.enqueue()
    return run


def trained_on(runs):
    """Ids of test items the runs (or the runs they continue) learned from: a preference run learns
    from a study's test items, which its evaluations and studies must then leave out."""
    seen, ids = set(), set()
    stack = list(runs)
    while stack:
        run = stack.pop()
        if run is None or run.id in seen:
            continue
        seen.add(run.id)
        ids.update((run.lineage or {}).get("item_ids", []))
        stack.append(run.parent)
    return ids


def adapter_name(run):
    """How every backend addresses a run's adapter (TGI's LORA_ADAPTERS, vLLM's --lora-modules)."""
    return f"run-{run.id}"


def served_folder(run):
    """(kind, folder) of what serves a run: ("adapter", its LoRA adapter), ("model", the whole
    model a full fine-tune saved), or (None, None) when neither is on storage."""
    out = Path(run.output_dir) if run.output_dir else None
    if out is not None and (out / "adapter").is_dir():
        return "adapter", out / "adapter"
    if out is not None and (out / "model").is_dir():
        return "model", out / "model"
    return None, None


def backend_for(project, runs, *, in_process=True):
    """(backend, its description) for a project's serving settings and the runs to compare.
    The "local" kind is the local model server when LOCAL_MODEL_SERVER_URL is set; without one, a
    worker (in_process=True) loads the model itself and the web process (in_process=False) gets
    a BackendError: it never loads torch."""
    from django.conf import settings

    from evaluation.core.backends import BackendError, ModelServerBackend, OpenAIBackend, RoutedBackend, TGIBackend
    from evaluation.models import ServingBackend

    try:  # read with the project when the caller selected it (the API does), else one query
        config = project.serving_backend
    except ServingBackend.DoesNotExist:
        config = None
    local = config is None or config.kind == ServingBackend.Kind.LOCAL
    adapters, models = {}, {}  # adapters of the base model; whole model folders (full fine-tunes)
    for run in runs:
        kind, folder = served_folder(run)
        if kind is None:
            if local:  # a TGI or vLLM server holds its adapters itself
                raise ValueError(f"{run.name} has no adapter (status {run.get_status_display().lower()})")
            continue
        (adapters if kind == "adapter" else models)[adapter_name(run)] = str(folder)
    if local:
        base = runs[0].base_model.path
        if settings.LOCAL_MODEL_SERVER_URL:
            url = settings.LOCAL_MODEL_SERVER_URL
            main = ModelServerBackend(url, base, adapters)
            routed = {name: ModelServerBackend(url, folder) for name, folder in models.items()}
            described = {"kind": "local", "url": url, "base_model": base}
        elif not in_process:
            raise BackendError(
                "no local model server is configured (LOCAL_MODEL_SERVER_URL): start one with "
                "python -m evaluation.core.local_server, or set a TGI or OpenAI-compatible backend"
            )
        else:
            main = LocalBackend(base, adapters)
            routed = {name: LocalBackend(folder) for name, folder in models.items()}
            described = {"kind": "local", "base_model": base}
        if routed:
            described["models"] = models
            return RoutedBackend(main, routed), described
        return main, described
    soft = [name for name, folder in adapters.items() if is_prompt_learning(folder)]
    if soft:
        raise BackendError(
            f"{', '.join(soft)}: a soft prompt (prompt tuning), which the project's {config.get_kind_display()} "
            "server does not load (it takes LoRA adapters only); use the local model server"
        )
    if models:
        raise BackendError(
            f"{', '.join(models)}: a full fine-tune is a model of its own, which the project's "
            f"{config.get_kind_display()} server (one base model with adapters) does not hold; serve its folder "
            "with its own server (the launch line is on the Models page), or use the local model server"
        )
    if config.kind == ServingBackend.Kind.TGI:
        return TGIBackend(config.base_url, timeout=config.timeout, concurrency=config.concurrency), {
            "kind": "tgi",
            "url": config.base_url,
        }
    return OpenAIBackend(
        config.base_url, model=config.base_model_name, timeout=config.timeout, concurrency=config.concurrency
    ), {"kind": "openai", "url": config.base_url, "model": config.base_model_name}


def _regression(project, backend, tokenizer, tuned_key, decoding):
    """The project's regression prompts answered by both models: how often the tuned answer
    differs from the base one, and the metrics where a reference exists (to catch forgetting)."""
    prompts = list(project.regression_prompts.all())
    if not prompts:
        return None
    requests, kept = [], []
    for p in prompts:
        record = Record(instruction=p.prompt, output=p.reference or "-")
        try:
            asked = prompt_for(record, tokenizer)
        except RenderError:
            continue
        requests.append(Request(prompt=asked.text, messages=asked.messages))
        kept.append(p)
    base = backend.generate(requests, decoding)
    tuned = backend.generate([Request(r.prompt, r.messages, tuned_key) for r in requests], decoding)
    rows = []
    for p, b, t in zip(kept, base, tuned):
        row = {"prompt": p.prompt[:500], "base": b.text, "tuned": t.text, "changed": b.text.strip() != t.text.strip()}
        if p.reference:
            row["base_f1"] = score(b.text, p.reference)["token_f1"]
            row["tuned_f1"] = score(t.text, p.reference)["token_f1"]
        rows.append(row)
    with_ref = [r for r in rows if "base_f1" in r]
    return {
        "count": len(rows),
        "changed": sum(r["changed"] for r in rows) / len(rows) if rows else 0,
        "base_f1": sum(r["base_f1"] for r in with_ref) / len(with_ref) if with_ref else None,
        "tuned_f1": sum(r["tuned_f1"] for r in with_ref) / len(with_ref) if with_ref else None,
        "rows": rows[:100],
    }


def execute(job):
    """Generate, score and summarise a claimed evaluation; its progress counts outputs."""
    from curation.checking import project_rules

    ev = EvaluationRun.objects.select_related(
        "training_run", "training_run__base_model", "training_run__dataset_version", "project"
    ).get(id=job.id)
    run = ev.training_run
    backend, described = backend_for(ev.project, [run])
    EvaluationRun.objects.filter(id=ev.id).update(backend=described)
    tokenizer = load_tokenizer(run.base_model.path)  # prompts are rendered with the base model's own template
    tuned_key = adapter_name(run)
    rules = project_rules(ev.project)
    seen = trained_on([run])  # test items it learned from (a preference run's study items) are no test of it
    items = list(run.dataset_version.items.filter(split=ev.split).exclude(id__in=seen).order_by("id"))
    requests, kept = [], []
    for item in items:
        record = item.record()
        try:
            rendered, asked = render(record, tokenizer), prompt_for(record, tokenizer)
        except RenderError:
            continue
        requests.append((Request(prompt=asked.text, messages=asked.messages), rendered))
        kept.append(item)
    ev.report(0, 2 * len(kept))
    decoding = Decoding(**{**ev.decoding, "stop": tuple(ev.decoding.get("stop") or ())})
    per_side = {}
    for n, side in enumerate(("base", TUNED)):
        reqs = [
            Request(prompt=r.prompt, messages=r.messages, adapter="" if side == "base" else tuned_key)
            for r, _ in requests
        ]
        outputs = []
        for start_at in range(0, len(reqs), 16):
            outputs += backend.generate(reqs[start_at : start_at + 16], decoding)
            ev.report(n * len(kept) + min(start_at + 16, len(reqs)), 2 * len(kept))
        per_side[side] = outputs
        # servers do not give reference log-probabilities here; the in-process model does
        if getattr(backend, "gives_nll", isinstance(backend, LocalBackend)):
            nll, tokens = backend.reference_nll(
                [(rendered.prompt, rendered.completion) for _, rendered in requests],
                adapter="" if side == "base" else tuned_key,
            )
            per_side[f"{side}_ppl"] = perplexity(nll, tokens)
        else:
            per_side[f"{side}_ppl"] = None
    rows, table = [], {side: {m: [] for m in METRICS} for side in ("base", TUNED)}
    for i, item in enumerate(kept):
        reference = item.record().answer()
        for side in ("base", TUNED):
            g = per_side[side][i]
            metrics = score(g.text, reference, schema=rules.json_schema, json_expected=rules.output_json)
            for m in METRICS:
                table[side][m].append(metrics.get(m))
            rows.append(
                Generation(
                    evaluation=ev,
                    item=item,
                    side=side,
                    text=g.text,
                    finish_reason=g.finish_reason,
                    prompt_tokens=g.prompt_tokens,
                    completion_tokens=g.completion_tokens,
                    seconds=g.seconds,
                    metrics=metrics,
                )
            )
    summary = {
        "examples": len(kept),
        "skipped": len(items) - len(kept),
        "trained_on_left_out": len(seen),
        "metrics": {},
        "perplexity": {"base": per_side["base_ppl"], TUNED: per_side[f"{TUNED}_ppl"]},
    }
    for m in METRICS:
        base_vals, tuned_vals = table["base"][m], table[TUNED][m]
        if all(v is None for v in base_vals):
            continue
        mean = lambda vals: sum(v for v in vals if v is not None) / max(1, sum(v is not None for v in vals))  # noqa: E731
        diff, low, high = paired_bootstrap(tuned_vals, base_vals)
        summary["metrics"][m] = {
            "base": mean(base_vals),
            TUNED: mean(tuned_vals),
            "diff": diff,
            "low": low,
            "high": high,
        }
    synthetic = set(
        Example.objects.filter(
            id__in=[i.example_id for i in kept if i.example_id], synthetic__isnull=False
        ).values_list("id", flat=True)
    )
    if synthetic:  # the test split holds generated examples: how each model does on them and on people's
        origins = ["synthetic" if item.example_id in synthetic else "written" for item in kept]
        summary["by_origin"] = split_by(origins, table)
    references = [item.record().answer() for item in kept]
    summary["fields"] = field_report(references, {side: [g.text for g in per_side[side]] for side in ("base", TUNED)})
    summary["latency"] = {
        side: {
            "median_seconds": _median([g.seconds for g in per_side[side]]),
            "median_tokens": _median([g.completion_tokens for g in per_side[side]]),
        }
        for side in ("base", TUNED)
    }
    summary["finish_reasons"] = {
        side: {r: sum(g.finish_reason == r for g in per_side[side]) for r in ("stop", "length")}
        for side in ("base", TUNED)
    }
    summary["regression"] = _regression(ev.project, backend, tokenizer, tuned_key, decoding)
    with transaction.atomic():
        Generation.objects.filter(evaluation=ev).delete()
        Generation.objects.bulk_create(rows, batch_size=500)
        ev.finish(f"Compared {len(kept)} examples, base against tuned.", summary=summary, done=2 * len(kept))


def _median(values):
    ordered = sorted(v for v in values if v is not None)
    return ordered[len(ordered) // 2] if ordered else None
