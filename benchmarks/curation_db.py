"""On-save check latency and example-list latency at 100,000 examples on PostgreSQL.

Targets (from the curation issue): on-save check p95 <= 50 ms; list page p95 <= 100 ms with
<= 10 queries. Each figure is also given as a ratio to a baseline measured in the same run: a
plain one-row save (for the check) and the /healthz page (for the list).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studio_bench .venv/bin/python benchmarks/curation_db.py [--n 100000]

The database is created if missing and filled once (later runs reuse it when it already holds
the examples). Writes benchmarks/results/curation_db.json.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.django_db import ms, percentile, setup_django  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks.synthetic import make_rows
    from curation.checking import check_example, scan_project
    from curation.models import Example
    from studio.models import Project

    User = get_user_model()
    lead, _ = User.objects.get_or_create(username="bench-lead")
    project = Project.objects.filter(slug="bench").first()
    setup = {}
    if project is None or project.examples.count() != args.n:
        if project:
            project.delete()
        project = Project.create_with_lead(name="bench", description="", lead=lead)
        start = time.perf_counter()
        rows, _ = make_rows(args.n)
        statuses = ["approved", "submitted", "draft", "changes_requested"]
        Example.objects.bulk_create(
            (Example(project=project, author=lead, status=statuses[i % 4], **row) for i, row in enumerate(rows)),
            batch_size=5000,
        )
        setup["insert_seconds"] = round(time.perf_counter() - start, 1)
        start = time.perf_counter()
        result = scan_project(project)
        setup["scan_seconds"] = round(time.perf_counter() - start, 1)
        setup["scan_findings"] = result["findings"]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what autovacuum does after a bulk load

    rng = random.Random(3)
    ids = list(project.examples.values_list("id", flat=True))
    sample = [Example.objects.get(id=i) for i in rng.sample(ids, args.samples)]

    # Baseline: a plain one-row save. Measured: the full on-save check against the project.
    base, check = [], []
    for example in sample:
        start = time.perf_counter()
        Example.objects.filter(id=example.id).update(output=example.output)
        base.append(time.perf_counter() - start)
        example.output = example.output + " "
        start = time.perf_counter()
        check_example(example)
        check.append(time.perf_counter() - start)

    client = Client()
    client.force_login(lead)
    pages = {
        "list": f"/p/{project.slug}/examples/",
        "list, status filter": f"/p/{project.slug}/examples/?status=submitted",
        "list, contradiction filter": f"/p/{project.slug}/examples/?finding=contradiction",
        "list, deep page": f"/p/{project.slug}/examples/?after={sorted(ids)[len(ids) // 2]}",
        "list, text search": f"/p/{project.slug}/examples/?q=refund",
    }
    health = []
    for _ in range(args.samples):
        start = time.perf_counter()
        client.get("/healthz")
        health.append(time.perf_counter() - start)
    page_results = {}
    for name, url in pages.items():
        times = []
        for _ in range(30):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        page_results[name] = {
            "p50_ms": ms(statistics.median(times)),
            "p95_ms": ms(percentile(times, 95)),
            "queries": len(queries),
            "ratio_p95_to_healthz": round(percentile(times, 95) / percentile(health, 95), 1),
        }

    result = {
        "benchmark": "curation_db",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL {connection.cursor().connection.info.server_version}",
        "examples": args.n,
        "setup": setup,
        "on_save_check": {
            "p50_ms": ms(statistics.median(check)),
            "p95_ms": ms(percentile(check, 95)),
            "baseline_plain_save_p95_ms": ms(percentile(base, 95)),
            "ratio_p95_to_plain_save": round(percentile(check, 95) / percentile(base, 95), 1),
            "target_p95_ms": 50,
            "met": percentile(check, 95) <= 0.050,
        },
        "healthz_p95_ms": ms(percentile(health, 95)),
        "pages": page_results,
        "list_target": "p95 <= 100 ms and <= 10 queries",
    }
    out = ROOT / "benchmarks" / "results" / "curation_db.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
