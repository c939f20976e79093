"""Votes where the judge is unsure, kept unbiased (evaluation/core/active.py, plain Python)."""

import random
import statistics

import pytest

from evaluation.core.active import estimate, naive_estimate, probabilities, simulate, uncertainty


def test_the_judges_doubt_ranks_ties_and_flips_above_steady_verdicts():
    assert uncertainty(1.0, True) == pytest.approx(0.1) == uncertainty(0.0, True)
    assert uncertainty(0.5, True) == 1.0 == uncertainty(1.0, False) == uncertainty(None, True)


def test_probabilities_spend_the_budget_keep_a_random_share_and_never_pass_one():
    u = [1.0] * 5 + [0.1] * 95
    probs = probabilities(u, budget=20, random_share=0.2)
    assert sum(probs) == pytest.approx(20)
    assert min(probs) >= 0.2 * 20 / 100 - 1e-9  # every item keeps a chance
    assert probs[0] > 2 * probs[-1]  # doubt draws votes
    capped = probabilities([1.0] * 3 + [0.01] * 7, budget=5, random_share=0.1)
    assert max(capped) == 1.0 and sum(capped) == pytest.approx(5) and all(p <= 1 for p in capped)
    assert probabilities([0.3] * 4, budget=10) == [1.0] * 4  # more votes than items: every item
    with pytest.raises(ValueError, match="random share"):
        probabilities([1.0], 1, random_share=0)


def test_with_every_item_rated_the_estimate_is_the_mean_of_the_votes():
    judge = [1.0, 0.0, 0.5, 1.0]
    humans = [1.0, 1.0, 0.0, 1.0]
    value, se = estimate(judge, humans, [1.0] * 4, [True] * 4)
    assert value == pytest.approx(0.75) and se > 0
    assert naive_estimate(humans, [True, False, True, False]) == 0.5


def test_the_weighted_estimate_stays_unbiased_where_the_naive_mean_of_chosen_items_does_not():
    rng = random.Random(11)
    runs = [simulate(300, 60, True, rng, clear_share=0.6) for _ in range(300)]
    weighted = statistics.mean(e - t for t, e, _, _ in runs)
    naive = statistics.mean(n - t for t, _, _, n in runs)
    assert abs(weighted) < 0.01  # standard error of this mean is about 0.004
    assert naive < -0.02  # the chosen items are the close ones, where the tuned model wins less
    coverage = sum(abs(e - t) <= 1.96 * se for t, e, se, _ in runs) / len(runs)
    assert 0.9 <= coverage <= 0.99
