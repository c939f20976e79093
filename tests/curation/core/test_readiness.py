"""The readiness report's plain-Python core: topics on planted subjects, balance and verdict
arithmetic, outliers, consistency of phrasings and formats."""

import json
import random

import numpy as np
import pytest

from curation.core import semantic
from curation.core.readiness import (
    Item,
    ReadinessRules,
    RulesError,
    answer_format,
    balance,
    class_fields,
    consistency,
    group_topics,
    report,
    topics,
)
from studio.core.records import Record

SUBJECTS = {
    "billing": [
        "I was charged twice for my {m} invoice",
        "Why did my card get billed {n} dollars this month?",
        "Please refund the duplicate payment from {m}",
        "My subscription price went up in {m}, why is that?",
        "How do I update the credit card on my account?",
    ],
    "delivery": [
        "Where is my parcel? I ordered it on {m} {n}",
        "The courier left my package at the wrong address",
        "Tracking number {n} has not moved for a week",
        "Do you deliver to Norway and how long does shipping take?",
        "My delivery arrived damaged and the box was crushed",
    ],
    "cooking": [
        "Give me a recipe for banana bread with {n} bananas",
        "How long should I boil an egg for a runny yolk?",
        "What can I cook for dinner with rice and {n} eggs?",
        "Suggest a vegetarian lasagna for {n} people",
        "How do I make pancakes fluffy without buttermilk?",
    ],
}
MONTHS = ("January", "March", "June", "October")


def planted(per_subject=40, seed=3, test_for=("billing", "delivery", "cooking")):
    rng = random.Random(seed)
    items, n = [], 0
    for subject, templates in SUBJECTS.items():
        for _ in range(per_subject):
            prompt = rng.choice(templates).format(m=rng.choice(MONTHS), n=rng.randint(2, 99))
            answer = json.dumps({"category": subject, "priority": ["low", "high", "medium"][n % 3]})
            split = rng.choices(["train", "validation", "test"], [7, 1, 2])[0]
            if split == "test" and subject not in test_for:
                split = "train"
            items.append(Item(n, split, Record(prompt, "", answer)))
            n += 1
    return items


@pytest.fixture(scope="module")
def embed():
    if not semantic.available():
        pytest.skip("the embedding model is built by make install")
    return semantic.embed


def test_topics_recover_planted_subjects(embed):
    items = planted()
    vectors = embed([i.record.instruction for i in items])
    _, labels = group_topics(vectors)
    subject = [json.loads(i.record.output)["category"] for i in items]
    # every topic holds one subject only: no two subjects are lumped together (static
    # embeddings group short prompts finely, by the way they are asked, within a subject)
    for t in np.unique(labels):
        assert len({subject[j] for j in np.flatnonzero(labels == t)}) == 1
    assert 3 <= len(np.unique(labels)) <= 24


def test_a_topic_without_test_examples_fails_the_verdict(embed):
    items = planted(per_subject=150, test_for=("billing", "delivery"))
    result = report(items, ReadinessRules(min_examples=50, preferred_examples=100), embed=embed)
    flagged = [t for t in result["coverage"]["topics"] if "no test examples" in t["flags"]]
    assert flagged
    for t in flagged:  # only cooking prompts, named by their own words
        assert all(items[e["example"]].record.output.count("cooking") for e in t["examples"])
    assert result["verdict"] == "not ready"
    check = next(c for c in result["checks"] if c["what"] == "Every topic in test")
    assert check["level"] == "fail" and "no test examples" in check["detail"]


def test_a_balanced_set_with_every_topic_in_test_is_ready(embed):
    result = report(planted(per_subject=150), ReadinessRules(min_examples=50, preferred_examples=100), embed=embed)
    assert result["verdict"] == "ready", result["checks"]
    assert {c["level"] for c in result["checks"]} == {"pass"}


def test_an_off_topic_prompt_is_an_outlier_and_ordinary_ones_are_not(embed):
    items = planted()
    stray = Item(
        999, "train", Record("Explain general relativity and the curvature of spacetime", "", items[0].record.output)
    )
    result = report(items + [stray], ReadinessRules(), embed=embed)
    assert [o["example"] for o in result["outliers"] if "far from every topic" in o["why"]] == [999]


def test_an_answer_far_longer_than_its_topics_is_an_outlier(embed):
    items = planted()
    long_answer = json.dumps({"category": "billing", "priority": "low", "note": "x" * 3000})
    items[5] = Item(5, "train", Record(items[5].record.instruction, "", long_answer))
    result = report(items, ReadinessRules(), embed=embed)
    assert [o["example"] for o in result["outliers"] if "long answer" in o["why"]] == [5]


def test_class_fields_are_few_valued_json_fields_not_ids_or_free_text():
    answers = [json.dumps({"id": i, "category": ["a", "b"][i % 2], "summary": f"text {i}"}) for i in range(40)]
    assert set(class_fields(answers)) == {"category"}
    assert class_fields(["plain prose answer"] * 40) == {}


def test_balance_counts_classes_per_split_and_flags_small_and_uneven_ones():
    items = []
    for n in range(200):
        value = "rare" if n < 6 else ("big" if n % 2 else "other")
        split = "test" if n % 5 == 0 else "train"
        if value == "other" and split == "test":
            split = "train"  # none of "other" in test
        items.append(Item(n, split, Record(f"prompt {n}", "", json.dumps({"kind": value}))))
    result = balance(items, ReadinessRules())
    (field,) = result["fields"]
    classes = {c["value"]: c for c in field["classes"]}
    assert classes["rare"]["count"] == 6 and sum(classes["rare"]["by_split"].values()) == 6
    assert any("under the 10 you set" in f for f in classes["rare"]["flags"])
    assert any("under the 5% you set" in f for f in classes["rare"]["flags"])
    assert "no test examples" in classes["other"]["flags"]
    assert any("points apart" in f for f in classes["big"]["flags"])
    # the thresholds are the lead's
    relaxed = balance(items, ReadinessRules(min_class_share=1, min_class_examples=5))
    rare = next(c for c in relaxed["fields"][0]["classes"] if c["value"] == "rare")
    assert rare["flags"] == [] or all("you set" not in f for f in rare["flags"])


def test_a_small_test_set_is_not_called_unbalanced_by_chance():
    rng = random.Random(1)
    items = [
        Item(n, rng.choices(["train", "test"], [9, 1])[0], Record(f"p{n}", "", json.dumps({"c": rng.choice("ab")})))
        for n in range(120)
    ]
    result = balance(items, ReadinessRules())
    assert not [f for c in result["fields"][0]["classes"] for f in c["flags"] if "points apart" in f]


def test_verdict_counts_examples_against_the_guides_thresholds():
    few = [
        Item(n, "", Record(f"Question number {n} about tides", "", "An answer that is long enough.")) for n in range(40)
    ]
    result = report(few, ReadinessRules())
    first = result["checks"][0]
    assert first["level"] == "fail" and "at least 100" in first["detail"]
    assert result["verdict"] == "not ready"
    assert report(few, ReadinessRules(min_examples=30, preferred_examples=40))["checks"][0]["level"] == "pass"
    errors = report(few, ReadinessRules(min_examples=30), errors=3)
    assert next(c for c in errors["checks"] if c["what"] == "No open errors")["level"] == "fail"


def test_rules_are_checked_and_name_the_bad_field():
    with pytest.raises(RulesError) as e:
        ReadinessRules.from_dict({"min_examples": "many"})
    assert e.value.field == "min_examples"
    with pytest.raises(RulesError) as e:
        ReadinessRules.from_dict({"min_examples": 500, "preferred_examples": 100})
    assert e.value.field == "preferred_examples"
    with pytest.raises(RulesError):
        ReadinessRules.from_dict({"min_class_share": 150})
    assert ReadinessRules.from_dict({"min_class_share": "2.5"}).min_class_share == 2.5


def test_one_task_phrased_several_ways_is_one_group_and_other_tasks_stay_apart(embed):
    rows = []
    ways = {
        "Classify this support ticket": 20,
        "Classify this support ticket.": 3,
        "Classify the support ticket below": 1,
        "Please classify this support ticket": 1,
        "Translate this ticket into French": 8,
        "Translate this ticket into German": 8,
    }
    for text, count in ways.items():
        rows += [Record(text, f"ticket body {len(rows)}", "billing") for _ in range(count)]
    items = [Item(n, "", r) for n, r in enumerate(rows)]
    result = consistency(items, embed)
    (task,) = result["tasks"]
    assert {p["text"] for p in task["phrasings"]} >= {
        "Classify this support ticket",
        "Classify the support ticket below",
    }
    assert task["once"] == 2 and task["count"] == 25
    assert not any("Translate" in p["text"] for p in task["phrasings"])


def test_answers_of_another_format_within_a_task_are_listed():
    rows = [Record("Extract the fields", f"order {n}", json.dumps({"order": n})) for n in range(9)]
    rows.append(Record("Extract the fields", "order 99", "The order number is 99."))
    result = consistency([Item(n, "", r) for n, r in enumerate(rows)])
    (odd,) = result["formats"]
    assert odd["main"] == "JSON" and odd["odd"] == [9]
    assert answer_format("SELECT COUNT(*) FROM orders;") == "code"
    assert answer_format('{"a": 1}') == "JSON" and answer_format("Just words here.") == "prose"


def test_report_is_plain_json():
    json.dumps(report(planted(per_subject=10), ReadinessRules()))


def test_a_small_topic_without_test_examples_is_a_warning_not_a_failure(embed):
    items = planted(per_subject=40, test_for=("billing", "delivery"))  # cooking topics too small to be sure
    result = report(items, ReadinessRules(min_examples=50, preferred_examples=100), embed=embed)
    check = next(c for c in result["checks"] if c["what"] == "Every topic in test")
    assert check["level"] == "warn" and "leave to chance" in check["detail"]


def test_questions_each_asked_once_over_one_schema_are_not_one_task(embed):
    columns = ["name", "email", "city", "country", "phone", "signup_date"]
    rows = [
        Record(
            f"List the {a} and {b} of customers who signed up in {2015 + n % 8}", "Tables: customers(...)", "SELECT ..."
        )
        for n, (a, b) in enumerate((a, b) for a in columns for b in columns if a != b)
    ]
    assert consistency([Item(n, "", r) for n, r in enumerate(rows)], embed)["tasks"] == []


def test_a_group_of_short_answers_within_a_topic_is_no_outlier_but_one_is():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(2, 16))
    vectors = np.repeat(centres, 60, axis=0) + rng.normal(scale=0.05, size=(120, 16))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    worded = "A worded answer that explains the steps one by one, as the others do. " * 2

    def items(short):
        return [Item(n, "train", Record(f"question {n}", "", "42" if n in short else worded)) for n in range(120)]

    group = topics(items(set(range(0, 15))), vectors, ReadinessRules())  # a quarter of topic one
    assert not [o for o in group["outliers"] if "short answer" in o["why"]]
    lone = topics(items({7}), vectors, ReadinessRules())
    assert [o["example"] for o in lone["outliers"] if "short answer" in o["why"]] == [7]
