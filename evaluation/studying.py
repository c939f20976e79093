"""Studies in the database: preparing the outputs and assignments, voting, the report."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from evaluation.core.backends import Decoding, Request
from evaluation.core.studies import analyze, make_assignments
from evaluation.evaluating import backend_for, trained_on
from evaluation.models import Assignment, Study, StudyOutput, StudyPreparation, Vote
from studio.core.prompts import RenderError, load_tokenizer, prompt_for
from training.models import TrainingRun

BASE = "base"


def system_key(run):
    return BASE if run is None else f"run-{run.id}"


def start(study):
    """Queue the preparation of a study just created (its outputs, then its assignments)."""
    StudyPreparation.objects.create(study=study).enqueue()


def prepare(job):
    """Generate every system's output for a claimed study preparation, then deal out the
    assignments and open the study. Progress counts outputs."""
    study = Study.objects.select_related("dataset_version", "project").get(id=job.study_id)
    runs = {
        s["key"]: TrainingRun.objects.select_related("base_model").get(id=s["run_id"])
        for s in study.systems
        if s["run_id"]
    }
    backend, _ = backend_for(study.project, list(runs.values()))
    tokenizer = load_tokenizer(next(iter(runs.values())).base_model.path)
    seen = trained_on(runs.values())  # items a compared run learned from (a preference run's) are left out
    items = list(
        study.dataset_version.items.filter(split="test").exclude(id__in=seen).order_by("id")[: study.max_items]
    )
    requests, kept = [], []
    for item in items:
        try:
            asked = prompt_for(item.record(), tokenizer)
        except RenderError:
            continue
        kept.append(item)
        requests.append(Request(prompt=asked.text, messages=asked.messages))
    outputs = []
    job.report(0, len(study.systems) * len(requests))
    for system in study.systems:
        adapter = "" if system["key"] == BASE else system["key"]
        generated = backend.generate([Request(r.prompt, r.messages, adapter) for r in requests], Decoding())
        outputs += [
            StudyOutput(study=study, item=item, system=system["key"], text=g.text) for item, g in zip(kept, generated)
        ]
        job.report(len(outputs), len(study.systems) * len(requests))
    raters = [str(u) for u in study.raters.values_list("id", flat=True)]
    plan = make_assignments(
        [str(i.id) for i in kept],
        [s["key"] for s in study.systems],
        raters,
        study.ratings_per_item,
        study.repeat_share,
        seed=study.id,
    )
    # two outputs with the same text are not shown: a rater could only guess
    texts = {(str(o.item.id), o.system): o.text for o in outputs}
    plan = [a for a in plan if not same_text(texts[(a.item, a.left)], texts[(a.item, a.right)])]
    with transaction.atomic():
        StudyOutput.objects.bulk_create(outputs)
        Assignment.objects.bulk_create(
            [
                Assignment(
                    study=study,
                    rater_id=int(a.rater),
                    item_id=int(a.item),
                    left=a.left,
                    right=a.right,
                    token=a.token,
                    repeat_of=a.repeat_of,
                    order=a.order,
                )
                for a in plan
            ]
        )
        Study.objects.filter(id=study.id).update(status=Study.Status.OPEN)
        job.finish(f"{len(kept)} items, {len(plan)} comparisons dealt out to {len(raters)} raters.")


def next_assignment(study, user):
    return study.assignments.filter(rater=user, vote__isnull=True).order_by("order").first()


def vote(assignment, choice, rationale):
    """Record a vote; False when this assignment was voted already (votes never change)."""
    try:
        with transaction.atomic():
            Vote.objects.create(assignment=assignment, choice=choice, rationale=rationale)
    except IntegrityError:
        return False
    return True


def same_text(a, b):
    """Two outputs a rater cannot tell apart: equal once surrounding and repeated whitespace is ignored."""
    return " ".join(a.split()) == " ".join(b.split())


def identical_pairs(study):
    """{(item id, system, system)} whose two outputs are the same text: a vote on one says nothing."""
    texts = {}
    for item_id, system, text in study.outputs.values_list("item_id", "system", "text"):
        texts.setdefault(item_id, {})[system] = text
    return {
        (item, a, b)
        for item, by_system in texts.items()
        for a in by_system
        for b in by_system
        if a != b and same_text(by_system[a], by_system[b])
    }


def study_votes(study):
    """The votes for the report: one dict per voted assignment, leaving out the pairs whose two
    outputs were the same text (studies prepared before those were skipped may hold some)."""
    repeats = set(study.assignments.exclude(repeat_of="").values_list("token", flat=True))
    identical = identical_pairs(study)
    return [
        {
            "rater": a.rater.username,
            "item": a.item_id,
            "left": a.left,
            "right": a.right,
            "choice": a.vote.choice,
            "repeat": a.token in repeats,
        }
        for a in study.assignments.filter(vote__isnull=False).select_related("vote", "rater")
        if (a.item_id, a.left, a.right) not in identical
    ]


def report(study):
    votes = study_votes(study)
    if not votes:
        return None
    result = analyze(votes, anchor=BASE, rounds=300, seed=study.id)
    # items whose two outputs were the same text: never shown to raters, counted per model pair
    same = {}
    for _item, a, b in identical_pairs(study):
        if a < b:
            same[(a, b)] = same.get((a, b), 0) + 1
    for row in result["pairs"]:
        row["identical"] = same.pop((row["a"], row["b"]), 0)
    for (a, b), n in sorted(same.items()):  # pairs with nothing but identical outputs
        result["pairs"].append(
            {"a": a, "b": b, "a_wins": 0, "b_wins": 0, "ties": 0, "both_bad": 0, "decisive": 0, "identical": n}
            | {"a_win_rate": None, "a_win_interval": None, "sign_test_p": None}
        )
    return result


def close(study):
    Study.objects.filter(id=study.id, status=Study.Status.OPEN).update(
        status=Study.Status.CLOSED, closed_at=timezone.now()
    )
