"""The statistics against known values (textbook and reference examples)."""

import math

import pytest

from evaluation.core.stats import (
    bradley_terry,
    bradley_terry_intervals,
    cohens_kappa,
    fleiss_kappa,
    krippendorff_alpha_nominal,
    sign_test,
    wilson_interval,
)


def test_wilson_interval():
    low, high = wilson_interval(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4) and high == pytest.approx(0.7634, abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(10, 10)
    assert high == pytest.approx(1.0) and low == pytest.approx(0.7225, abs=1e-4)


def test_sign_test_is_the_exact_binomial():
    assert sign_test(9, 1) == pytest.approx(2 * 11 / 1024)
    assert sign_test(5, 5) == pytest.approx(1.0)
    assert sign_test(0, 0) == 1.0


def test_bradley_terry_on_the_elo_scale():
    battles = [("a", "b", 1)] * 3 + [("a", "b", 0)]
    ratings = bradley_terry(battles, anchor="b")
    assert ratings["b"] == 1000.0
    assert ratings["a"] == pytest.approx(1000 + 400 * math.log10(3), abs=0.01)  # 3:1 odds
    ties = bradley_terry([("a", "b", 0.5)] * 4, anchor="a", anchor_rating=1200)
    assert ties["b"] == pytest.approx(1200, abs=0.01)


def test_bradley_terry_recovers_consistent_strengths():
    # a beats b at 10:1 odds, b beats c at 10:1 odds, so a beats c at 100:1
    battles = (
        [("a", "b", 1)] * 100
        + [("a", "b", 0)] * 10
        + [("b", "c", 1)] * 100
        + [("b", "c", 0)] * 10
        + [("a", "c", 1)] * 1000
        + [("a", "c", 0)] * 10
    )
    r = bradley_terry(battles, anchor="c")
    assert r["b"] - r["c"] == pytest.approx(400, abs=1)
    assert r["a"] - r["c"] == pytest.approx(800, abs=1)


def test_bootstrap_intervals_cover_the_estimate_and_narrow_with_data():
    few = {p: [("tuned", "base", 1 if p % 4 else 0)] for p in range(20)}
    many = {p: [("tuned", "base", 1 if p % 4 else 0)] for p in range(400)}
    point = bradley_terry([b for battles in many.values() for b in battles], anchor="base")["tuned"]
    wide = bradley_terry_intervals(few, anchor="base", rounds=200)["tuned"]
    narrow = bradley_terry_intervals(many, anchor="base", rounds=200)["tuned"]
    assert narrow[0] <= point <= narrow[1]
    assert narrow[1] - narrow[0] < wide[1] - wide[0]


def test_cohens_kappa():
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohens_kappa(a, b) == pytest.approx(0.4)
    assert cohens_kappa(["x", "y"], ["x", "y"]) == 1.0


def test_fleiss_kappa_wikipedia_example():
    counts = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    assert fleiss_kappa(counts) == pytest.approx(0.210, abs=0.001)
    with pytest.raises(ValueError, match="same number of raters"):
        fleiss_kappa([[1, 1], [3, 0]])


def test_krippendorff_alpha_reference_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 observers, 12 units, nominal
    n = None
    ratings = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    ]
    assert krippendorff_alpha_nominal(ratings) == pytest.approx(0.743, abs=0.001)
