"""Synthetic drafts: a served model generates candidates with a recipe (evaluation/core/
synthesis.py); each becomes a draft marked synthetic with its recipe and model, checked like any
draft (duplicates against the existing data, contradictions, PII, format) and waiting for review.
Nothing synthetic reaches a version unreviewed: bulk approval leaves synthetic drafts out, so each
is approved on its own. A job queued again keeps the drafts it made and goes on from there."""

from django.db import transaction

from curation import checking
from curation.drafts import new_draft
from curation.models import Example
from evaluation.core.backends import Decoding, Request
from evaluation.core.synthesis import (
    Unusable,
    like_prompt,
    new_inputs,
    paraphrase_prompt,
    parse_answer,
    parse_like,
    parse_paraphrase,
    samples,
)
from evaluation.judging import project_model
from evaluation.models import SynthesisJob
from studio.core.prompts import RenderError, prompt_for
from studio.core.records import Record

BATCH = 8
PER_PROMPT = 5  # examples shown to the model per "like" candidate


def start(project, user, recipe, model, params):
    job = SynthesisJob.objects.create(project=project, recipe=recipe, model=model, params=params, created_by=user)
    job.enqueue()
    return job


def tasks(job):
    """[(ask: a Record the model answers, make(reply) -> Record of the draft)] for the job's recipe."""
    p = job.params
    if job.recipe == SynthesisJob.Recipe.LIKE:
        pool = [
            e.record()
            for e in Example.objects.filter(id__in=p["example_ids"], project=job.project, deleted_at=None).order_by(
                "id"
            )
        ]
        groups, rng = samples(pool, p["count"], PER_PROMPT, seed=job.id)
        return [(Record(instruction=like_prompt(g, p.get("vary", ""), rng), output="-"), parse_like) for g in groups]
    if job.recipe == SynthesisJob.Recipe.PARAPHRASE:
        chosen = Example.objects.filter(
            id__in=p["example_ids"], project=job.project, messages__isnull=True, deleted_at=None
        ).order_by("id")
        out = []
        for e in chosen:
            record = e.record()

            def make(reply, record=record):
                return Record(parse_paraphrase(reply, record.instruction), record.input, record.output)

            out.append((Record(instruction=paraphrase_prompt(record.instruction), output="-"), make))
        return out
    instruction = p["instruction"]
    return [
        (
            Record(instruction=instruction, input=line, output="-"),
            lambda reply, line=line: Record(instruction, line, parse_answer(reply)),
        )
        for line in new_inputs(p["inputs"])
    ]


def _decoding(job, index):
    tokens = int(job.params.get("max_new_tokens", 512))
    if job.recipe == SynthesisJob.Recipe.ANSWER:
        return Decoding(max_new_tokens=tokens)  # the model's own answer: greedy, as evaluations ask
    return Decoding(max_new_tokens=tokens, temperature=0.8, top_p=0.95, seed=job.id * 1000 + index)


def execute(job):
    backend, adapter, tokenizer = project_model(job.project, job.model)
    plan = tasks(job)
    done = int(job.params.get("done", 0))
    made, unusable = int(job.params.get("made", 0)), list(job.params.get("unusable", []))
    run_id = int(job.model[4:]) if job.model.startswith("run-") and job.model[4:].isdigit() else None
    label = SynthesisJob.Recipe(job.recipe).label
    if done:  # queued again: the drafts saved before the worker was lost may have missed their checks
        for draft in Example.objects.filter(synthetic__job=job.id, deleted_at=None):
            checking.check_example(draft)
    job.report(done, len(plan))
    for start_at in range(done, len(plan), BATCH):
        batch = list(enumerate(plan[start_at : start_at + BATCH], start_at))
        requests = []
        for _index, (ask, _make) in batch:
            try:
                asked = prompt_for(ask, tokenizer)
                requests.append(Request(asked.text, asked.messages, adapter))
            except RenderError as e:
                requests.append(None)
                unusable.append({"task": _index, "why": f"could not be asked: {e}"})
        wanted = [r for r in requests if r is not None]
        replies = iter(r.text for r in backend.generate(wanted, _decoding(job, start_at))) if wanted else iter(())
        drafts = []
        with transaction.atomic():
            for (index, (_ask, make)), request in zip(batch, requests, strict=True):
                if request is None:
                    continue
                reply = next(replies)
                try:
                    record = make(reply)
                except Unusable as e:
                    unusable.append({"task": index, "why": str(e), "reply": reply[:300]})
                    continue
                drafts.append(
                    new_draft(
                        job.project,
                        job.created_by,
                        record,
                        source=f"synthetic: {label.lower()} · {job.model} · job {job.id}",
                        action=f"generated by {job.model} ({job.recipe})",
                        origin_run_id=run_id,
                        synthetic={"recipe": job.recipe, "model": job.model, "job": job.id, "task": index},
                    )
                )
            made += len(drafts)
            done = start_at + len(batch)
            job.params = {**job.params, "done": done, "made": made, "unusable": unusable[-50:]}
            SynthesisJob.objects.filter(id=job.id).update(params=job.params)
        for draft in drafts:  # checked like any draft, against the whole project
            checking.check_example(draft)
        job.report(done, len(plan))
    skipped = len(unusable)
    job.finish(
        f"{made} synthetic draft{'s' if made != 1 else ''} made ({label.lower()}), waiting for review"
        + (f"; {skipped} repl{'ies' if skipped != 1 else 'y'} could not be used" if skipped else "")
        + "."
    )
