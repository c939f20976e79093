"""The on-save check and the as-you-type preview at 100,000 examples on PostgreSQL.

For 200 random edits of examples in a 100,000-example project (after one warm-up edit), times
`checking.preview` (what the editor's live check runs while one types: nothing stored) and
`checking.check_example` (what Save runs: findings, pairs, keys and the vector stored). The goal
is p95 <= 50 ms for each. Each figure is also given as a ratio to a baseline measured in the same
run: a plain one-row save of the same example.

The first check in a process loads the static embedding model, the project's vectors and its word
rarities (curation/vectors.py); that first-call cost is reported apart, step by step. A cProfile
of further edits says where the time of a warm check goes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studio_bench .venv/bin/python benchmarks/check_on_save.py [--n 100000]

The project (the synthetic set of benchmarks/curation_db.py) is made and indexed once; later runs
reuse it. Writes benchmarks/results/check_on_save.json.
"""

import argparse
import cProfile
import json
import os
import platform
import pstats
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.django_db import ms, percentile, setup_django  # noqa: E402

GOAL_MS = 50


def project_of(n, scan, data="synthetic"):
    """The benchmark project with n synthetic examples, indexed (made if missing).

    With `scan`, a full check scan stores every finding as well; without it, only what the
    on-save check reads is stored, as a scan would leave it: each example's index keys and
    sentence vector. (A full scan of this synthetic set, whose prompts share a few templated
    instructions, takes minutes already at 3,000 examples on 2 cores; see the results.)
    """
    from django.contrib.auth import get_user_model

    from benchmarks.accuracy_sets import realistic_rows
    from benchmarks.synthetic import make_rows
    from curation import checking, vectors
    from curation.core.bucket_keys import stored_keys
    from curation.core.prompt_comparison import prompt_words
    from curation.core.prompt_match import prompt_number_key
    from curation.models import Example, ExampleVector
    from studio.models import Project

    lead, _ = get_user_model().objects.get_or_create(username="bench-lead")
    slug = "bench-on-save" if data == "synthetic" else f"bench-on-save-{data}"
    project = Project.objects.filter(slug=slug).select_related("base_model").first()
    setup = {}
    if (
        project is not None
        and project.examples.count() == n
        and ExampleVector.objects.filter(project_id=project.id).count() == n
    ):
        return project, {"reused": True}
    if project:
        project.delete()
    project = Project.create_with_lead(name=slug, description="", lead=lead)
    start = time.perf_counter()
    rows = make_rows(n)[0] if data == "synthetic" else realistic_rows(n)
    statuses = ["approved", "submitted", "draft", "changes_requested"]
    Example.objects.bulk_create(
        (Example(project=project, author=lead, status=statuses[i % 4], **row) for i, row in enumerate(rows)),
        batch_size=5000,
    )
    setup["insert_seconds"] = round(time.perf_counter() - start, 1)
    start = time.perf_counter()
    if scan:
        setup["scan_findings"] = checking.scan_project(project)["findings"]
        setup["scan_seconds"] = round(time.perf_counter() - start, 1)
        return project, setup
    examples = list(project.examples.order_by("id").only("id", "instruction", "input", "output", "messages"))
    records = [e.record() for e in examples]
    keys = []
    for example, record in zip(examples, records):
        context, query = prompt_words(record)
        keys += [(project.id, example.id, "near", k, w[:100]) for k, w in stored_keys(context, query)]
    checking._insert_keys(keys)
    vectors.store(
        project.id, [e.id for e in examples], vectors.embed_main(records), [prompt_number_key(r) for r in records]
    )
    setup["index_seconds"] = round(time.perf_counter() - start, 1)
    setup["index_keys"] = len(keys)
    return project, setup


def edit(example, rng, donors):
    """Change `example` in memory the way an annotator does, and name the change."""
    kind = rng.choice(["typo", "added word", "new answer", "reworded like another"])
    if kind == "typo":
        words = example.instruction.split()
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 3:
            j = rng.randrange(len(w) - 1)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        else:
            words[i] = w + w[-1]
        example.instruction = " ".join(words)
    elif kind == "added word":
        example.instruction = example.instruction.rstrip(".?!") + rng.choice([" please.", " now.", " briefly."])
    elif kind == "new answer":
        example.output = example.output + rng.choice([" Thanks!", " ", "\n"])
    else:
        donor = rng.choice(donors)
        example.instruction, example.input = donor.instruction, donor.input
    return kind


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--profiled", type=int, default=40)
    parser.add_argument("--scan", action="store_true", help="store every finding with a full scan first")
    parser.add_argument(
        "--data",
        choices=("synthetic", "realistic"),
        default="synthetic",
        help="synthetic: made-up words (the meaning layer stays off); realistic: real words from the "
        "accuracy sets' four domains, meanings drawn with replacement (the meaning layer is on)",
    )
    args = parser.parse_args()
    setup_django(DEBUG="false", SECRET_KEY="benchmark-only")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from curation import checking, vectors
    from curation.core import semantic
    from curation.core.prompt_match import SAME_MEANING
    from curation.models import Example

    project, setup = project_of(args.n, args.scan, args.data)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what autovacuum does after a bulk load

    rng = random.Random(13)
    # the edits change instruction and output: chats (the realistic data has some) are checked, not edited
    ids = list(project.examples.filter(deleted_at=None, messages__isnull=True).values_list("id", flat=True))
    picked = rng.sample(ids, args.samples + args.profiled + 1)
    examples = {e.id: e for e in Example.objects.filter(id__in=picked)}
    donors = [examples[i] for i in picked[: args.samples // 4]]
    for e in examples.values():
        e.project = project

    # The first check in a process, step by step.
    vectors.reset()
    first = {}
    start = time.perf_counter()
    semantic.embed(["load the static model"])
    first["static_model_ms"] = ms(time.perf_counter() - start)
    warm_up = examples[picked[-1]]
    edit(warm_up, rng, donors)
    start = time.perf_counter()
    checking.preview(warm_up)
    first["first_preview_ms"] = ms(time.perf_counter() - start)
    vectors.reset()
    start = time.perf_counter()
    rows = len(vectors.index(project.id)[1])
    first["load_vectors_ms"] = ms(time.perf_counter() - start)
    first["vectors_loaded"] = rows
    start = time.perf_counter()
    vectors.project_idf(project.id)
    first["word_rarities_ms"] = ms(time.perf_counter() - start)
    checking.check_example(warm_up)  # the warm-up edit, saved

    # 200 edits: preview as one types, then a plain save (baseline), then the check Save runs.
    times = {"preview": [], "check_example": [], "plain_save": []}
    by_kind, queries = {}, {"preview": [], "check_example": []}
    for example_id in picked[: args.samples]:
        example = examples[example_id]
        kind = edit(example, rng, donors)
        with CaptureQueriesContext(connection) as q:
            start = time.perf_counter()
            checking.preview(example)
            times["preview"].append(time.perf_counter() - start)
        queries["preview"].append(len(q))
        start = time.perf_counter()
        Example.objects.filter(id=example.id).update(
            instruction=example.instruction, input=example.input, output=example.output
        )
        times["plain_save"].append(time.perf_counter() - start)
        with CaptureQueriesContext(connection) as q:
            start = time.perf_counter()
            checking.check_example(example)
            elapsed = time.perf_counter() - start
        times["check_example"].append(elapsed)
        queries["check_example"].append(len(q))
        by_kind.setdefault(kind, []).append(elapsed)

    # Where a warm check's time goes.
    profile = cProfile.Profile()
    for example_id in picked[args.samples : args.samples + args.profiled]:
        example = examples[example_id]
        edit(example, rng, donors)
        profile.enable()
        checking.preview(example)
        checking.check_example(example)
        profile.disable()
    stats = pstats.Stats(profile)
    total = stats.total_tt
    hot = []
    for (path, line, name), (_, calls, own, cumulative, _) in stats.stats.items():
        where_from = str(Path(path).relative_to(ROOT)) if path.startswith(str(ROOT)) else Path(path).name
        hot.append((cumulative, own, calls, f"{where_from}:{line} {name}"))
    hot.sort(reverse=True)
    where = [
        {
            "function": f,
            "calls": c,
            "cumulative_ms_per_edit": ms(cum / args.profiled),
            "own_ms_per_edit": ms(o / args.profiled),
        }
        for cum, o, c, f in hot
        if f.startswith(("curation/", "studio/")) or any(k in f for k in ("execute", "fetch", "_iterator", "dot"))
    ][:25]

    base_p95 = percentile(times["plain_save"], 95)

    def figures(name):
        values = times[name]
        return {
            "p50_ms": ms(statistics.median(values)),
            "p95_ms": ms(percentile(values, 95)),
            "max_ms": ms(max(values)),
            "queries_median": statistics.median(queries[name]),
            "ratio_p95_to_plain_save": round(percentile(values, 95) / base_p95, 1),
            "goal_p95_ms": GOAL_MS,
            "met": percentile(values, 95) <= GOAL_MS / 1000,
        }

    result = {
        "benchmark": "check_on_save",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, Python {platform.python_version()}, PostgreSQL {connection.cursor().connection.info.server_version}",
        "examples": args.n,
        "edits": args.samples,
        "data": args.data,
        "semantic_layer": vectors.ready(),
        "meaning_layer_on": vectors.meaning_threshold(project.id, SAME_MEANING) <= 1.0,
        "setup": setup,
        "first_call_in_a_process": first,
        "preview": figures("preview"),
        "check_example": figures("check_example"),
        "plain_save_p95_ms": ms(base_p95),
        "check_example_p95_by_edit_kind_ms": {k: ms(percentile(v, 95)) for k, v in sorted(by_kind.items())},
        "profile": {"edits": args.profiled, "preview_plus_check_ms_per_edit": ms(total / args.profiled), "hot": where},
    }
    out = ROOT / "benchmarks" / "results" / f"check_on_save{'' if args.data == 'synthetic' else '.' + args.data}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "profile"}, indent=2))


if __name__ == "__main__":
    main()
