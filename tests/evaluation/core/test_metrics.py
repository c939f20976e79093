import json
import math

import pytest

from evaluation.core.metrics import (
    exact_match,
    json_validity,
    normalize_answer,
    paired_bootstrap,
    perplexity,
    rouge,
    score,
    token_f1,
)


def test_exact_match_and_f1_follow_the_squad_normalisation():
    assert normalize_answer("The  Eiffel Tower!") == "eiffel tower"
    assert exact_match("the Eiffel tower.", "Eiffel Tower") == 1.0
    assert token_f1("Paris is the capital", "the capital is Paris") == 1.0
    assert token_f1("red car", "blue car") == pytest.approx(0.5)
    assert token_f1("", "") == 1.0


def test_rouge_keeps_non_ascii_text():
    # rouge-score's default tokenizer drops every non-ASCII character and would score these 0 or 1 wrongly
    assert rouge("Grüße aus München", "Grüße aus München")["rouge1"] == 1.0
    assert rouge("東京の天気", "東京の天気は晴れ")["rouge1"] == pytest.approx(
        2 * 5 / (5 + 8)
    )  # precision 5/5, recall 5/8
    assert rouge("Привет мир", "Пока мир")["rouge1"] == pytest.approx(0.5)


def test_json_validity_and_schema_validity_are_separate():
    schema = {"type": "object", "required": ["priority"], "properties": {"priority": {"enum": ["low", "high"]}}}
    assert json_validity('{"priority": "low"}', schema) == (True, True)
    assert json_validity('{"priority": "urgent"}', schema) == (True, False)
    assert json_validity("not json", schema) == (False, False)
    assert json_validity('{"a": 1}') == (True, None)
    metrics = score('{"priority": "urgent"}', '{"priority": "high"}', schema=schema)
    assert (metrics["json_valid"], metrics["schema_valid"]) == (1.0, 0.0)


def test_paired_bootstrap():
    tuned = [1, 1, 1, 0] * 25
    base = [0, 1, 0, 0] * 25
    mean, low, high = paired_bootstrap(tuned, base, rounds=500)
    assert mean == pytest.approx(0.5)
    assert low < 0.5 < high and low > 0.3
    assert paired_bootstrap([], []) == (None, None, None)


def test_perplexity_is_token_weighted():
    assert perplexity(2 * math.log(4) + 2 * math.log(16), 4) == pytest.approx(8.0)


def test_json_answers_get_field_accuracy_and_per_class_scores_with_a_confusion_matrix():
    from evaluation.core.metrics import INVALID, MISSING, field_report

    references = [
        json.dumps({"category": c, "priority": p, "summary": f"ticket {n}"})
        for n, (c, p) in enumerate(
            [("billing", "low"), ("billing", "high"), ("shipping", "low"), ("shipping", "low")] * 3
        )
    ]
    tuned = list(references)
    tuned[0] = json.dumps({"category": "shipping", "priority": "low", "summary": "ticket 0"})  # a wrong class
    tuned[1] = json.dumps({"priority": "high", "summary": "ticket 1"})  # the field left out
    tuned[2] = "Shipping, low priority."  # no JSON at all
    base = ["I cannot help with that."] * len(references)
    report = field_report(references, {"base": base, "tuned": tuned})
    fields = {f["field"]: f for f in report["fields"]}
    assert set(fields) == {"category", "priority", "summary"}
    assert fields["category"]["accuracy"] == {"base": 0.0, "tuned": 9 / 12}
    assert fields["summary"]["classes"] is None  # a value per example: no classes
    tuned_classes = fields["category"]["classes"]["tuned"]
    assert tuned_classes["columns"][:2] == ["billing", "shipping"] and MISSING in tuned_classes["columns"]
    billing = next(c for c in tuned_classes["per_class"] if c["value"] == "billing")
    assert billing["support"] == 6 and billing["recall"] == 4 / 6 and billing["precision"] == 1.0
    shipping_row = next(r for r in tuned_classes["matrix"] if r["value"] == "shipping")["counts"]
    assert dict(zip(tuned_classes["columns"], shipping_row))[INVALID] == 1
    assert fields["category"]["classes"]["base"]["macro_f1"] == 0.0
    assert field_report(["plain text"] * 4, {"tuned": ["x"] * 4}) is None


def test_the_success_gate_compares_with_the_base_model_and_the_json_share():
    from evaluation.core.metrics import gate_result

    metrics = {"token_f1": {"base": 0.40, "tuned": 0.46}, "json_valid": {"base": 0.1, "tuned": 0.97}}
    passed = gate_result(metrics, "token_f1", 10, 95)
    assert passed["passed"] and [c["passed"] for c in passed["checks"]] == [True, True]
    assert "46.0% against the base model's 40.0% (+15%; needs 44.0%)" in passed["checks"][0]["detail"]
    short = gate_result(metrics, "token_f1", 20, 95)  # +15% is not +20%
    assert not short["passed"] and "needs 48.0%" in short["checks"][0]["detail"]
    assert not gate_result(metrics, "token_f1", 10, 98)["passed"]  # 97% valid JSON is under 98%
    missing = gate_result(metrics, "rougeL", 10, 0)
    assert not missing["passed"] and "was not measured" in missing["checks"][0]["detail"]
    from_zero = gate_result({"exact_match": {"base": 0.0, "tuned": 0.3}}, "exact_match", 10, 0)
    assert from_zero["passed"] and "from 0" in from_zero["checks"][0]["detail"]
    both_zero = gate_result({"exact_match": {"base": 0.0, "tuned": 0.0}}, "exact_match", 10, 0)
    assert not both_zero["passed"]
