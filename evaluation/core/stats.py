"""Statistics for comparing models (plain Python, scipy where it helps).

Win rates with Wilson intervals, the exact sign test, Bradley-Terry ratings on the Elo scale with
bootstrap intervals over prompts, and rater agreement (Cohen's and Fleiss' kappa, Krippendorff's
alpha for nominal data).
"""

import math
import random
from collections import Counter, defaultdict


def wilson_interval(successes, n, confidence=0.95):
    """(low, high) Wilson score interval for a proportion; (0, 1) when n is 0."""
    if n == 0:
        return (0.0, 1.0)
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n ({successes} of {n})")
    from scipy.stats import binomtest

    ci = binomtest(successes, n).proportion_ci(confidence_level=confidence, method="wilson")
    return (float(ci.low), float(ci.high))


def sign_test(wins, losses):
    """Exact two-sided binomial test of wins against losses (ties left out by the caller)."""
    n = wins + losses
    if n == 0:
        return 1.0
    from scipy.stats import binomtest

    return float(binomtest(wins, n, 0.5, alternative="two-sided").pvalue)


ELO = 400 / math.log(10)  # rating points per natural-log unit of odds


def bradley_terry(battles, anchor, anchor_rating=1000.0):
    """{model: rating}: maximum-likelihood Bradley-Terry strengths on the Elo scale (400 points
    per factor of 10 in odds), the anchor pinned at anchor_rating.

    `battles`: iterable of (model_a, model_b, score_a), score_a 1 (a wins), 0.5 (tie) or 0.
    A tie counts as half a win for each side. A model that never lost (or never won) has no
    finite maximum; a very weak ridge keeps it finite and far above (or below) the others.
    """
    import numpy as np
    from scipy.optimize import minimize

    battles = [(a, b, float(s)) for a, b, s in battles]
    models = sorted({m for a, b, _ in battles for m in (a, b)} | {anchor})
    if len(models) == 1:
        return {anchor: anchor_rating}
    index = {m: i for i, m in enumerate(models)}
    free = [m for m in models if m != anchor]
    pos = {m: i for i, m in enumerate(free)}
    wins = defaultdict(float)  # (i, j) -> score of i against j
    for a, b, s in battles:
        if s not in (0.0, 0.5, 1.0):
            raise ValueError(f"score_a must be 1, 0.5 or 0, not {s}")
        wins[(index[a], index[b])] += s
        wins[(index[b], index[a])] += 1 - s
    pairs = [(i, j, w) for (i, j), w in wins.items() if w > 0]
    ii = np.array([i for i, _, _ in pairs])
    jj = np.array([j for _, j, _ in pairs])
    ww = np.array([w for _, _, w in pairs])

    def strengths(x):
        theta = np.zeros(len(models))
        for m, k in pos.items():
            theta[index[m]] = x[k]
        return theta

    ridge = 1e-6

    def objective(x):
        theta = strengths(x)
        diff = theta[ii] - theta[jj]
        nll = np.sum(ww * np.logaddexp(0.0, -diff)) + ridge * np.sum(x * x)
        p = 1.0 / (1.0 + np.exp(diff))  # d/d(diff) of log(1 + e^-diff) is -p
        grad_theta = np.zeros(len(models))
        np.add.at(grad_theta, ii, -ww * p)
        np.add.at(grad_theta, jj, ww * p)
        grad = np.array([grad_theta[index[m]] for m in free]) + 2 * ridge * x
        return nll, grad

    result = minimize(objective, np.zeros(len(free)), jac=True, method="L-BFGS-B")
    theta = strengths(result.x)
    return {m: float(anchor_rating + ELO * (theta[index[m]] - theta[index[anchor]])) for m in models}


def bradley_terry_intervals(battles_by_prompt, anchor, anchor_rating=1000.0, rounds=1000, confidence=0.95, seed=0):
    """{model: (low, high)}: percentile bootstrap of bradley_terry, resampling prompts (each
    prompt's battles stay together). `battles_by_prompt`: {prompt: [(model_a, model_b, score_a)]}."""
    prompts = list(battles_by_prompt)
    rng = random.Random(seed)
    samples = defaultdict(list)
    for _ in range(rounds):
        drawn = [battle for _ in prompts for battle in battles_by_prompt[rng.choice(prompts)]]
        for model, rating in bradley_terry(drawn, anchor, anchor_rating).items():
            samples[model].append(rating)
    tail = (1 - confidence) / 2
    out = {}
    for model, values in samples.items():
        values.sort()
        out[model] = (values[int(tail * (len(values) - 1))], values[int((1 - tail) * (len(values) - 1))])
    return out


def cohens_kappa(labels_a, labels_b):
    """Cohen's kappa of two raters' labels on the same items (1.0 when both agree throughout)."""
    if len(labels_a) != len(labels_b):
        raise ValueError("both raters must label the same items")
    n = len(labels_a)
    if n == 0:
        raise ValueError("no items")
    observed = sum(a == b for a, b in zip(labels_a, labels_b)) / n
    ca, cb = Counter(labels_a), Counter(labels_b)
    expected = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if expected == 1:
        return 1.0
    return (observed - expected) / (1 - expected)


def fleiss_kappa(counts):
    """Fleiss' kappa; counts[item][category] = raters who chose it, the same number per item."""
    counts = [list(row) for row in counts]
    if not counts:
        raise ValueError("no items")
    raters = sum(counts[0])
    if raters < 2 or any(sum(row) != raters for row in counts):
        raise ValueError("every item needs the same number of raters, at least two")
    n_items = len(counts)
    p_items = [(sum(c * c for c in row) - raters) / (raters * (raters - 1)) for row in counts]
    p_bar = sum(p_items) / n_items
    totals = [sum(row[k] for row in counts) for k in range(len(counts[0]))]
    p_cats = [t / (n_items * raters) for t in totals]
    p_e = sum(p * p for p in p_cats)
    if p_e == 1:
        return 1.0
    return (p_bar - p_e) / (1 - p_e)


def krippendorff_alpha_nominal(ratings):
    """Krippendorff's alpha for nominal data; ratings[rater][item], None where a rater did not
    rate the item. Items rated by fewer than two raters are left out."""
    n_items = max((len(r) for r in ratings), default=0)
    coincidences = defaultdict(float)
    for item in range(n_items):
        values = [r[item] for r in ratings if item < len(r) and r[item] is not None]
        m = len(values)
        if m < 2:
            continue
        for x in range(m):
            for y in range(m):
                if x != y:
                    coincidences[(values[x], values[y])] += 1 / (m - 1)
    n = sum(coincidences.values())
    if n == 0:
        raise ValueError("no item was rated by two raters")
    marginals = defaultdict(float)
    for (c, _), v in coincidences.items():
        marginals[c] += v
    observed = sum(v for (c, k), v in coincidences.items() if c != k)
    expected = sum(marginals[c] * marginals[k] for c in marginals for k in marginals if c != k) / (n - 1)
    if expected == 0:
        return 1.0
    return 1 - observed / expected
