"""Blind A/B studies in plain Python: who rates what, on which side, and what the votes say.

Assignments: every item is rated by `ratings_per_item` raters for every pair of systems; which
system is shown on the left is balanced per rater and per system and random otherwise; a share
of each rater's assignments comes back later with the sides swapped, to measure consistency.
Every assignment carries an opaque random token: nothing a rater sees names a system.

Analysis: wins, ties, losses and both-bad per pair; the decisive win rate with its Wilson
interval and sign-test p; a Bradley-Terry leaderboard with bootstrap intervals over items;
agreement between raters (raw and Krippendorff's alpha, with and without ties); each rater's
left-side rate and consistency on swapped repeats.
"""

import itertools
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass

from evaluation.core.stats import (
    bradley_terry,
    bradley_terry_intervals,
    krippendorff_alpha_nominal,
    sign_test,
    wilson_interval,
)

CHOICES = ("left", "right", "tie", "both_bad")


@dataclass(frozen=True)
class Assignment:
    rater: str
    item: str
    left: str
    right: str
    token: str
    repeat_of: str = ""  # the token of the assignment this one repeats with sides swapped
    order: int = 0  # position in the rater's queue


def make_assignments(items, systems, raters, ratings_per_item=1, repeat_share=0.1, seed=0):
    """[Assignment] for a study. Raters are spread so each gets a fair share of every pair."""
    if len(systems) < 2:
        raise ValueError("a study compares at least two systems")
    if not 1 <= ratings_per_item <= len(raters):
        raise ValueError(f"ratings per item must be from 1 to the number of raters ({len(raters)})")
    if not 0 <= repeat_share <= 0.5:
        raise ValueError("the share of repeated items must be from 0 to 0.5")
    rng = random.Random(seed)
    pairs = list(itertools.combinations(sorted(systems), 2))
    per_rater = defaultdict(list)
    seen = defaultdict(int)  # (rater, pair) -> times this rater got this pair
    first_left = {}  # (rater, pair) -> the system shown on the left the first time (random)
    turn = 0
    for item in items:
        for a, b in pairs:
            chosen = [raters[(turn + k) % len(raters)] for k in range(ratings_per_item)]
            turn += 1
            for rater in chosen:
                # each rater sees each pair with the sides alternating, starting at random
                key = (rater, a, b)
                first = first_left.setdefault(key, a if rng.random() < 0.5 else b)
                left = first if seen[key] % 2 == 0 else (b if first == a else a)
                right = b if left == a else a
                seen[key] += 1
                per_rater[rater].append((item, left, right))
    out = []
    for rater, rows in per_rater.items():
        rng.shuffle(rows)
        queue = [Assignment(rater, item, left, right, secrets.token_urlsafe(16)) for item, left, right in rows]
        repeats = rng.sample(queue, round(len(queue) * repeat_share)) if repeat_share else []
        for original in repeats:  # come back later, sides swapped
            position = rng.randint(min(len(queue), queue.index(original) + 2), len(queue))
            queue.insert(
                position,
                Assignment(
                    rater,
                    original.item,
                    original.right,
                    original.left,
                    secrets.token_urlsafe(16),
                    repeat_of=original.token,
                ),
            )
        out += [Assignment(a.rater, a.item, a.left, a.right, a.token, a.repeat_of, n) for n, a in enumerate(queue)]
    return out


def _winner(vote):
    """(system preferred or None, tie?, both bad?) of a vote dict with left/right/choice."""
    choice = vote["choice"]
    if choice == "left":
        return vote["left"], False, False
    if choice == "right":
        return vote["right"], False, False
    return None, choice == "tie", choice == "both_bad"


def analyze(votes, anchor, rounds=500, seed=0):
    """The study report from votes: dicts with rater, item, left, right, choice, and repeat
    (True for a swapped repeat, which counts for consistency only)."""
    main = [v for v in votes if not v.get("repeat")]
    pairs = {}
    battles_by_item = defaultdict(list)
    for v in main:
        a, b = sorted((v["left"], v["right"]))
        row = pairs.setdefault((a, b), {"a": a, "b": b, "a_wins": 0, "b_wins": 0, "ties": 0, "both_bad": 0})
        winner, tie, both_bad = _winner(v)
        if winner == a:
            row["a_wins"] += 1
            battles_by_item[v["item"]].append((a, b, 1.0))
        elif winner == b:
            row["b_wins"] += 1
            battles_by_item[v["item"]].append((a, b, 0.0))
        elif tie:
            row["ties"] += 1
            battles_by_item[v["item"]].append((a, b, 0.5))
        else:
            row["both_bad"] += 1
            battles_by_item[v["item"]].append((a, b, 0.5))  # neither is better
    for row in pairs.values():
        decisive = row["a_wins"] + row["b_wins"]
        row["decisive"] = decisive
        row["a_win_rate"] = row["a_wins"] / decisive if decisive else None
        row["a_win_interval"] = wilson_interval(row["a_wins"], decisive)
        row["sign_test_p"] = sign_test(row["a_wins"], row["b_wins"])
    battles = [b for item in battles_by_item.values() for b in item]
    ratings = bradley_terry(battles, anchor) if battles else {}
    intervals = bradley_terry_intervals(dict(battles_by_item), anchor, rounds=rounds, seed=seed) if battles else {}
    # a model no vote preferred or rejected has a rating the fit made up: it is not ranked
    decisive = defaultdict(int)
    for row in pairs.values():
        decisive[row["a"]] += row["decisive"]
        decisive[row["b"]] += row["decisive"]
    evidence = {m for m in ratings if m == anchor or decisive[m]}
    board = sorted(ratings, key=lambda m: (m not in evidence, -ratings[m]))
    leaderboard = [
        {
            "system": m,
            "rating": ratings[m] if m in evidence else None,
            "interval": intervals.get(m) if m in evidence else None,
            "decisive": decisive[m],
            "rank": (
                1
                + sum(
                    1 for o in evidence if intervals.get(o) and intervals.get(m) and intervals[o][0] > intervals[m][1]
                )
                if m in evidence
                else None
            ),
            "why_unranked": "" if m in evidence else "no decisive vote: every comparison was a tie or both bad",
        }
        for m in board
    ]
    _plot_positions(leaderboard)
    stats = agreement(main)
    return {
        "pairs": list(pairs.values()),
        "leaderboard": leaderboard,
        "agreement": stats,
        "agreement_note": agreement_note(stats),
        "raters": rater_behaviour(votes),
    }


def _plot_positions(leaderboard):
    """Each ranked row's rating and interval as percentages of one scale shared by the rows."""
    ends = [v for row in leaderboard if row["rating"] is not None for v in (row["interval"] or (row["rating"],) * 2)]
    if not ends:
        return
    low, high = min(ends), max(ends)
    pad = max((high - low) * 0.05, 10.0)
    low, high = low - pad, high + pad
    for row in leaderboard:
        if row["rating"] is None:
            continue
        lo, hi = row["interval"] or (row["rating"], row["rating"])
        row["plot"] = {
            "point": round(100 * (row["rating"] - low) / (high - low), 1),
            "low": round(100 * (lo - low) / (high - low), 1),
            "high": round(100 * (hi - low) / (high - low), 1),
        }
    for row in leaderboard:
        row["scale"] = [round(low), round(high)]


def agreement_note(stats):
    """Why a low alpha can sit beside a high raw agreement, when it does."""
    for key in ("with_ties", "without_ties"):
        s = stats.get(key) or {}
        raw, alpha = s.get("raw"), s.get("alpha")
        if raw is not None and alpha is not None and raw >= 0.8 and alpha < 0.4:
            return (
                f"Raters agree on {raw:.0%} of the items rated twice, yet α is {alpha:.2f}: when nearly every "
                "vote gives the same answer, α expects that much agreement by chance and credits little of it "
                "(the prevalence paradox). With so little variety, read the raw agreement and rate more varied items "
                "before trusting α."
            )
    return ""


def _relative(v):
    """A vote as a label about the systems, not the sides: which system won, or tie/both_bad."""
    winner, tie, both_bad = _winner(v)
    return winner or ("tie" if tie else "both_bad")


def agreement(votes):
    """Raw agreement and Krippendorff's alpha over items rated by two or more raters, with all
    labels and with ties and both-bad left out."""
    by_unit = defaultdict(dict)
    for v in votes:
        unit = (v["item"], tuple(sorted((v["left"], v["right"]))))
        by_unit[unit][v["rater"]] = _relative(v)
    raters = sorted({r for unit in by_unit.values() for r in unit})
    out = {}
    for name, keep in (
        ("with_ties", lambda label: True),
        ("without_ties", lambda label: label not in ("tie", "both_bad")),
    ):
        units = [{r: label for r, label in unit.items() if keep(label)} for unit in by_unit.values()]
        units = [u for u in units if len(u) >= 2]
        if not units:
            out[name] = {"units": 0, "raw": None, "alpha": None}
            continue
        agree = [
            sum(1 for x, y in itertools.combinations(u.values(), 2) if x == y) / (len(u) * (len(u) - 1) / 2)
            for u in units
        ]
        matrix = [[u.get(r) for u in units] for r in raters]
        try:
            alpha = krippendorff_alpha_nominal(matrix)
        except ValueError:
            alpha = None
        out[name] = {"units": len(units), "raw": sum(agree) / len(agree), "alpha": alpha}
    return out


def rater_behaviour(votes):
    """{rater: {"votes", "left_rate" (share of decisive votes for the left side), "repeats",
    "consistency" (share of swapped repeats that chose the same system)}}."""
    by_rater = defaultdict(list)
    for v in votes:
        by_rater[v["rater"]].append(v)
    out = {}
    for rater, vs in by_rater.items():
        decisive = [v for v in vs if v["choice"] in ("left", "right")]
        originals = {(v["item"], v["left"], v["right"]): v for v in vs if not v.get("repeat")}
        same = total = 0
        for v in vs:
            if v.get("repeat"):
                first = originals.get((v["item"], v["right"], v["left"]))
                if first:
                    total += 1
                    same += _relative(first) == _relative(v)
        out[rater] = {
            "votes": len(vs),
            "left_rate": sum(v["choice"] == "left" for v in decisive) / len(decisive) if decisive else None,
            "repeats": total,
            "consistency": same / total if total else None,
        }
    return out
