"""Judges against the experts (evaluation/core/judging.py, plain Python): the verdict reader, the
reference rules, both orders, majorities, and the agreement statistics against scikit-learn."""

import random

import pytest
from sklearn.metrics import cohen_kappa_score, confusion_matrix

from evaluation.core.judging import (
    DEFAULT_RUBRIC,
    RubricError,
    as_label,
    calibrate,
    check_rubric,
    human_labels,
    judge_labels,
    judge_prompt,
    kappa_interval,
    parse_verdict,
    reference_verdict,
)


@pytest.mark.parametrize(
    "reply, verdict",
    [
        ("Verdict: A", "left"),
        ("verdict: b", "right"),
        ("Verdict: tie", "tie"),
        ("**Verdict:** B", "right"),
        ("B is shorter, but A answers in JSON.\nVerdict: A", "left"),
        ("Verdict: B\n...on reflection...\nVerdict: A", "left"),  # the last verdict counts
        ("A", "left"),
        (" tie. ", "tie"),
        ("Answer B", "right"),
        ("Verdict: both are bad", "tie"),
        ("I cannot decide.", None),
        ("A and B are both fine", None),  # names both, says neither plainly
        ("", None),
        (None, None),
    ],
)
def test_the_verdict_is_read_from_the_judges_last_plain_verdict(reply, verdict):
    assert parse_verdict(reply) == verdict


def test_the_rubric_needs_its_three_places_and_no_stray_fields():
    assert check_rubric(DEFAULT_RUBRIC) == DEFAULT_RUBRIC
    with pytest.raises(RubricError, match=r"\{answer_b\}"):
        check_rubric("Compare {prompt}: {answer_a}")
    with pytest.raises(RubricError, match="literal braces"):
        check_rubric('{prompt} {answer_a} {answer_b} reply as {"verdict": "A"}')
    ok = check_rubric('{prompt} {answer_a} {answer_b} reply as {{"verdict": "A"}} given {reference}')
    filled = judge_prompt(ok, "Q?", "{answer_b} from a model", "B", reference="R")
    assert filled == 'Q? {answer_b} from a model B reply as {"verdict": "A"} given R'  # answers are not formatted


def test_reference_rules_prefer_the_answer_closer_to_the_reference():
    reference = '{"category": "billing", "priority": "high"}'
    assert (
        reference_verdict("json_fields", reference, '{"category": "billing", "priority": "low"}', "billing") == "left"
    )
    assert reference_verdict("json_fields", reference, '{"category": "x"}', reference) == "right"
    assert reference_verdict("json_fields", reference, reference, reference) == "tie"
    assert reference_verdict("token_f1", "the parcel ships on monday", "it ships monday", "hello there") == "left"
    assert reference_verdict("token_f1", "the parcel ships on monday", "ships monday", "monday ships") == "tie"
    with pytest.raises(ValueError, match="unknown rule"):
        reference_verdict("vibes", "", "", "")


def test_labels_name_the_winner_in_sorted_pair_order():
    assert as_label("run-2", "base", "left") == (("base", "run-2"), "b")
    assert as_label("base", "run-2", "left") == (("base", "run-2"), "a")
    assert as_label("base", "run-2", "both_bad") == (("base", "run-2"), "tie")


def test_a_judge_that_changes_its_mind_when_the_sides_swap_said_tie():
    verdicts = [
        {"item": 1, "left": "base", "right": "t", "choice": "right"},  # t wins
        {"item": 1, "left": "t", "right": "base", "choice": "left"},  # t wins again: consistent
        {"item": 2, "left": "base", "right": "t", "choice": "left"},  # base wins
        {"item": 2, "left": "t", "right": "base", "choice": "left"},  # t wins: the left side, twice
        {"item": 3, "left": "base", "right": "t", "choice": None},  # unreadable, and once only
    ]
    labels, consistency, both = judge_labels(verdicts)
    # an unreadable reply is a tie: the judge's failures stay in the comparison
    assert labels == {(1, ("base", "t")): "b", (2, ("base", "t")): "tie", (3, ("base", "t")): "tie"}
    assert (consistency, both) == (0.5, 2)


def test_the_experts_majority_leaves_out_repeats_and_splits_evenly_into_a_tie():
    votes = [
        {"rater": "r1", "item": 1, "left": "base", "right": "t", "choice": "right"},
        {"rater": "r2", "item": 1, "left": "t", "right": "base", "choice": "left"},
        {"rater": "r3", "item": 1, "left": "t", "right": "base", "choice": "right"},
        {"rater": "r1", "item": 2, "left": "base", "right": "t", "choice": "left"},
        {"rater": "r2", "item": 2, "left": "base", "right": "t", "choice": "right"},
        {"rater": "r1", "item": 2, "left": "t", "right": "base", "choice": "left", "repeat": True},
    ]
    majority, per_rater = human_labels(votes)
    assert majority == {(1, ("base", "t")): "b", (2, ("base", "t")): "tie"}
    assert per_rater["r1"] == {(1, ("base", "t")): "b", (2, ("base", "t")): "a"}


def test_kappa_and_its_confusion_match_scikit_learn_on_random_labels():
    rng = random.Random(3)
    labels = ["a", "b", "tie"]
    human = [rng.choice(labels) for _ in range(200)]
    judge = [h if rng.random() < 0.7 else rng.choice(labels) for h in human]  # a judge right 70 % + chance
    kappa, low, high = kappa_interval(list(zip(judge, human, strict=True)), rounds=400, seed=1)
    assert kappa == pytest.approx(cohen_kappa_score(judge, human))
    assert low < kappa < high and high - low < 0.25
    report = calibrate(
        [
            {"item": i, "left": "base", "right": "t", "choice": {"a": "left", "b": "right", "tie": "tie"}[j]}
            for i, j in enumerate(judge)
        ],
        [
            {
                "rater": "r1",
                "item": i,
                "left": "base",
                "right": "t",
                "choice": {"a": "left", "b": "right", "tie": "tie"}[h],
            }
            for i, h in enumerate(human)
        ],
        rounds=200,
    )
    assert report["kappa"] == pytest.approx(cohen_kappa_score(judge, human))
    expected = confusion_matrix(judge, human, labels=labels)
    assert [[report["confusion"][j][h] for h in labels] for j in labels] == expected.tolist()


def test_a_judge_earns_trust_only_when_kappas_interval_clears_the_threshold():
    rng = random.Random(5)

    def study(judge_right, n):
        verdicts, votes = [], []
        for i in range(n):
            human = rng.choice(["left", "right", "tie"])
            judge = human if rng.random() < judge_right else rng.choice(["left", "right", "tie"])
            verdicts += [
                {"item": i, "left": "base", "right": "t", "choice": judge},
                {
                    "item": i,
                    "left": "t",
                    "right": "base",
                    "choice": {"left": "right", "right": "left"}.get(judge, judge),
                },
            ]
            votes.append({"rater": "r1", "item": i, "left": "base", "right": "t", "choice": human})
        return calibrate(verdicts, votes, trust_kappa=0.6, rounds=300)

    good = study(0.95, 150)
    assert good["trusted"] and good["position_consistency"] == 1.0, good["trust_reason"]
    coin = study(0.2, 150)
    assert not coin["trusted"] and "under 0.60" in coin["trust_reason"]
    few = study(1.0, 12)
    assert few["kappa"] == 1.0 and not few["trusted"] and "at least 20" in few["trust_reason"]


def test_the_judge_is_compared_with_each_rater_beside_the_raters_with_each_other():
    votes, verdicts = [], []
    for i in range(30):
        truth = "left" if i % 3 else "right"
        votes.append({"rater": "ann", "item": i, "left": "base", "right": "t", "choice": truth})
        votes.append({"rater": "bob", "item": i, "left": "base", "right": "t", "choice": truth if i % 5 else "tie"})
        verdicts.append({"item": i, "left": "base", "right": "t", "choice": truth})
    report = calibrate(verdicts, votes, rounds=100)
    by_rater = {r["rater"]: r for r in report["raters"]}
    assert by_rater["ann"]["agreement"] == 1.0 and by_rater["bob"]["agreement"] == pytest.approx(24 / 30)
    (between,) = report["between_raters"]
    assert between["raters"] == ("ann", "bob") and between["n"] == 30
    assert report["position_consistency"] is None  # judged in one order only


def test_kappa_is_not_defined_when_everyone_said_tie_throughout():
    assert kappa_interval([("tie", "tie")] * 30) == (None, None, None)
    verdicts = [{"item": i, "left": "base", "right": "t", "choice": "tie"} for i in range(30)]
    votes = [{"rater": "r1", "item": i, "left": "base", "right": "t", "choice": "both_bad"} for i in range(30)]
    report = calibrate(verdicts, votes, rounds=50)
    assert report["agreement"] == 1.0 and report["kappa"] is None  # not a perfect 1.0
    assert not report["trusted"] and "cannot be told from chance" in report["trust_reason"]


def test_the_interval_resamples_items_and_trust_counts_items_not_pairs_of_systems():
    """Three systems give three pairs per item: 7 items are 21 pairs, not enough to tell."""
    verdicts, votes = [], []
    for item in range(7):
        for left, right in (("base", "r1"), ("base", "r2"), ("r1", "r2")):
            choice = ["left", "right", "tie"][(item + len(left)) % 3]
            verdicts.append({"item": item, "left": left, "right": right, "choice": choice})
            votes.append({"rater": "ann", "item": item, "left": left, "right": right, "choice": choice})
    report = calibrate(verdicts, votes, rounds=100)
    assert (report["n"], report["items"]) == (21, 7)
    assert not report["trusted"] and "only 7 items" in report["trust_reason"]
