"""Pages for training runs: the list, launching one, following it live, cancelling, comparing."""

import json
import shlex

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from studio.access import project_view
from studio.core.charts import Series, color, line_chart
from studio.models import Action
from studio.signals import hidden_run_ids
from training.core.engine import ConfigError, TrainConfig, diagnose, estimate
from training.forms import LaunchForm
from training.models import ArtifactArchive, TrainingRun
from training.runs import launch, start_merge


def _runs(project):
    """The project's runs this member may see: a blind study they rate hides its runs (404)."""
    return project.training_runs.exclude(id__in=hidden_run_ids(project.membership))


@project_view(Action.VIEW)
@require_GET
def run_list(request, project):
    runs = _runs(project).select_related("dataset_version", "base_model", "created_by")
    return render(
        request,
        "training/run_list.html",
        {"project": project, "runs": runs, "can_train": project.membership.can(Action.TRAIN)},
    )


def _version_tokens(version):
    """(examples, tokens, exact?) of a version's train split: counted by its latest pre-flight,
    or guessed from its characters (about four per token) when it has none."""
    from django.db.models import Sum
    from django.db.models.functions import Length

    from curation.models import Job

    job = (
        Job.objects.filter(kind=Job.Kind.PREFLIGHT, status=Job.Status.SUCCEEDED, details__version_id=version.id)
        .order_by("-finished_at")
        .first()
    )
    train = version.counts.get("train", 0)
    if job:
        per = job.details.get("by_split", {}).get("train", {})
        return train, per.get("tokens") or job.details.get("total_tokens", 0), True
    sizes = version.items.filter(split="train").aggregate(
        i=Sum(Length("instruction")), n=Sum(Length("input")), o=Sum(Length("output"))
    )
    chars = sum(v or 0 for v in sizes.values())
    return train, chars // 4, False


def _observed_speed(project, base_model):
    speeds = list(
        project.training_runs.filter(base_model=base_model, tokens_per_second__isnull=False).values_list(
            "tokens_per_second", flat=True
        )[:5]
    )
    return sorted(speeds)[len(speeds) // 2] if speeds else None


def settings_tflops():
    from django.conf import settings

    return settings.TRAINING_TFLOPS


def command_line(project, form):
    d = form.cleaned_data
    parts = [
        "python",
        "manage.py",
        "launch_run",
        project.slug,
        "--name",
        d["name"],
        "--dataset-version",
        d["dataset_version"].name,
        "--base-model",
        d["base_model"].name,
    ]
    defaults = d["base_model"].launch_defaults()  # what launch_run starts from for this model
    for key in LaunchForm.CONFIG_FIELDS:
        if d[key] != defaults.get(key):
            parts += (
                [f"--{key.replace('_', '-')}", str(d[key])]
                if not isinstance(d[key], bool)
                else [f"--{key.replace('_', '-')}"]
            )
    return " ".join(shlex.quote(p) for p in parts)


@project_view(Action.TRAIN)
def launch_run(request, project):
    """GET: the form with the guides' defaults and the base model's recommended settings over
    them (?base_model=ID picks the model; the project's by default). POST with 'estimate': the
    estimate and the equivalent command line. POST with 'launch': queue the run."""
    chosen = request.GET.get("base_model", "")
    ready = project.base_models.filter(status="ready")
    base_model = (
        (ready.filter(id=int(chosen)).first() if chosen.isdigit() and len(chosen) < 10 else None)
        or project.base_model
        or ready.first()  # the one the form's list shows first
    )
    form = LaunchForm(
        request.POST or None,
        project=project,
        base_model=base_model,
        initial={"name": f"run {project.training_runs.count() + 1}"},
    )
    context = {
        "project": project,
        "form": form,
        "recommended_for": base_model if form.recommended else None,
        "other_models": [m for m in ready if m != base_model],
    }
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        config = TrainConfig.from_dict({**form.config_values(), "base_model": d["base_model"].path})
        examples, tokens, exact = _version_tokens(d["dataset_version"])
        speed = _observed_speed(project, d["base_model"])
        measured = speed is not None
        from training.devices import worker_gpus

        on_gpu = worker_gpus() > 0
        if speed is None and on_gpu and d["base_model"].info.get("num_parameters"):
            from django.conf import settings

            # about 6 FLOPs per parameter and token (forward and backward), at 40% of the GPU's peak
            speed = (
                settings.TRAINING_TFLOPS * 1e12 * 0.4 / (6 * d["base_model"].info["num_parameters"]) * config.devices
            )
        context.update(
            estimate=estimate(examples, tokens or 0, config, speed or 1)
            | {
                "examples": examples,
                "tokens_known": True,
                "tokens_exact": exact,
                "speed": speed,
                "measured": measured,
                "tflops": settings_tflops(),
                "hardware": "GPU" if on_gpu else "CPU",
            },
            command=command_line(project, form),
        )
        if request.POST.get("action") == "launch":
            try:
                run = launch(
                    project,
                    request.user,
                    name=d["name"],
                    version=d["dataset_version"],
                    base_model=d["base_model"],
                    config_values=form.config_values(),
                )
            except ConfigError as e:
                field, _, message = str(e).partition(": ")
                form.add_error(field if field in form.fields else None, message or str(e))
            else:
                messages.success(request, f"“{run.name}” queued; a GPU worker will pick it up.")
                return redirect("training:run", project.slug, run.id)
    if not project.dataset_versions.exists():
        context["blocked"] = "Freeze a dataset version first: runs train on frozen versions only."
    return render(request, "training/launch.html", context)


AXES = {"step": "step", "epoch": "epoch", "tokens": "tokens seen"}


def _run_series(run, shade, prefix="", axis="step"):
    """(loss series, train [(step, loss)], evals [(step, eval loss)]); the series' x is `axis`:
    the step, the epoch, or the training tokens seen (a packed and an unpacked run compare by
    epoch or tokens, not by steps). Points without that x are left out."""
    train, evals, plotted_train, plotted_evals = [], [], [], []
    for step, epoch, tokens, loss, eval_loss in run.points.values_list(
        "step", "epoch", "tokens_seen", "loss", "eval_loss"
    ):
        x = {"step": step, "epoch": epoch, "tokens": tokens}[axis]
        if loss is not None:
            train.append((step, loss))
            if x is not None:
                plotted_train.append((x, loss))
        if eval_loss is not None:
            evals.append((step, eval_loss))
            if x is not None:
                plotted_evals.append((x, eval_loss))
    series = [
        Series(f"{prefix}train loss", plotted_train, shade),
        Series(f"{prefix}validation loss", plotted_evals, shade, dashed=True),
    ]
    return series, train, evals


def loss_chart(series, axis="step"):
    return line_chart(
        series, f"Loss by {AXES[axis]}", x_title=AXES[axis], y_title="loss", empty_text="No loss reported yet."
    )


def optimizer_charts(run):
    """The learning rate and the gradient norm by step, where the run reported them."""
    rows = list(run.points.values_list("step", "learning_rate", "grad_norm"))
    charts = []
    for n, (name, unit) in enumerate((("Learning rate", "learning rate"), ("Gradient norm", "gradient norm"))):
        values = [(row[0], row[n + 1]) for row in rows if row[n + 1] is not None]
        if values:
            charts.append(
                line_chart([Series(unit, values, color(n + 1))], f"{name} by step", x_title="step", y_title=unit)
            )
    return charts


@project_view(Action.VIEW)
@require_GET
def run_detail(request, project, run_id):
    run = get_object_or_404(_runs(project).select_related("dataset_version", "base_model", "created_by"), id=run_id)
    series, train, evals = _run_series(run, color(0))
    history = [{"step": s, "loss": v} for s, v in train] + [{"step": s, "eval_loss": v} for s, v in evals]
    notes = diagnose(history)
    if run.status == TrainingRun.Status.SUCCEEDED and evals:
        best = min(evals, key=lambda e: e[1])
        notes.append(
            (
                "best",
                f"Best validation loss {best[1]:.3f} at step {best[0]}"
                + (
                    f"; that checkpoint is the one kept ({run.summary.get('best_checkpoint', '').rsplit('/', 1)[-1]})."
                    if run.summary.get("best_checkpoint")
                    else "."
                ),
            )
        )
    context = {
        "project": project,
        "run": run,
        "chart": loss_chart(series),
        "optimizer_charts": optimizer_charts(run),
        "notes": notes,
        "can_train": project.membership.can(Action.TRAIN),
        "config": sorted(run.config.items()),
        "artifacts": _artifacts(run),
    }
    context["polling"] = not run.finished or run.summary.get("merging")
    template = "training/run_detail.html#run-live" if request.htmx else "training/run_detail.html"
    return render(request, template, context)


def _artifacts(run):
    from pathlib import Path

    if not run.output_dir or not run.finished:
        return []
    folder = Path(run.output_dir)
    found = []
    for name, label in (
        ("adapter", "Adapter (safetensors + adapter config)"),
        ("model", "Fine-tuned model"),
        ("merged", "Merged model (base + adapter, for vLLM or TGI)"),
    ):
        if (folder / name).is_dir():
            found.append((name, label))
    best = run.summary.get("best_checkpoint")
    if best and Path(best).is_dir():
        found.append(("best", f"Best checkpoint ({Path(best).name})"))
    from training.core.gguf_export import source_folder

    if source_folder(run.output_dir) is not None:
        found.append(("gguf-q8_0", "GGUF, 8-bit (Q8_0), for llama.cpp, Ollama or LM Studio"))
        found.append(("gguf-f16", "GGUF, 16-bit (F16), for llama.cpp, Ollama or LM Studio"))
    from training.core.bnb_export import whole_model_folder

    if whole_model_folder(run.output_dir) is not None:
        found.append(("bnb-8bit", "8-bit (bitsandbytes LLM.int8), loads with transformers"))
        found.append(("bnb-4bit", "4-bit (bitsandbytes NF4), loads with transformers"))
    return found


@project_view(Action.TRAIN)
@require_POST
def cancel_run(request, project, run_id):
    run = get_object_or_404(_runs(project), id=run_id)
    if run.finished:
        messages.info(request, f"“{run.name}” has finished already.")
    elif (
        TrainingRun.objects.filter(id=run.id, status=TrainingRun.Status.QUEUED).update(
            status=TrainingRun.Status.CANCELLED, cancel_requested=True
        )
        == 1
    ):
        messages.success(request, f"“{run.name}” cancelled before it started.")
    else:
        TrainingRun.objects.filter(id=run.id).update(cancel_requested=True)
        messages.success(
            request, f"Cancelling “{run.name}”: it stops within a few steps and keeps what it has learned so far."
        )
    return redirect("training:run", project.slug, run.id)


@project_view(Action.TRAIN)
@require_POST
def merge_run(request, project, run_id):
    """Queue the merge of a finished run's adapter into its base model (a GPU worker does it)."""
    from pathlib import Path

    from studio.core.adapters import is_prompt_learning

    run = get_object_or_404(_runs(project), id=run_id)
    if not run.finished or not (Path(run.output_dir) / "adapter").is_dir():
        messages.error(request, "Only a finished LoRA run has an adapter to merge.")
    elif is_prompt_learning(Path(run.output_dir) / "adapter"):
        messages.error(
            request, "A soft prompt (prompt tuning) has no weights to fold into the model: nothing to merge."
        )
    else:
        start_merge(run, request.user)
        messages.success(
            request,
            "Merging the adapter into the base model; the merged model appears under Artifacts when it is ready.",
        )
    return redirect("training:run", project.slug, run.id)


@project_view(Action.TRAIN)
@require_POST
def download_artifact(request, project, run_id, name):
    """Queue a zip of the adapter, the model or the best checkpoint, with the run's settings in
    studio_run.json (a worker writes it), and follow it on its own page. An archive of the same
    artifact already being built is followed instead of starting a second one."""
    from django.db import transaction

    from training.models import ArtifactArchive

    run = get_object_or_404(_runs(project), id=run_id)
    if name not in dict(_artifacts(run)):
        raise Http404("No such artifact for this run.")
    archive = run.archives.filter(artifact=name).exclude(status__in=ArtifactArchive.FINISHED).first()
    if archive is None:
        with transaction.atomic():
            archive = ArtifactArchive.objects.create(run=run, artifact=name, created_by=request.user)
            archive.enqueue()
    return redirect("training:artifact-archive", project.slug, run.id, archive.id)


@project_view(Action.TRAIN)
@require_GET
def artifact_archive(request, project, run_id, archive_id):
    """An archive being built (progress, polled) and then its download link."""
    archive = get_object_or_404(_archives_of(project, run_id), id=archive_id)
    ready = archive.status == archive.Status.SUCCEEDED and archive.file is not None and archive.file.is_file()
    context = {"project": project, "run": archive.run, "archive": archive, "ready": ready}
    template = "training/archive.html#archive-live" if request.htmx else "training/archive.html"
    return render(request, template, context)


@project_view(Action.TRAIN)
@require_GET
def artifact_archive_file(request, project, run_id, archive_id):
    """The built zip itself; 404 once it has been removed (a day later, or replaced)."""
    archive = get_object_or_404(_archives_of(project, run_id), id=archive_id, status="succeeded")
    if archive.file is None or not archive.file.is_file():
        raise Http404("This archive has been removed; make a new one from the run's page.")
    return FileResponse(open(archive.file, "rb"), as_attachment=True, filename=archive.filename)


def _archives_of(project, run_id):
    """The archives of a run this member may see (a run hidden by a blind study has none)."""
    return ArtifactArchive.objects.select_related("run", "run__project").filter(run__in=_runs(project), run_id=run_id)


@project_view(Action.VIEW)
@require_GET
def compare_runs(request, project):
    """Two or more runs: loss curves overlaid, the settings that differ, the data they saw."""
    ids = [int(i) for i in request.GET.getlist("run") if i.isdigit()]
    runs = list(_runs(project).filter(id__in=ids).select_related("dataset_version", "base_model"))
    if len(runs) < 2:
        messages.error(request, "Tick two or more runs to compare.")
        return redirect("training:run-list", project.slug)
    axis = request.GET.get("by", "step")
    axis = axis if axis in AXES else "step"
    series = []
    for i, run in enumerate(runs):
        s, _, _ = _run_series(run, color(i), prefix=f"{run.name}: ", axis=axis)
        series += s
    keys = sorted({k for run in runs for k in run.config if k != "base_model"})
    rows = [(k, [run.config.get(k) for run in runs]) for k in keys]
    differing = [(k, values) for k, values in rows if len({json.dumps(v) for v in values}) > 1]
    versions = sorted({run.dataset_version for run in runs}, key=lambda v: v.id)
    evaluations = []
    for run in runs:
        ev = run.evaluations.filter(status="succeeded").order_by("-finished_at").first()
        metrics = (ev.summary.get("metrics") or {}) if ev else {}
        evaluations.append(
            (
                run,
                ev,
                [
                    (key, metrics.get(key))
                    for key in ("exact_match", "token_f1", "rougeL", "json_valid", "schema_valid")
                ],
            )
        )
    return render(
        request,
        "training/compare.html",
        {
            "project": project,
            "runs": runs,
            "chart": loss_chart(series, axis),
            "axis": axis,
            "axes": AXES.items(),
            "run_ids": [run.id for run in runs],
            "differing": differing,
            "same": [k for k, v in rows if (k, v) not in differing],
            "versions": versions,
            "legend": [(run, color(i)) for i, run in enumerate(runs)],
            "evaluations": evaluations,
        },
    )
