"""The model registry: a project's succeeded runs as tuned models, each with a version name, its
lineage (base model, dataset version, run, latest evaluation, closed studies) and a one-line
serving recipe for TGI and vLLM.

Served model ids are `run-<id>` everywhere (the API, evaluations, TGI's `adapter_id`, vLLM's
`--lora-modules` name), so the recipes name the adapter the same way.
"""

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from django.core.cache import cache
from django.db import IntegrityError, transaction

from evaluation.core.studies import analyze
from evaluation.evaluating import TUNED
from evaluation.models import EvaluationRun, Study
from evaluation.studying import BASE, study_votes
from studio.core.adapters import is_prompt_learning
from training.models import TrainingRun

VERSION_NAME_MAX = TrainingRun._meta.get_field("version_name").max_length
# vLLM refuses adapters whose rank is above --max-lora-rank (default 16) and accepts only these
VLLM_DEFAULT_MAX_LORA_RANK = 16
VLLM_MAX_LORA_RANKS = (1, 8, 16, 32, 64, 128, 256, 320, 512)
# The evaluation metrics worth a glance in a list, in order of preference (labels as on the
# evaluation page)
HEADLINE_METRICS = (
    ("token_f1", "Token F1"),
    ("exact_match", "Exact match"),
    ("json_valid", "Valid JSON"),
    ("schema_valid", "Matches the schema"),
    ("rougeL", "ROUGE-L"),
)
HEADLINE_COUNT = 3


class VersionNameError(ValueError):
    """A version name that cannot be used; the message says why, for the person who typed it."""


def model_id(run):
    """The id a run's model is served under (evaluation.evaluating.adapter_name says the same)."""
    return f"run-{run.id}"


def display_name(run):
    return run.version_name or run.name


# --- serving recipes: plain strings from paths --------------------------------------------------


@dataclass(frozen=True)
class Recipe:
    tgi: str
    vllm: str
    vllm_source: str  # "merged", "adapter", "model" or "soft prompt" (no line: the local model server only)


def vllm_max_lora_rank(rank):
    """The --max-lora-rank vLLM needs for an adapter of this rank, or None when its default will
    do."""
    if not rank or rank <= VLLM_DEFAULT_MAX_LORA_RANK:
        return None
    return next((r for r in VLLM_MAX_LORA_RANKS if r >= rank), rank)


def serving_recipe(name, *, base_path, adapter_dir=None, merged_dir=None, model_dir=None, lora_rank=None):
    """One-line launch commands for a tuned model, or None when there is nothing to serve.

    A LoRA run: TGI serves the base model with the adapter loaded at start (`--lora-adapters
    name=folder`, picked per request by `adapter_id`); vLLM serves the merged folder when there is
    one, otherwise the base model with the adapter (`--enable-lora --lora-modules name=folder`).
    A full fine-tune (`model_dir`): both serve the model folder itself. A soft prompt (prompt
    tuning) has no line: neither loads one, the studio's local model server does.
    """
    q = shlex.quote
    if adapter_dir and is_prompt_learning(adapter_dir):
        return Recipe("", "", "soft prompt")  # TGI and vLLM load LoRA adapters only
    if adapter_dir:
        tgi = f"text-generation-launcher --model-id {q(str(base_path))} --lora-adapters {q(f'{name}={adapter_dir}')}"
        if merged_dir:
            return Recipe(tgi, f"vllm serve {q(str(merged_dir))} --served-model-name {q(name)}", "merged")
        vllm = f"vllm serve {q(str(base_path))} --enable-lora --lora-modules {q(f'{name}={adapter_dir}')}"
        rank = vllm_max_lora_rank(lora_rank)
        if rank:
            vllm += f" --max-lora-rank {rank}"
        return Recipe(tgi, vllm, "adapter")
    if model_dir:
        return Recipe(
            f"text-generation-launcher --model-id {q(str(model_dir))}",
            f"vllm serve {q(str(model_dir))} --served-model-name {q(name)}",
            "model",
        )
    return None


def _folders(run):
    """(adapter, merged, model) folders of a run that exist on storage, each a Path or None."""
    if not run.output_dir:
        return None, None, None
    out = Path(run.output_dir)
    adapter = out / "adapter" if (out / "adapter").is_dir() else None
    merged = Path(run.summary.get("merged_dir") or out / "merged")
    merged = merged if (merged / "config.json").is_file() else None
    model = out / "model" if (out / "model").is_dir() else None
    return adapter, merged, model


def _lora_rank(run, adapter):
    """The adapter's rank as saved by peft, else as launched."""
    try:
        return int(json.loads((adapter / "adapter_config.json").read_text())["r"])
    except (OSError, ValueError, KeyError, TypeError):
        rank = run.config.get("lora_r")
        return int(rank) if isinstance(rank, (int, float)) else None


def project_recipe(base_path, runs):
    """One server for several LoRA runs of one base model: (TGI line, vLLM line), every adapter
    loaded at start and picked per request by its model id; None when no run has an adapter."""
    q = shlex.quote
    adapters = [
        (model_id(run), folder, _lora_rank(run, folder))
        for run in runs
        for folder in [_folders(run)[0]]
        if folder and not is_prompt_learning(folder)  # TGI and vLLM load LoRA adapters only
    ]
    if not adapters:
        return None
    tgi = f"text-generation-launcher --model-id {q(str(base_path))} --lora-adapters {q(','.join(f'{name}={folder}' for name, folder, _ in adapters))}"
    vllm = f"vllm serve {q(str(base_path))} --enable-lora --lora-modules " + " ".join(
        q(f"{name}={folder}") for name, folder, _ in adapters
    )
    rank = vllm_max_lora_rank(max((r or 0) for _, _, r in adapters))
    if rank:
        vllm += f" --max-lora-rank {rank}"
    return tgi, vllm


def recipe_for(run):
    adapter, merged, model = _folders(run)
    return serving_recipe(
        model_id(run),
        base_path=run.base_model.path,
        adapter_dir=adapter,
        merged_dir=merged,
        model_dir=model,
        lora_rank=_lora_rank(run, adapter) if adapter else None,
    )


# --- lineage -----------------------------------------------------------------------------------


@dataclass
class StudyResult:
    study: object
    place: int | None = None  # row on the study's leaderboard (ordered by Bradley-Terry rating)
    systems: int = 0
    wins: int = 0  # against the base model, decisive votes only
    decisive: int = 0
    votes: bool = False
    link: bool = False  # set by the view: may this member open the study's report?

    @property
    def win_rate(self):
        return self.wins / self.decisive if self.decisive else None

    @property
    def place_text(self):
        if self.place is None:
            return ""
        suffix = "th" if 10 <= self.place % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(self.place % 10, "th")
        return f"{self.place}{suffix}"


@dataclass
class Entry:
    run: TrainingRun
    name: str
    model_id: str
    recipe: Recipe | None
    merged: bool
    evaluation: object = None  # the latest finished evaluation
    evaluation_pending: object = None  # one that is still queued or running
    headline: list = field(default_factory=list)  # [{"label", "tuned", "base", "diff", "better", "worse"}]
    studies: list = field(default_factory=list)
    # the rename form's state, set by the view after a post
    rename_error: str = ""
    rename_value: str | None = None
    renamed: bool = False

    @property
    def deleted(self):
        return self.run.model_deleted_at is not None

    @property
    def served(self):
        return not self.deleted and self.recipe is not None


def headline(evaluation):
    """Up to three of the evaluation's metrics, tuned against base, in percent."""
    metrics = evaluation.summary.get("metrics") or {}
    rows = []
    for key, label in HEADLINE_METRICS:
        data = metrics.get(key)
        if not data or data.get(TUNED) is None or data.get("base") is None:
            continue
        rows.append(
            {
                "key": key,
                "label": label,
                "tuned": 100 * data[TUNED],
                "base": 100 * data["base"],
                "diff": 100 * (data[TUNED] - data["base"]),
                "better": (data.get("low") or 0) > 0,
                "worse": (data.get("high") or 0) < 0,
            }
        )
        if len(rows) == HEADLINE_COUNT:
            break
    return rows


def study_standing(study):
    """{"leaderboard": [systems, best first], "pairs": [...]} of a closed study: the study
    report's leaderboard order and pair counts, without its bootstrap intervals (seconds of work
    that only the study page needs). A closed study takes no more votes, so this is cached."""
    key = f"registry:study-standing:{study.id}:{study.closed_at.timestamp() if study.closed_at else 0}"
    data = cache.get(key)
    if data is None:
        votes = study_votes(study)  # as the study's own report counts them
        report = analyze(votes, anchor=BASE, rounds=1, seed=study.id) if votes else {}
        data = {
            "leaderboard": [row["system"] for row in report.get("leaderboard", [])],
            "pairs": report.get("pairs", []),
        }
        cache.set(key, data, 24 * 3600)
    return data


def study_result(study, key):
    """Where the system `key` ("run-<id>") stands in a closed study."""
    data = study_standing(study)
    result = StudyResult(study=study, systems=len(study.systems), votes=bool(data["leaderboard"]))
    if key in data["leaderboard"]:
        result.place = data["leaderboard"].index(key) + 1
    for pair in data["pairs"]:
        if {pair["a"], pair["b"]} == {key, BASE}:
            result.wins = pair["a_wins"] if pair["a"] == key else pair["b_wins"]
            result.decisive = pair["decisive"]
    return result


def entries(project, runs=None):
    """The registry of a project: its succeeded runs (newest first, or just `runs`) as Entries."""
    runs = list(
        (runs if runs is not None else project.training_runs.all())
        .filter(status=TrainingRun.Status.SUCCEEDED)
        .select_related("base_model", "dataset_version")
    )
    ids = [run.id for run in runs]
    evaluations = {}
    for ev in EvaluationRun.objects.filter(training_run_id__in=ids).order_by("-created_at"):
        evaluations.setdefault(ev.training_run_id, []).append(ev)
    closed = list(Study.objects.filter(project=project, status=Study.Status.CLOSED).order_by("-closed_at"))
    out = []
    for run in runs:
        recipe = recipe_for(run)
        entry = Entry(
            run=run,
            name=display_name(run),
            model_id=model_id(run),
            recipe=recipe,
            merged=bool(recipe and recipe.vllm_source == "merged"),
        )
        history = evaluations.get(run.id, [])
        entry.evaluation = next((ev for ev in history if ev.status == EvaluationRun.Status.SUCCEEDED), None)
        entry.evaluation_pending = next((ev for ev in history if not ev.finished), None)
        if entry.evaluation:
            entry.headline = headline(entry.evaluation)
        entry.studies = [
            study_result(study, entry.model_id)
            for study in closed
            if any(s.get("key") == entry.model_id for s in study.systems)
        ]
        out.append(entry)
    return out


# --- naming ------------------------------------------------------------------------------------


def rename(run, version_name):
    """Give a run's model a version name (empty clears it); raises VersionNameError naming the
    problem, such as another model of the project already using the name."""
    version_name = " ".join(version_name.split())
    if len(version_name) > VERSION_NAME_MAX:
        raise VersionNameError(
            f"A version name is at most {VERSION_NAME_MAX} characters; this one has {len(version_name)}."
        )
    if version_name:
        taken = (
            TrainingRun.objects.filter(project_id=run.project_id, version_name__iexact=version_name)
            .exclude(id=run.id)
            .first()
        )
        if taken:
            raise VersionNameError(
                f"“{version_name}” is already the version name of {model_id(taken)} (run “{taken.name}”) in this project. Pick another name."
            )
    try:
        with transaction.atomic():
            TrainingRun.objects.filter(id=run.id).update(version_name=version_name)
    except IntegrityError:  # someone else took it between the check and the update
        raise VersionNameError(
            f"“{version_name}” was just given to another model of this project. Pick another name."
        ) from None
    run.version_name = version_name
    return run
