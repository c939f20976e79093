"""Does the demo learn? The demo's frozen splits, a run with the launch form's defaults for the
demo model, and how often base and tuned answer the test split in valid JSON with the right
category and priority. Plain Python (no database): benchmarks/demo_learning.py records the
figures, a slow test checks the direction on a shorter run.
"""

import json
import random
from dataclasses import dataclass

from curation.core.demo_tickets import make_examples
from curation.core.splits import SplitConfig, assign_splits
from studio.core.records import Record

# How the demo's 300 examples are spread over the review workflow (seed_demo creates them so);
# only the approved ones are frozen into the demo's dataset version.
STATUS_MIX = [("approved", 210), ("submitted", 40), ("draft", 30), ("changes_requested", 12), ("rejected", 8)]
STATUS_SEED = 11
DEMO_SPLIT = SplitConfig(seed=0, stratify_field="category")


def demo_statuses():
    """One review status per demo example, in the order of make_examples()."""
    statuses = [status for status, n in STATUS_MIX for _ in range(n)]
    random.Random(STATUS_SEED).shuffle(statuses)
    return statuses


def demo_splits():
    """{"train", "validation", "test"}: lists of Records, exactly as seed_demo freezes them."""
    statuses = demo_statuses()
    approved = [
        Record(ex.instruction, ex.input, ex.output)
        for ex, status in zip(make_examples(n=len(statuses)), statuses)
        if status == "approved"
    ]
    result = assign_splits(approved, DEMO_SPLIT)
    out = {"train": [], "validation": [], "test": []}
    for record, split in zip(approved, result.splits):
        out[split].append(record)
    return out


@dataclass
class AnswerScores:
    n: int
    json_valid: float  # share of answers that parse as JSON
    category: float  # share whose JSON object has the reference's category
    priority: float
    category_named: float  # share that name the right category anywhere, JSON or prose
    examples: list  # a few (reference, answer) pairs to read

    def as_dict(self):
        return {
            "n": self.n,
            "json_valid": round(self.json_valid, 4),
            "category": round(self.category, 4),
            "priority": round(self.priority, 4),
            "category_named": round(self.category_named, 4),
            "examples": self.examples,
        }


def _field(text, name):
    try:
        value = json.loads(text)
    except (ValueError, TypeError):
        return None
    return value.get(name) if isinstance(value, dict) else None


def score_answers(answers, references, keep=3):
    """How often the answers are valid JSON and name the reference's category and priority."""
    if len(answers) != len(references):
        raise ValueError(f"{len(answers)} answers for {len(references)} references")
    n = len(answers)
    valid = category = priority = named = 0
    for answer, reference in zip(answers, references):
        named += bool(_field(reference, "category")) and str(_field(reference, "category")) in (answer or "")
        try:
            json.loads(answer)
            valid += 1
        except (ValueError, TypeError):
            pass
        category += _field(answer, "category") is not None and _field(answer, "category") == _field(
            reference, "category"
        )
        priority += _field(answer, "priority") is not None and _field(answer, "priority") == _field(
            reference, "priority"
        )
    return AnswerScores(
        n=n,
        json_valid=valid / n if n else 0.0,
        category=category / n if n else 0.0,
        priority=priority / n if n else 0.0,
        category_named=named / n if n else 0.0,
        examples=[{"reference": r, "answer": a} for a, r in list(zip(answers, references))[:keep]],
    )


def generate(model_dir, records, adapter_dir=None, max_new_tokens=256):
    """Greedy answers of the base model (adapter_dir None) or the tuned one, as an evaluation
    run generates them (the same prompts, the same backend)."""
    from evaluation.core.backends import Decoding, LocalBackend, Request
    from studio.core.prompts import load_tokenizer, prompt_for

    tokenizer = load_tokenizer(model_dir)
    adapters = {"tuned": str(adapter_dir)} if adapter_dir else {}
    backend = LocalBackend(model_dir, adapters=adapters, batch_size=16)
    requests = []
    for record in records:
        prompt = prompt_for(record, tokenizer)
        requests.append(Request(prompt.text, prompt.messages, "tuned" if adapter_dir else ""))
    return [g.text for g in backend.generate(requests, Decoding(max_new_tokens=max_new_tokens))]


def judged_study(base_answers, tuned_answers, references, rule="json_fields"):
    """The study a lead would set up on the demo (base against the tuned run, every test
    example), judged as the studio's reference judge judges it: `rule` over each pair in both
    orders, the two verdicts kept only when they agree (evaluation/core/judging.py). Returns the
    study report (evaluation/core/studies.py analyze): leaderboard, wins and ties per pair."""
    from evaluation.core.judging import judge_labels, reference_verdict
    from evaluation.core.studies import analyze

    if not len(base_answers) == len(tuned_answers) == len(references):
        raise ValueError(
            f"{len(base_answers)} base and {len(tuned_answers)} tuned answers for {len(references)} references"
        )
    verdicts = []
    for item, (base, tuned, reference) in enumerate(zip(base_answers, tuned_answers, references)):
        verdicts.append(
            {"item": item, "left": "base", "right": "tuned", "choice": reference_verdict(rule, reference, base, tuned)}
        )
        verdicts.append(
            {"item": item, "left": "tuned", "right": "base", "choice": reference_verdict(rule, reference, tuned, base)}
        )
    labels, consistency, _ = judge_labels(verdicts)
    # one vote per item, as one expert rating each item once would give
    votes = [
        {"rater": "judge", "item": item, "left": a, "right": b, "choice": {"a": "left", "b": "right"}.get(label, "tie")}
        for (item, (a, b)), label in labels.items()
    ]
    report = analyze(votes, anchor="base")
    report["position_consistency"] = consistency
    return report
