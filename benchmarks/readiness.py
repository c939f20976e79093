"""Readiness report speed: every figure of the readiness page (balance, topics, outliers,
consistency, verdict) for 100,000 realistic examples in at most 15 s (issue 14), measured against
a baseline in the same run: embedding the prompts alone, the least any grouping by meaning needs.

    .venv/bin/python -m benchmarks.readiness [--rows 100000] [--database]

Writes benchmarks/results/readiness.json. Plain Python by default; --database also runs the job's
whole path on PostgreSQL (DATABASE_URL, default studio_bench): the approved examples read, split
as a freeze would split them, their open errors counted, and the report; then the same for a
frozen version of them."""

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
    parser.add_argument("--database", action="store_true", help="the job's whole path on PostgreSQL too")
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
    if args.database:
        summary["database"] = on_database(records)
    print(json.dumps(summary, indent=2))
    if not args.no_write:
        out = Path(__file__).parent / "results" / "readiness.json"
        out.write_text(json.dumps(summary, indent=2) + "\n")


def on_database(records):
    """Seconds of the readiness job's work for the approved examples and for a version of them."""
    from benchmarks.django_db import setup_django

    setup_django()
    from django.contrib.auth.models import User

    from curation.core.readiness import ReadinessRules
    from curation.models import DatasetVersion, Example, VersionItem
    from curation.readiness import approved_report, version_report
    from studio.models import Project

    user = User.objects.filter(username="readiness-bench").first() or User.objects.create_user("readiness-bench")
    project = Project.create_with_lead(name=f"Readiness {time.time_ns()}", description="", lead=user)
    Example.objects.bulk_create(
        [
            Example(
                project=project,
                author=user,
                status=Example.Status.APPROVED,
                instruction=r.instruction,
                input=r.input,
                output=r.output,
                messages=list(r.messages) if r.messages else None,
            )
            for r in records
        ],
        batch_size=5000,
    )
    start = time.perf_counter()
    approved = approved_report(project, ReadinessRules())
    approved_s = time.perf_counter() - start
    # a version made directly (a freeze re-runs the whole scan; its speed is the scan's benchmark)
    version = DatasetVersion.objects.create(
        project=project, name="v1", content_hash="bench", seed=0, ratios=[0.8, 0.1, 0.1], counts={}, created_by=user
    )
    rng = random.Random(0)
    VersionItem.objects.bulk_create(
        [
            VersionItem(
                version=version,
                example=e,
                example_version=1,
                split=rng.choices(("train", "validation", "test"), (8, 1, 1))[0],
                group=n,
                content_key=str(n),
                instruction=e.instruction,
                input=e.input,
                output=e.output,
                messages=e.messages,
            )
            for n, e in enumerate(Example.objects.filter(project=project).order_by("id"))
        ],
        batch_size=5000,
    )
    start = time.perf_counter()
    frozen = version_report(version, ReadinessRules())
    version_s = time.perf_counter() - start
    VersionItem.objects.filter(version=version)._raw_delete(VersionItem.objects.db)  # frozen rows: raw delete
    DatasetVersion.objects.filter(id=version.id)._raw_delete(DatasetVersion.objects.db)
    project.delete()
    return {
        "approved_report_s": round(approved_s, 2),
        "version_report_s": round(version_s, 2),
        "verdicts": [approved["verdict"], frozen["verdict"]],
        "goal_met": max(approved_s, version_s) <= 15,
    }


if __name__ == "__main__":
    main()
