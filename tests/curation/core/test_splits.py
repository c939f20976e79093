import json
import random

import pytest

from curation.core.leakage import leakage_report
from curation.core.splits import SplitConfig, SplitError, assign_splits, content_hash
from studio.core.records import Record


def tickets(n=400, seed=5):
    rng = random.Random(seed)
    words = [
        "parcel",
        "invoice",
        "refund",
        "login",
        "screen",
        "battery",
        "charger",
        "order",
        "plan",
        "card",
        "address",
        "password",
    ]
    out = []
    for i in range(n):
        topic = rng.choice(words)
        out.append(
            Record(
                "Triage the ticket.",
                f"Ticket {i}: my {topic} {rng.choice(words)} is broken since {rng.randint(1, 28)} May",
                json.dumps({"category": rng.choice(["billing", "technical", "shipping"]), "priority": "high"}),
            )
        )
    return out


def test_same_content_same_seed_same_splits_in_any_order():
    records = tickets()
    a = assign_splits(records, SplitConfig(seed=7)).splits
    shuffled = list(range(len(records)))
    random.Random(1).shuffle(shuffled)
    b = assign_splits([records[i] for i in shuffled], SplitConfig(seed=7)).splits
    assert [b[shuffled.index(i)] for i in range(len(records))] == a
    assert assign_splits(records, SplitConfig(seed=8)).splits != a
    assert content_hash(records) == content_hash([records[i] for i in shuffled])
    assert content_hash(records) != content_hash(records[1:])


def test_ratios_are_respected():
    result = assign_splits(tickets(1000), SplitConfig(ratios=(0.8, 0.1, 0.1)))
    assert abs(result.counts["train"] - 800) <= 5
    assert abs(result.counts["validation"] - 100) <= 5
    assert abs(result.counts["test"] - 100) <= 5


def test_planted_near_duplicates_never_straddle_splits():
    records = tickets(300)
    planted = []
    for i in range(0, 300, 10):  # a case/space variant and a one-word typo variant of every tenth
        r = records[i]
        records.append(Record(r.instruction, r.input.upper(), r.output))
        records.append(Record(r.instruction, r.input.replace("broken", "brokn"), r.output))
        planted.append((i, len(records) - 2, len(records) - 1))
    for seed in range(5):
        splits = assign_splits(records, SplitConfig(seed=seed)).splits
        for i, j, k in planted:
            assert splits[i] == splits[j] == splits[k], (seed, i)


def test_stratified_splits_keep_each_label_in_proportion():
    records = tickets(900)
    result = assign_splits(records, SplitConfig(stratify_field="category"))
    for label, counts in result.by_label.items():
        total = sum(counts.values())
        assert abs(counts.get("test", 0) - total * 0.1) <= 2, label
        assert abs(counts.get("validation", 0) - total * 0.1) <= 2, label


@pytest.mark.parametrize("ratios", [(0.5, 0.5, 0.5), (0.0, 0.5, 0.5), (0.9, 0.1)])
def test_bad_ratios_are_refused(ratios):
    with pytest.raises(SplitError):
        SplitConfig(ratios=ratios)


def test_leakage_report_names_the_closest_training_example():
    records = [
        Record(
            "Summarise",
            "The quarterly revenue of Acme grew by nine percent in the north region during the busy holiday season",
            "Acme grew 9%.",
        ),
        Record(
            "Summarise",
            "The quarterly revenue of Acme grew by nine percent in the south region during the busy holiday season",
            "Acme grew 9%.",
        ),
        Record("Summarise", "Penguins huddle together to survive the antarctic winter storms", "Penguins huddle."),
    ]
    report = leakage_report(records, ["train", "test", "train"])
    (leak,) = report
    assert (leak.test, leak.train) == (1, 0)
    assert leak.similarity > 0.8


def test_rare_labels_do_not_bend_the_ratios():
    records = [
        Record("Classify", f"message {i} about topic {i}", json.dumps({"label": f"rare-{i // 3}"})) for i in range(120)
    ]
    records += [
        Record("Classify", f"billing message {i} about invoices", json.dumps({"label": "billing"})) for i in range(200)
    ]
    counts = assign_splits(records, SplitConfig(stratify_field="label")).counts
    assert abs(counts["train"] - 256) <= 6 and abs(counts["test"] - 32) <= 6
