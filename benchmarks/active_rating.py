"""Human votes where the judge is unsure, against votes on random items: how many votes each needs
for a given interval width on the tuned model's win rate, and how biased each estimate is.

Simulated studies (evaluation/core/active.py `simulate`): 400 items, a judge that is right on
clear items and unsure on close ones, raters who vote by each item's true probability. Both rules
use the same estimator (the judge's verdict on every item, corrected by the votes, each weighted
by one over its item's chance of being rated), so both are unbiased; the naive mean of the votes
on the actively chosen items is reported beside them to show the bias that weighting removes.
Scenarios vary the share of clear items (0: every item close, where the judge knows little).

    .venv/bin/python benchmarks/active_rating.py [--studies 300]

Writes benchmarks/results/active_rating.json.
"""

import argparse
import json
import platform
import random
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluation.core.active import simulate  # noqa: E402

ITEMS = 400
BUDGETS = (20, 40, 60, 80, 120, 160, 240, 320)
SCENARIOS = (0.0, 0.3, 0.6, 0.8, 0.9)
TARGET_WIDTH = 0.15  # the 95 % interval on the win rate, in points of probability


def run(clear_share, budget, active, studies, seed):
    rng = random.Random(seed)
    results = [simulate(ITEMS, budget, active, rng, clear_share=clear_share) for _ in range(studies)]
    errors = [e - t for t, e, _, _ in results]
    naive = [n - t for t, _, _, n in results if n is not None]
    return {
        "bias": round(statistics.mean(errors), 4),
        "rmse": round(statistics.fmean(x * x for x in errors) ** 0.5, 4),
        "interval_width": round(statistics.mean(2 * 1.96 * se for _, _, se, _ in results), 4),
        "coverage": round(sum(abs(e - t) <= 1.96 * se for t, e, se, _ in results) / len(results), 3),
        "naive_bias": round(statistics.mean(naive), 4) if naive else None,
    }


def votes_for(rows, target):
    """The smallest budget whose mean interval is at most `target` wide, or None."""
    return next((r["budget"] for r in rows if r["interval_width"] <= target), None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=300)
    args = parser.parse_args()
    scenarios = []
    for clear in SCENARIOS:
        rows = {"random": [], "active": []}
        for budget in BUDGETS:
            for rule in rows:
                rows[rule].append({"budget": budget, **run(clear, budget, rule == "active", args.studies, seed=budget)})
        needed = {rule: votes_for(r, TARGET_WIDTH) for rule, r in rows.items()}
        scenarios.append(
            {
                "clear_share": clear,
                "votes_for_target_width": needed,
                "ratio_active_to_random": round(needed["active"] / needed["random"], 2)
                if needed["active"] and needed["random"]
                else None,
                "max_abs_bias": {rule: max(abs(r["bias"]) for r in rs) for rule, rs in rows.items()},
                "naive_bias_active": max((r["naive_bias"] for r in rows["active"]), key=abs),
                "rows": rows,
            }
        )
        print(
            f"clear {clear:.1f}: votes for width {TARGET_WIDTH}: {needed}; naive bias {scenarios[-1]['naive_bias_active']}"
        )
    result = {
        "benchmark": "active_rating",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "items": ITEMS,
        "studies_per_cell": args.studies,
        "target_interval_width": TARGET_WIDTH,
        "random_share_kept": 0.2,
        "scenarios": scenarios,
    }
    out = ROOT / "benchmarks" / "results" / "active_rating.json"
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
