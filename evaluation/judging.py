"""Judges rating studies (the job) and their calibration against the experts (the report).

A judge run asks the judge about every pair of a study's outputs, in both orders, and stores each
verdict with its raw reply; verdicts stored before a lost worker are kept, so a rerun asks only
what is left. The calibration is read live from the study's votes (which grow while it is open).
"""

import os
import time
from itertools import combinations

from django.conf import settings

from curation.models import VersionItem
from evaluation.core.backends import (
    BackendError,
    Decoding,
    LocalBackend,
    ModelServerBackend,
    OpenAIBackend,
    PublicOnlyBackend,
    Request,
)
from evaluation.core.judging import (
    JUDGE_KEY_PREFIX,
    calibrate,
    judge_labels,
    judge_prompt,
    judge_votes,
    parse_verdict,
    reference_verdict,
)
from evaluation.core.studies import analyze
from evaluation.evaluating import adapter_name, backend_for
from evaluation.models import Judge, JudgeRun, JudgeVerdict
from evaluation.studying import BASE, same_text, study_votes
from studio.core.prompts import RenderError, load_tokenizer, prompt_for
from studio.core.records import Record

BATCH = 16
ROUNDS = 1000  # bootstrap rounds of a calibration, the same on every page that shows or uses one


def settings_of(judge):
    """What decides a judge's verdicts: a run keeps these, and trust earned with one set of them
    does not carry over to another."""
    return {
        "kind": judge.kind,
        "rule": judge.rule,
        "model": judge.model,
        "base_url": judge.base_url,
        "api_key_env": judge.api_key_env,
        "rubric": judge.rubric,
        "max_new_tokens": judge.max_new_tokens,
    }


def start(judge, study, user, evaluation=None):
    """Queue `judge` on `study`'s outputs, or on `evaluation`'s base and tuned answers."""
    config = settings_of(judge)
    run = JudgeRun.objects.create(judge=judge, study=study, evaluation=evaluation, config=config, created_by=user)
    run.enqueue()
    return run


def request_text(record):
    """What the judge reads as the request: the instruction and its input, or a chat's turns."""
    context, query = record.prompt()
    return "\n\n".join(part for part in (context, query) if part)


def _outputs(job):
    """[(item id, system, text)] the job judges: a study's outputs, or an evaluation's answers
    (its base side as "base", its tuned side under the run's key, as a study names them)."""
    if job.study_id:
        return job.study.outputs.values_list("item_id", "system", "text")
    tuned = f"run-{job.evaluation.training_run_id}"
    return [
        (item_id, BASE if side == "base" else tuned, text)
        for item_id, side, text in job.evaluation.generations.values_list("item_id", "side", "text")
    ]


def _orders(job):
    """[(item, left, right)]: every pair of systems on every item, both ways round, leaving out the
    pairs whose two outputs are the same text (no one can prefer either)."""
    texts = {}
    for item_id, system, text in _outputs(job):
        texts.setdefault(item_id, {})[system] = text
    orders = []
    for item_id, by_system in sorted(texts.items()):
        for a, b in combinations(sorted(by_system), 2):
            if not same_text(by_system[a], by_system[b]):
                orders += [(item_id, a, b), (item_id, b, a)]
    return orders, texts


def judge_backend(judge):
    """(backend, adapter, tokenizer or None) for a model judge: the project's serving backend with
    the base model or a run's adapter, or an OpenAI-compatible server of the judge's own."""
    if judge.base_url:
        if judge.api_key_env and not judge.api_key_env.startswith(JUDGE_KEY_PREFIX):
            raise BackendError(
                f"{judge.api_key_env}: a judge's API key is read only from {JUDGE_KEY_PREFIX}* variables"
            )
        key = os.environ.get(judge.api_key_env) if judge.api_key_env else None
        if judge.api_key_env and not key:
            raise BackendError(f"the workers have no {judge.api_key_env} set: the judge's API key")
        backend = OpenAIBackend(judge.base_url, model=judge.model, api_key=key)
        if not settings.SERVING_ALLOW_PRIVATE:  # checked on save too, but a name can resolve elsewhere later
            backend = PublicOnlyBackend(backend, judge.base_url, settings.SERVING_TRUSTED_HOSTS)
        return backend, "", None
    return project_model(judge.project, judge.model)


def project_model(project, model):
    """(backend, adapter, tokenizer) for `model` ("base" or "run-<id>") on the project's serving
    backend; BackendError naming what is missing."""
    if model == BASE:
        base = project.base_model
        if base is None:
            raise BackendError("the project has no base model (Settings → Models)")
        run = project.training_runs.filter(base_model=base, status="succeeded").order_by("-id").first()
        if run is not None:
            backend, _ = backend_for(project, [run])
        else:
            url = settings.LOCAL_MODEL_SERVER_URL
            backend = ModelServerBackend(url, base.path) if url else LocalBackend(base.path)
        return backend, "", load_tokenizer(base.path)
    run_id = model.removeprefix("run-")
    run = project.training_runs.filter(id=int(run_id) if run_id.isdigit() else 0).select_related("base_model").first()
    if run is None:
        raise BackendError(f"{model}: no such run in this project (base, or run-<id> of a finished run)")
    backend, _ = backend_for(project, [run])
    return backend, adapter_name(run), load_tokenizer(run.base_model.path)


def execute(job):
    """Judge every order of the study not judged yet, with the settings the run was started with
    (a later edit of the judge does not change a run half way); progress counts verdicts."""
    judge = Judge(project=job.judge.project, name=job.judge.name, **job.config) if job.config else job.judge
    orders, texts = _orders(job)
    done = set(job.verdicts.values_list("item_id", "left", "right"))
    pending = [o for o in orders if o not in done]
    items = {i.id: i for i in VersionItem.objects.filter(id__in={item for item, _, _ in pending})}
    backend = adapter = tokenizer = None
    if judge.kind == Judge.Kind.MODEL:
        backend, adapter, tokenizer = judge_backend(judge)
    job.report(len(done), len(orders))
    for start_at in range(0, len(pending), BATCH):
        batch = pending[start_at : start_at + BATCH]
        verdicts = []
        if judge.kind == Judge.Kind.REFERENCE:
            for item_id, left, right in batch:
                choice = reference_verdict(
                    judge.rule, items[item_id].record().answer(), texts[item_id][left], texts[item_id][right]
                )
                verdicts.append(JudgeVerdict(item_id=item_id, left=left, right=right, choice=choice, raw=judge.rule))
        else:
            requests = [
                _request(judge, items[i].record(), texts[i][left], texts[i][right], adapter, tokenizer)
                for i, left, right in batch
            ]
            begun = time.monotonic()
            replies = backend.generate(requests, Decoding(max_new_tokens=judge.max_new_tokens))
            each = (time.monotonic() - begun) / max(1, len(batch))
            for (item_id, left, right), reply in zip(batch, replies, strict=True):
                verdicts.append(
                    JudgeVerdict(
                        item_id=item_id,
                        left=left,
                        right=right,
                        choice=parse_verdict(reply.text) or "",
                        raw=reply.text,
                        seconds=each,
                    )
                )
        for v in verdicts:
            v.run = job
        JudgeVerdict.objects.bulk_create(verdicts, ignore_conflicts=True)
        job.report(len(done) + start_at + len(batch), len(orders))
    unreadable = job.verdicts.filter(choice="").count()
    pairs = len(orders) // 2
    job.finish(
        f"{len(orders)} verdicts on {pairs} pairs (each in both orders)"
        + (f"; {unreadable} replies said no verdict plainly and count as ties" if unreadable else "")
        + "."
    )


def _request(judge, record, answer_a, answer_b, adapter, tokenizer):
    text = judge_prompt(judge.rubric, request_text(record), answer_a, answer_b, reference=record.answer())
    if tokenizer is None:  # a server of its own: the chat turns are what it reads
        return Request(prompt=text, messages=({"role": "user", "content": text},), adapter=adapter)
    try:
        asked = prompt_for(Record(instruction=text, output="-"), tokenizer)
    except RenderError:
        asked = None
    prompt = asked.text if asked else text
    messages = asked.messages if asked else ({"role": "user", "content": text},)
    return Request(prompt=prompt, messages=messages, adapter=adapter)


def verdicts_of(run):
    """The run's verdicts as dicts for evaluation/core/judging.py (choice None when unreadable)."""
    return [
        {"item": item, "left": left, "right": right, "choice": choice or None}
        for item, left, right, choice in run.verdicts.values_list("item_id", "left", "right", "choice")
    ]


def calibration(run, rounds=ROUNDS):
    """The calibration report of a finished judge run against its study's votes, with the judge's
    own leaderboard and the experts' beside it."""
    verdicts = verdicts_of(run)
    votes = study_votes(run.study)
    report = calibrate(verdicts, votes, trust_kappa=run.judge.trust_kappa, rounds=rounds, seed=run.id)
    as_votes = judge_votes(verdicts)
    report["judge_leaderboard"] = (
        analyze(as_votes, anchor=BASE, rounds=300, seed=run.id)["leaderboard"] if as_votes else []
    )
    report["human_leaderboard"] = (
        analyze(votes, anchor=BASE, rounds=300, seed=run.study_id)["leaderboard"] if votes else []
    )
    return report


def trust(judge):
    """(the judge's latest run on a study with its current settings, that run's calibration), or
    (None, None): what a judge must have earned before it rates what no expert rated. A run with
    other settings (another model, an edited rubric) earned nothing for these."""
    current = settings_of(judge)
    runs = judge.runs.filter(study__isnull=False, status=JudgeRun.Status.SUCCEEDED).order_by("-created_at")
    run = next((r for r in runs if r.config == current), None)
    return (run, calibration(run)) if run else (None, None)


def scaled_report(run):
    """A judge run on an evaluation: the judge's leaderboard on every test item, and its
    win / tie / loss counts for the tuned model against the base."""
    verdicts = verdicts_of(run)
    labels, consistency, both = judge_labels(verdicts)
    tuned = f"run-{run.evaluation.training_run_id}"
    pair = tuple(sorted((BASE, tuned)))
    tuned_label = "a" if pair[0] == tuned else "b"
    counts = {"tuned": 0, "base": 0, "tie": 0}
    for label in labels.values():
        counts["tie" if label == "tie" else "tuned" if label == tuned_label else "base"] += 1
    as_votes = judge_votes(verdicts)
    return {
        "items": len(labels),
        "counts": counts,
        "position_consistency": consistency,
        "both_orders": both,
        "unreadable": sum(v["choice"] is None for v in verdicts),
        "verdicts": len(verdicts),
        "leaderboard": analyze(as_votes, anchor=BASE, rounds=300, seed=run.id)["leaderboard"] if as_votes else [],
        "tuned": tuned,
    }
