import random
from collections import Counter

import pytest

from evaluation.core.studies import analyze, make_assignments


def test_assignments_cover_every_item_and_balance_the_sides():
    items = [f"i{n}" for n in range(60)]
    out = make_assignments(
        items, ["base", "run-1", "run-2"], ["ann", "bob", "cy"], ratings_per_item=2, repeat_share=0.1
    )
    main = [a for a in out if not a.repeat_of]
    assert len(main) == 60 * 3 * 2  # items x pairs x ratings
    per_unit = Counter((a.item, tuple(sorted((a.left, a.right)))) for a in main)
    assert set(per_unit.values()) == {2}
    for rater in ("ann", "bob", "cy"):
        lefts = Counter(a.left for a in main if a.rater == rater)
        shown = Counter(s for a in main if a.rater == rater for s in (a.left, a.right))
        for system in shown:
            assert abs(lefts[system] / shown[system] - 0.5) <= 0.05, (rater, system)
    repeats = [a for a in out if a.repeat_of]
    by_token = {a.token: a for a in out}
    assert repeats and all(
        (by_token[r.repeat_of].left, by_token[r.repeat_of].right) == (r.right, r.left) for r in repeats
    )
    assert all(by_token[r.repeat_of].order < r.order for r in repeats)  # a repeat comes after its original
    assert len({a.token for a in out}) == len(out) and all(len(a.token) >= 20 for a in out)


def test_assignments_refuse_impossible_settings():
    with pytest.raises(ValueError, match="at least two systems"):
        make_assignments(["i"], ["base"], ["ann"])
    with pytest.raises(ValueError, match="from 1 to the number of raters"):
        make_assignments(["i"], ["a", "b"], ["ann"], ratings_per_item=2)


def test_analysis_of_a_study_where_the_tuned_model_wins():
    rng = random.Random(1)
    votes = []
    for n in range(100):
        for rater in ("ann", "bob"):
            left, right = ("tuned", "base") if rng.random() < 0.5 else ("base", "tuned")
            r = rng.random()
            winner = "tuned" if r < 0.7 else ("base" if r < 0.9 else None)
            choice = "tie" if winner is None else ("left" if winner == left else "right")
            votes.append({"rater": rater, "item": n, "left": left, "right": right, "choice": choice})
    report = analyze(votes, anchor="base", rounds=100)
    (pair,) = report["pairs"]
    assert (pair["a"], pair["b"]) == ("base", "tuned")
    assert pair["b_wins"] > 3 * pair["a_wins"]
    assert pair["sign_test_p"] < 0.001
    low, high = pair["a_win_interval"]
    assert low < pair["a_win_rate"] < high
    board = report["leaderboard"]
    assert board[0]["system"] == "tuned" and board[0]["rating"] > 1000 and board[0]["rank"] == 1
    assert report["agreement"]["with_ties"]["units"] == 100
    assert report["raters"]["ann"]["left_rate"] == pytest.approx(0.5, abs=0.15)


def test_a_rater_who_always_picks_the_left_side_shows_it():
    votes = []
    for item in range(20):
        left, right = ("tuned", "base") if item % 2 else ("base", "tuned")
        votes.append({"rater": "lazy", "item": item, "left": left, "right": right, "choice": "left"})
        if item < 5:
            votes.append(
                {"rater": "lazy", "item": item, "left": right, "right": left, "choice": "left", "repeat": True}
            )
    behaviour = analyze(votes, anchor="base", rounds=50)["raters"]["lazy"]
    assert behaviour["left_rate"] == 1.0
    assert behaviour["repeats"] == 5 and behaviour["consistency"] == 0.0  # the swapped repeat flipped the system


def test_perfectly_agreeing_raters_have_alpha_one():
    votes = []
    for item in range(30):
        winner = ["tuned", "base", "tie"][item % 3]
        for rater in ("ann", "bob", "cy"):
            left, right = ("tuned", "base") if (item + len(rater)) % 2 else ("base", "tuned")
            choice = "tie" if winner == "tie" else ("left" if winner == left else "right")
            votes.append({"rater": rater, "item": item, "left": left, "right": right, "choice": choice})
    agreement = analyze(votes, anchor="base", rounds=20)["agreement"]
    assert agreement["with_ties"]["raw"] == 1.0 and agreement["with_ties"]["alpha"] == pytest.approx(1.0)
    assert agreement["without_ties"]["units"] == 20


def test_a_model_without_a_decisive_vote_is_not_ranked():
    votes = []
    for item in range(10):
        votes.append({"rater": "ann", "item": item, "left": "base", "right": "good", "choice": "right"})
        votes.append({"rater": "ann", "item": item, "left": "base", "right": "unseen", "choice": "tie"})
    board = {row["system"]: row for row in analyze(votes, anchor="base", rounds=50)["leaderboard"]}
    assert board["good"]["rank"] == 1 and board["good"]["rating"] > 1000
    assert board["unseen"]["rank"] is None and board["unseen"]["rating"] is None
    assert "no decisive vote" in board["unseen"]["why_unranked"]
    assert list(board)[-1] == "unseen"  # listed last, below every ranked model
    # every ranked row is drawn on one shared scale, its dot inside its band
    for row in (board["base"], board["good"]):
        plot = row["plot"]
        assert 0 <= plot["low"] <= plot["point"] <= plot["high"] <= 100
    assert board["good"]["plot"]["point"] > board["base"]["plot"]["point"]


def test_low_alpha_beside_high_raw_agreement_is_explained():
    votes = []
    for item in range(40):
        for rater in ("ann", "bob"):
            # nearly every vote prefers the tuned model; one item splits the raters
            tuned_wins = not (item == 0 and rater == "bob")
            votes.append(
                {
                    "rater": rater,
                    "item": item,
                    "left": "base",
                    "right": "tuned",
                    "choice": "right" if tuned_wins else "left",
                }
            )
    report = analyze(votes, anchor="base", rounds=20)
    stats = report["agreement"]["with_ties"]
    assert stats["raw"] >= 0.95 and stats["alpha"] < 0.4
    assert "prevalence paradox" in report["agreement_note"]
    balanced = [dict(v, choice="left" if v["item"] % 2 else "right") for v in votes]
    assert analyze(balanced, anchor="base", rounds=20)["agreement_note"] == ""
