"""Readiness report speed: every figure of the readiness page (balance, topics, outliers,
consistency, verdict) for 100,000 realistic examples in at most 15 s (issue 14), measured against
a baseline in the same run: embedding the prompts alone, the least any grouping by meaning needs.

    .venv/bin/python -m benchmarks.readiness [--rows 100000]

Writes benchmarks/results/readiness.json. Plain Python: no database (the job reads a version's
rows in a few queries; that part is measured by the import and freeze benchmarks)."""

import argparse
import json
import os
import platform
import random
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.accuracy_sets import realistic_rows
from curation.core import semantic
from curation.core.prompt_match import main_and_side
from curation.core.readiness import Item, ReadinessRules, report
from studio.core.formats import record_from_object


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    records = [record_from_object(row) for row in realistic_rows(args.rows, seed=args.seed)]
    records = [r[0] if isinstance(r, tuple) else r for r in records]
    items = [Item(n, rng.choices(("train", "validation", "test"), (8, 1, 1))[0], r) for n, r in enumerate(records)]
    semantic.embed(["warm the model up"])

    start = time.perf_counter()
    semantic.embed([main_and_side(i.record)[0] for i in items])
    baseline = time.perf_counter() - start

    start = time.perf_counter()
    result = report(items, ReadinessRules(), embed=semantic.embed)
    took = time.perf_counter() - start
    summary = {
        "benchmark": "readiness",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "rows": len(items),
        "baseline_embed_prompts_s": round(baseline, 2),
        "report_s": round(took, 2),
        "ratio_to_baseline": round(took / baseline, 2),
        "goal": "report in at most 15 s for 100,000 examples",
        "goal_met": took <= 15 and len(items) >= 100_000,
        "verdict": result["verdict"],
        "topics": len(result["coverage"]["topics"]),
        "outliers": len(result["outliers"]),
        "class_fields": [f["field"] for f in result["balance"]["fields"]],
        "tasks_phrased_several_ways": len(result["consistency"]["tasks"]),
        "odd_formats": len(result["consistency"]["formats"]),
    }
    print(json.dumps(summary, indent=2))
    if not args.no_write:
        out = Path(__file__).parent / "results" / "readiness.json"
        out.write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
