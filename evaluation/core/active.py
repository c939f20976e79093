"""Human ratings where they matter most, without biasing the estimate (plain Python).

A judge has rated every item; people can rate only some. Sending people the items where the judge
is unsure (its two orders disagree, or it said tie) spends their votes where they change the
answer most, but an estimate from those items alone is biased: they are not a random sample
(Chatbot Arena dropped informed pairing for this reason). The estimator here stays unbiased: each
item is sent to people with a known probability, never zero (a random share is kept), and the
win rate is the judge's verdict on every item corrected by the people's votes, each correction
weighted by one over its item's probability (active inference, Zrnic & Candès 2024; prediction-
powered inference with an uncertainty-driven sampling rule). With probabilities all equal it is
the plain random-sample correction.

Items are scored on a 0-1 scale: 1 when the tuned model wins, 0 when the base wins, 0.5 a tie.
"""

import math


def uncertainty(judge_score, consistent):
    """How unsure the judge is about one item, 0.1 to 1: a consistent decisive verdict is the
    surest (0.1), a tie or a verdict that flips with the sides is the least (1.0)."""
    if judge_score is None or not consistent:
        return 1.0
    return 0.1 + 0.9 * (1 - abs(2 * judge_score - 1))


def probabilities(uncertainties, budget, random_share=0.2):
    """Per item, the probability that people rate it, summing to `budget` (the votes to spend):
    `random_share` of the budget spread evenly over all items, the rest in proportion to the
    square root of each item's uncertainty (the variance-minimising rule for a 0-1 score), every
    probability capped at 1 (what a cap frees goes to the others)."""
    n = len(uncertainties)
    if n == 0:
        return []
    budget = min(max(budget, 0), n)
    if not 0 < random_share <= 1:
        raise ValueError("the random share must be above 0 (every item needs a chance) and at most 1")
    weights = [math.sqrt(u) for u in uncertainties]
    probs = [0.0] * n
    free = list(range(n))
    left = budget
    while free and left > 1e-12:
        even = random_share * left / len(free)
        total = sum(weights[i] for i in free) or 1.0
        proposal = {i: even + (1 - random_share) * left * weights[i] / total for i in free}
        capped = [i for i in free if probs[i] + proposal[i] >= 1]
        if not capped:
            for i in free:
                probs[i] += proposal[i]
            break
        for i in capped:
            left -= 1 - probs[i]
            probs[i] = 1.0
        free = [i for i in free if i not in capped]
    return probs


def draw(probs, rng):
    """Which items people rate: each independently with its probability."""
    return [rng.random() < p for p in probs]


def estimate(judge_scores, human_scores, probs, chosen):
    """(win rate, standard error): the judge's mean corrected by the people's votes, each weighted
    by 1 / its probability. judge_scores: every item's; human_scores: the chosen items' (None
    elsewhere)."""
    n = len(judge_scores)
    terms = []
    for f, y, p, c in zip(judge_scores, human_scores, probs, chosen, strict=True):
        terms.append(f + ((y - f) / p if c else 0.0))
    mean = sum(terms) / n
    var = sum((t - mean) ** 2 for t in terms) / (n - 1) if n > 1 else 0.0
    return mean, math.sqrt(var / n)


def naive_estimate(human_scores, chosen):
    """The mean of the people's votes on the items they rated, as if those were a random sample:
    biased when they were chosen for the judge's doubt."""
    rated = [y for y, c in zip(human_scores, chosen, strict=True) if c]
    return sum(rated) / len(rated) if rated else None


def simulate(n_items, budget, active, rng, clear_share=0.6, random_share=0.2):
    """One simulated study of `n_items`. A `clear_share` of the items are clear (one answer is
    plainly better: people pick it 97 % of the time, the tuned one on 70 % of them), the rest are
    close (people split, p from 0.3 to 0.7). The judge names the better side of a clear item 95 %
    of the time and stays consistent when the sides swap; on a close item it says tie or guesses,
    and flips with the sides 60 % of the time. People vote by p. Returns (truth, estimate,
    standard error, naive estimate)."""
    truths, judge, consistent, humans = [], [], [], []
    for _ in range(n_items):
        if rng.random() < clear_share:
            lean = 1.0 if rng.random() < 0.7 else 0.0
            p = 0.97 if lean else 0.03
            said = lean if rng.random() < 0.95 else 1.0 - lean
            steady = rng.random() < 0.95
        else:
            p = rng.uniform(0.3, 0.7)
            said = 0.5 if rng.random() < 0.5 else rng.choice((0.0, 1.0))
            steady = rng.random() < 0.4
        truths.append(p)
        judge.append(said)
        consistent.append(steady)
        humans.append(1.0 if rng.random() < p else 0.0)
    u = [uncertainty(j, c) if active else 1.0 for j, c in zip(judge, consistent, strict=True)]
    probs = probabilities(u, budget, random_share if active else 1.0)
    chosen = draw(probs, rng)
    value, se = estimate(judge, [h if c else None for h, c in zip(humans, chosen, strict=True)], probs, chosen)
    naive = naive_estimate(humans, chosen)
    return sum(truths) / n_items, value, se, naive
