"""Automatic metrics for generated answers against references (plain Python).

Normalised exact match, token F1, ROUGE-1/2/L (rouge-score, with a tokenizer that keeps
non-ASCII text: its default drops every non-ASCII character), JSON validity and schema validity
reported separately, output length; and a paired bootstrap interval of tuned minus base over
prompts.
"""

import json
import random
import re
import string
import unicodedata
from collections import Counter

from curation.core.text import words

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCT = str.maketrans("", "", string.punctuation + "“”‘’«»¿¡")


def normalize_answer(text):
    """SQuAD-style: lower case, no punctuation or articles, single spaces (Unicode-aware)."""
    text = unicodedata.normalize("NFKC", text or "").casefold().translate(_PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(prediction, reference):
    return float(normalize_answer(prediction) == normalize_answer(reference))


def token_f1(prediction, reference):
    pred, ref = normalize_answer(prediction).split(), normalize_answer(reference).split()
    if not pred and not ref:
        return 1.0
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


class UnicodeTokenizer:
    """For rouge-score: words in any script (Chinese and Thai one character at a time)."""

    def tokenize(self, text):
        return list(words(text))


_scorer = None


def rouge(prediction, reference):
    """{"rouge1", "rouge2", "rougeL"} F-measures."""
    global _scorer
    if _scorer is None:
        from rouge_score import rouge_scorer

        _scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], tokenizer=UnicodeTokenizer())
    scores = _scorer.score(reference, prediction)
    return {name: s.fmeasure for name, s in scores.items()}


def json_validity(prediction, schema=None):
    """(valid JSON, valid against the schema or None when there is no schema)."""
    try:
        value = json.loads(prediction)
    except (ValueError, TypeError):
        return False, (False if schema else None)
    if not schema:
        return True, None
    from jsonschema import FormatChecker, validators

    validator = validators.validator_for(schema)(schema, format_checker=FormatChecker())
    return True, validator.is_valid(value)


def score(prediction, reference, schema=None, json_expected=False):
    """Every metric of one answer, as a flat dict of numbers (None where it does not apply)."""
    out = {
        "exact_match": exact_match(prediction, reference),
        "token_f1": token_f1(prediction, reference),
        **rouge(prediction, reference),
        "length_words": len(words(prediction)),
    }
    if json_expected or schema:
        valid, schema_ok = json_validity(prediction, schema)
        out["json_valid"] = float(valid)
        out["schema_valid"] = None if schema_ok is None else float(schema_ok)
    return out


def paired_bootstrap(tuned, base, rounds=2000, confidence=0.95, seed=0):
    """(mean difference tuned - base, low, high) over prompts, resampled in pairs."""
    pairs = [(t, b) for t, b in zip(tuned, base) if t is not None and b is not None]
    if not pairs:
        return (None, None, None)
    diffs = [t - b for t, b in pairs]
    mean = sum(diffs) / len(diffs)
    rng = random.Random(seed)
    n = len(diffs)
    means = sorted(sum(diffs[rng.randrange(n)] for _ in range(n)) / n for _ in range(rounds))
    tail = (1 - confidence) / 2
    return (mean, means[int(tail * (rounds - 1))], means[int((1 - tail) * (rounds - 1))])


def perplexity(total_nll, total_tokens):
    """Token-weighted perplexity from summed negative log-likelihood and token count."""
    import math

    return math.exp(total_nll / total_tokens) if total_tokens else None


MISSING = "(missing)"  # the answer is JSON but lacks the field
INVALID = "(not JSON)"  # the answer is no JSON object at all
MAX_CLASSES = 12


def _object(text):
    from curation.core.answer_comparison import load_json

    value = load_json(text or "")
    return value if isinstance(value, dict) else None


def _label(value):
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def field_report(references, predictions_by_side):
    """For JSON answers, what the seed guides ask beyond one overall score: each top-level field's
    accuracy per side, and for a field with a few values (a category, a priority) each class's
    precision, recall and F1 with the confusion matrix (rows: the reference; columns: the answer,
    MISSING or INVALID included). None when fewer than half the references are JSON objects.

    `predictions_by_side` maps a side ("base", "tuned") to its answers, in the references' order."""
    refs = [_object(r) for r in references]
    carried = [r for r in refs if r is not None]
    if not carried or len(carried) * 2 < len(refs):
        return None
    answers = {side: [_object(p) for p in preds] for side, preds in predictions_by_side.items()}
    keys = sorted({k for r in carried for k in r}, key=lambda k: (-sum(k in r for r in carried), k))
    fields = []
    for key in keys:
        rows = [n for n, r in enumerate(refs) if r is not None and key in r]
        truth = [_label(refs[n][key]) for n in rows]
        entry = {"field": key, "examples": len(rows), "accuracy": {}, "classes": None}
        said = {}
        for side, objs in answers.items():
            got = [INVALID if objs[n] is None else (_label(objs[n][key]) if key in objs[n] else MISSING) for n in rows]
            said[side] = got
            entry["accuracy"][side] = sum(g == t for g, t in zip(got, truth)) / len(rows)
        values = sorted(set(truth))
        if 2 <= len(values) <= MAX_CLASSES and len(values) * 2 <= len(rows):
            entry["classes"] = {side: _classes(truth, got, values) for side, got in said.items()}
        fields.append(entry)
    return {"fields": fields, "examples": len(carried)}


def _classes(truth, got, values):
    """Per-class precision, recall, F1 and the confusion matrix of one side."""
    columns = (
        values
        + [c for c in (MISSING, INVALID) if c in got]
        + sorted({g for g in got} - set(values) - {MISSING, INVALID})
    )
    matrix = [[sum(1 for t, g in zip(truth, got) if t == row and g == col) for col in columns] for row in values]
    per_class = []
    for value in values:
        tp = sum(1 for t, g in zip(truth, got) if t == value and g == value)
        predicted = sum(1 for g in got if g == value)
        actual = sum(1 for t in truth if t == value)
        precision = tp / predicted if predicted else None
        recall = tp / actual if actual else None
        f1 = (
            2 * precision * recall / (precision + recall)
            if precision is not None and recall is not None and precision + recall
            else 0.0
            if predicted or actual
            else None
        )
        per_class.append({"value": value, "support": actual, "precision": precision, "recall": recall, "f1": f1})
    scored = [c["f1"] for c in per_class if c["f1"] is not None]
    return {
        "columns": columns,
        "matrix": [{"value": v, "counts": row} for v, row in zip(values, matrix)],
        "per_class": per_class,
        "macro_f1": sum(scored) / len(scored) if scored else None,
    }


GATE_METRICS = {
    "token_f1": "Token F1",
    "exact_match": "Exact match",
    "rougeL": "ROUGE-L",
    "json_valid": "Valid JSON",
    "schema_valid": "Schema valid",
}


def gate_result(metrics, metric, min_gain, min_json_valid):
    """Does a tuned model pass the lead's success gate? `metrics` is an evaluation summary's
    {name: {"base", "tuned"}} (rates 0-1); `min_gain` the percent the tuned model must beat the
    base model by on `metric` (relative: 10 means tuned >= 1.1 x base), `min_json_valid` the
    percent of valid JSON answers it must reach (0: not asked). Returns {"passed", "checks":
    [{"what", "passed", "detail"}]}; a metric the evaluation lacks fails, saying so."""
    checks = []
    label = GATE_METRICS.get(metric, metric)
    m = metrics.get(metric)
    if not m or m.get("tuned") is None or m.get("base") is None:
        checks.append(
            {"what": f"{label} +{min_gain:g}% over base", "passed": False, "detail": f"{label} was not measured."}
        )
    else:
        base, tuned = m["base"], m["tuned"]
        needed = base * (1 + min_gain / 100)
        passed = tuned >= needed and (tuned > base or min_gain <= 0)
        gain = f"{(tuned / base - 1) * 100:+.0f}%" if base > 0 else ("from 0" if tuned > 0 else "0 both")
        checks.append(
            {
                "what": f"{label} +{min_gain:g}% over base",
                "passed": passed,
                "detail": f"{tuned * 100:.1f}% against the base model's {base * 100:.1f}% ({gain}; needs {needed * 100:.1f}%)",
            }
        )
    if min_json_valid:
        v = (metrics.get("json_valid") or {}).get("tuned")
        checks.append(
            {
                "what": f"Valid JSON at least {min_json_valid:g}%",
                "passed": v is not None and v * 100 >= min_json_valid,
                "detail": "not measured (the project's format rules do not ask for JSON)"
                if v is None
                else f"{v * 100:.1f}% of the answers",
            }
        )
    return {"passed": all(c["passed"] for c in checks), "checks": checks}


def split_by(groups, table, metrics=("token_f1", "exact_match", "json_valid")):
    """{group: {"n": items, metric: {side: mean}}} of per-item metric values (`table[side][metric]`,
    aligned with `groups`, one label per item): an evaluation split by where its test items came
    from (synthetic or written by people). Metrics with no value in a group are left out."""
    out = {}
    for group in sorted(set(groups)):
        rows = [i for i, g in enumerate(groups) if g == group]
        entry = {"n": len(rows)}
        for m in metrics:
            means = {}
            for side, values in table.items():
                vals = [values[m][i] for i in rows if values[m][i] is not None]
                if vals:
                    means[side] = sum(vals) / len(vals)
            if means:
                entry[m] = means
        out[group] = entry
    return out
